//! Checks, with real HTTP traffic through nginx, that the session is really shared.
//!
//! Verify never trusts the lab's own story: it walks a page with one cookie jar (`walk`),
//! judges the answers (`judge`), reads the store over its own protocol (`store_check`), and
//! reads the Tomcats' logs for msm errors and for what Tomcat said about a page that
//! answered 5xx (`msm_log`). The drills (`drill`, a file each)
//! reuse the walker to see what a user sees while parts of the lab fail.

pub mod drill;
pub mod errors;
pub mod flow;
pub mod judge;
pub mod msm_log;
pub mod overwrites;
pub mod probe;
pub mod redirect;
pub mod rotation;
pub mod session_id;
pub mod state;
pub mod store_check;
pub mod value_diff;
pub mod walk;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::Engine;
use drill::DrillReport;
pub use errors::VerifyError;
pub use judge::{backends, is_sticky, judge, session_ids, Check};
pub use msm_log::{check_logs, LogFinding};
pub use session_id::{node_of, SessionId};
pub use state::{compare, judge_state, Loss, LossKind, StateReport};
pub use store_check::check_store;
pub use flow::UrlPath;
pub use rotation::IdChange;
pub use walk::{target, unix_now, Answer, Page, Target, Walker};

/// The whole result of a verify run.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub ok: bool,
    pub lab: String,
    pub url: String,
    /// `sticky` or `non-sticky`, as the session ids show.
    pub mode: &'static str,
    pub requests: Vec<Answer>,
    pub backends: BTreeMap<String, usize>,
    pub session_ids: Vec<String>,
    /// Each change of the session id, and what the probe's reports say it was (`rotation`).
    pub id_changes: Vec<IdChange>,
    pub checks: Vec<Check>,
    pub msm_log_findings: Vec<LogFinding>,
    /// What the session carried from each request to the next (the `state` check's evidence).
    pub state: StateReport,
    pub drills: Vec<DrillReport>,
}

impl Verdict {
    /// Every check passed and no drill failed (a drill's finding does not fail the run).
    pub fn settle(&mut self) {
        self.ok = self.checks.iter().all(|c| c.ok) && self.drills.iter().all(|d| !d.failed());
    }
}

/// The checks, without drills. The page is walked in page loads until `requests` requests
/// were sent (a redirect hop is a request); a flow's `once` steps first, then its others in
/// rounds.
pub async fn run(engine: &Engine, lab: &str, page: &Page, requests: usize) -> Result<(Target, Verdict), VerifyError> {
    let target = target(engine, lab).await?;
    let since = unix_now();
    let mut walker = Walker::new(&target, page);
    let steps = match page {
        Page::Flow(steps) => steps.clone(),
        Page::Test | Page::User(_) => vec![flow::FlowStep::get(walker.url_path())],
    };
    let mut schedule = flow::Schedule::requests(steps.iter().filter(|s| !s.once).count(), target.tomcats.len(), requests);
    let answers = walker.walk_flow(&steps, &mut schedule).await;
    let (session_ids, backends) = (session_ids(&answers), backends(&answers));
    let mut checks = judge(lab, &answers, &session_ids, &backends);
    if let Some(answered) = checks.iter_mut().find(|c| c.name == "answers") {
        msm_log::quote_severe(engine, &target, page, &answers, answered).await;
    }
    judge::judge_hosts(&mut checks, &backends, &target.nodes());
    let sightings = probe::read(engine, &target.tomcats, &walker.tokens, since, answers.len()).await?;
    let id_changes = rotation::id_changes(&answers, &sightings);
    rotation::rejudge(&mut checks, &id_changes, &answers);
    let numbers: Vec<usize> = answers.iter().map(|a| a.n).collect();
    let state = compare(&numbers, &sightings);
    checks.push(judge_state(&state, target.probed(), answers.len()));
    checks.push(check_store(engine, &target, &answers, walker.url()).await?);
    let (logs, msm_log_findings) = check_logs(engine, &target, since).await?;
    checks.push(logs);
    let mut verdict = Verdict {
        ok: false,
        lab: target.lab.clone(),
        url: walker.url().to_string(),
        mode: if is_sticky(&session_ids) { "sticky" } else { "non-sticky" },
        requests: answers,
        backends,
        session_ids,
        id_changes,
        checks,
        msm_log_findings,
        state,
        drills: Vec::new(),
    };
    verdict.settle();
    Ok((target, verdict))
}

/// A request of the test page answered by `backend`, for the judge's and the drills' tests.
#[cfg(test)]
pub(crate) fn sample_answer(n: usize, backend: &str, id: &str, counter: i64) -> Answer {
    Answer {
        n,
        load: n,
        hop: 0,
        method: "GET".into(),
        path: "/ShareSession/ShowSession.jsp?format=json".into(),
        status: Some(200),
        location: None,
        backend: Some(backend.into()),
        upstream: None,
        server_ip: Some("172.18.0.3".into()),
        session_id: Some(id.into()),
        counter: Some(counter),
        millis: 3,
        error: None,
    }
}

/// A verdict with a failed check and one drill of each outcome, for the report tests.
#[cfg(test)]
pub(crate) fn sample_verdict() -> Verdict {
use crate::verify::drill::{Drill, DrillReport, DrillVerdict, DrillStep};
    let check = |name, ok, detail: &str| Check { name, ok, detail: detail.into() };
    let step = |action: &str, ok| DrillStep { action: action.into(), saw: "what <it> saw & more".into(), ok };
    let drill = |drill, outcome, summary: &str| DrillReport {
        drill,
        outcome,
        summary: summary.into(),
        steps: vec![step("open a session", true), step("stop it", outcome != DrillVerdict::Failed)],
        seconds: 1.5,
    };
    let mut v = Verdict {
        ok: false,
        lab: "ci".into(),
        url: "http://127.0.0.1:13355/my/".into(),
        mode: "sticky",
        requests: Vec::new(),
        backends: Default::default(),
        session_ids: Vec::new(),
        id_changes: Vec::new(),
        checks: vec![check("answers", true, "2 of 2 requests answered 200"), check("store", false, "session \"A\" is not in <memcached> & co")],
        msm_log_findings: Vec::new(),
        state: StateReport::default(),
        drills: vec![
            drill(Drill::Tomcat, DrillVerdict::Passed, "carried on"),
            drill(Drill::Store, DrillVerdict::Finding, "FINDING: with one cache node, a store outage loses the session"),
            drill(Drill::Restart, DrillVerdict::Failed, "the Tomcats did not come back"),
        ],
    };
    v.settle();
    v
}
