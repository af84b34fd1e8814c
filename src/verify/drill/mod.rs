//! Failover drills (`verify --drill`): break one part of the lab as a bad day would, watch what
//! one user's session does through nginx, then put the lab back as it was.
//!
//! Each drill opens a session of its own, reports every step with what it did and what it saw,
//! and always runs its restore steps, even after a failed step. Engine errors become failed
//! steps, so the report still says how far the drill got and whether the lab was restored.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::engine::Engine;
use crate::exit::{Classified, ExitStatus};
use crate::lab::ready::{NGINX_TIMEOUT, TOMCAT_TIMEOUT};
use crate::lab::ready;
use crate::plan::page_url_at;
use crate::labspec::names::Role;
use crate::verify::errors::VerifyError;
use crate::verify::judge::{answered, backends, session_ids};
use crate::verify::overwrites::{self, Overwrite};
use crate::verify::probe;
use crate::verify::session_id::SessionId;
use crate::verify::store_check::store_has;
use crate::verify::walk::{self, unix_now, Answer, Page, Target, Walker};

/// The concurrency drill: rounds of requests of one session sent at once (msm-facts §9 saw 7 of
/// 24 updates lost with 3 rounds of 8 and lockingMode none).
const CONCURRENT_ROUNDS: usize = 3;
const CONCURRENT_REQUESTS: usize = 8;

/// Grace period of a `docker stop`: Tomcat and memcached stop in about a second.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// Requests that open the drill's session, and that follow each failure.
const OPEN_REQUESTS: usize = 3;
pub(super) const AFTER_REQUESTS: usize = 4;
/// After a cache node dies, msm's client notices on its next operation; a request already in
/// flight (or sent at once) can lose the session (msm-facts, "Failover as it really behaves").
/// The drill lets the Tomcats notice first, as an operator's next user would arrive later.
const STORE_SETTLE: Duration = Duration::from_secs(2);
/// How long the restore of a store waits for msm to store sessions again before it restarts
/// the Tomcats (spymemcached reconnects on its own, with a back-off).
const STORE_RECONNECT: Duration = Duration::from_secs(40);
/// How long nginx's master may take to re-read its configuration (it resolves every Tomcat's
/// name again, through the engine's DNS) and start a new worker.
const NGINX_RELOAD: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Drill {
    Tomcat,
    Store,
    Restart,
    Concurrent,
    Node,
}

impl Drill {
    pub fn name(self) -> &'static str {
        match self {
            Drill::Tomcat => "tomcat",
            Drill::Store => "store",
            Drill::Restart => "restart",
            Drill::Concurrent => "concurrent",
            Drill::Node => "node",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DrillError {
    #[error("interrupted by {signal} during the {drill} drill; {restored}")]
    Interrupted { signal: &'static str, drill: &'static str, restored: String },
}

/// How a drill ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DrillVerdict {
    /// The session survived, and the lab was restored.
    Passed,
    /// The session did not survive where it should have, or the lab was not restored.
    Failed,
    /// What the drill shows is a property of the configuration, not a fault: with a single
    /// cache node, a store outage loses sessions. The lab was restored.
    Finding,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrillStep {
    pub action: String,
    pub saw: String,
    pub ok: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrillReport {
    pub drill: Drill,
    pub outcome: DrillVerdict,
    /// One sentence: what the drill shows.
    pub summary: String,
    pub steps: Vec<DrillStep>,
    pub seconds: f64,
}

impl DrillReport {
    pub fn failed(&self) -> bool {
        self.outcome == DrillVerdict::Failed
    }
}

/// Steps as they happen.
pub(super) struct Log {
    pub(super) steps: Vec<DrillStep>,
}

impl Log {
    pub(super) fn step(&mut self, action: impl Into<String>, ok: bool, saw: impl Into<String>) -> bool {
        self.steps.push(DrillStep { action: action.into(), saw: saw.into(), ok });
        ok
    }
    pub(super) fn all_ok(&self) -> bool {
        self.steps.iter().all(|s| s.ok)
    }
}

/// Runs one drill and restores the lab; `target` is refreshed from the engine first.
pub async fn run(engine: &Engine, lab: &str, page: &Page, drill: Drill) -> Result<DrillReport, VerifyError> {
    let started = Instant::now();
    let target = walk::target(engine, lab).await?;
    let mut log = Log { steps: Vec::new() };
    // A swarm lab's tasks are Swarm's to stop and start: there the node drill takes a host away.
    let swarm = !target.nodes().is_empty();
    if swarm && matches!(drill, Drill::Tomcat | Drill::Store | Drill::Restart) {
        return Err(VerifyError::DrillNotHere { drill: drill.name(), why: "it stops containers of a single engine; on a swarm, --drill node takes a whole host away".into() });
    }
    let (outcome, summary) = match drill {
        // `verify::node_drill::run` runs it.
        Drill::Node => return Err(VerifyError::DrillNotHere { drill: drill.name(), why: "it is run by verify::node_drill".into() }),
        Drill::Tomcat => tomcat(engine, &target, page, &mut log).await,
        Drill::Restart => restart(engine, &target, page, &mut log).await,
        Drill::Store => store_drill(engine, &target, page, &mut log).await,
        Drill::Concurrent if page.is_test() => concurrent(engine, &target, page, &mut log).await,
        Drill::Concurrent => concurrent_on_page(engine, &target, page, &mut log).await?,
    };
    Ok(DrillReport { drill, outcome, summary, steps: log.steps, seconds: started.elapsed().as_secs_f64() })
}

/// Sends rounds of parallel requests of one session, each bumping the test page's counter, and
/// counts the updates that were lost: with `lockingMode none` (msm's default) in non-sticky
/// mode, each request loads the session, changes it and writes it back, and the last write
/// wins. Nothing is stopped, so there is nothing to restore.
async fn concurrent(engine: &Engine, target: &Target, page: &Page, log: &mut Log) -> (DrillVerdict, String) {
    let since = unix_now();
    let mut walker = Walker::new(target, page);
    let Some(before) = open(&mut walker, log).await else {
        return (DrillVerdict::Failed, "the drill could not open a session on the healthy lab".into());
    };
    let start = before.counter.unwrap_or(0);
    let mut updates = 0;
    for round in 1..=CONCURRENT_ROUNDS {
        let answers = walker.burst(CONCURRENT_REQUESTS).await;
        let ok: Vec<&Answer> = answers.iter().filter(|a| answered(a)).collect();
        updates += ok.len();
        let mut counters: Vec<i64> = ok.iter().filter_map(|a| a.counter).collect();
        counters.sort_unstable();
        let same_session = ok.iter().all(|a| a.session_id == before.id);
        log.step(
            format!("round {round}: send {CONCURRENT_REQUESTS} requests of the session at once"),
            same_session,
            format!(
                "{} of {CONCURRENT_REQUESTS} answered, counters {}{}",
                ok.len(),
                counters.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
                if same_session { String::new() } else { "; some carried another session id".into() }
            ),
        );
    }
    let last = walker.walk(1).await;
    let Some(end) = last.first().filter(|a| answered(a)).and_then(|a| a.counter) else {
        log.step("read the counter", false, describe(&last));
        return (DrillVerdict::Failed, "the drill could not read the counter after the rounds".into());
    };
    // The last request bumps the counter too.
    let expected = start + updates as i64 + 1;
    let lost = (expected - end).max(0);
    log.step("read the counter", true, format!("{end}, expected {expected} ({start} + {updates} answered updates + this request)"));
    let mode = target.locking_mode.as_deref().unwrap_or("none");
    let total = CONCURRENT_ROUNDS * CONCURRENT_REQUESTS;
    if !log.all_ok() {
        return (DrillVerdict::Failed, "requests of one session did not all keep their session".into());
    }
    match (lost, mode) {
        (0, _) => (DrillVerdict::Passed, format!("no update lost in {CONCURRENT_ROUNDS} rounds of {CONCURRENT_REQUESTS} parallel requests (lockingMode {mode})")),
        (n, "none") => (
            DrillVerdict::Finding,
            format!(
                "FINDING: {n} of {total} updates were lost with lockingMode none: parallel requests of one session each load it, \
                 change it and write it back, and the last write wins; --locking-mode all (or auto) makes them wait for each other"
            ),
        ),
        (n, _) => (DrillVerdict::Finding, format!("FINDING: {n} of {total} updates were lost although lockingMode is {mode}: {}", why_locked_lost(engine, target, since).await)),
    }
}

/// msm's log line when a request waited `operationTimeout` for a session's lock and went on
/// without it (msm's spelling).
const LOCK_TIMEOUT: &str = "when trying to aquire lock for session";

/// Why updates are lost although msm locks: msm 2.3.2 takes the lock in the store, but
/// requests on one Tomcat can share its in-memory session without it (msm issue #237, seen
/// on an idle machine), and a request that waits longer than `operationTimeout` for the lock
/// goes on without it, saying so in the log. Counts those log lines since `since`.
async fn why_locked_lost(engine: &Engine, target: &Target, since: i64) -> String {
    let mut timeouts = 0;
    for t in &target.tomcats {
        if let Ok(text) = engine.logs_since_of(t, since).await {
            timeouts += text.lines().filter(|l| l.contains(LOCK_TIMEOUT)).count();
        }
    }
    let logged = match timeouts {
        0 => "no request gave up waiting for the lock (msm logs that), so requests on one Tomcat shared its copy of the session without the lock".to_string(),
        n => format!("msm gave up waiting for the lock {n} times (\"Reached timeout when trying to aquire lock … Will use this session without this lock\": the wait is operationTimeout, 1000 ms by default; --operation-timeout raises it)"),
    };
    format!(
        "msm locks a session in the store, but two requests on one Tomcat can share its in-memory copy without the lock (msm issue #237), \
         and a request that waits longer than operationTimeout for the lock goes on without it; here {logged}"
    )
}

/// The same rounds on a page of the user's, which has no counter: the session probe reports
/// what each request found and left, and `overwrites` counts the changes another request's
/// write undid (a lower bound).
async fn concurrent_on_page(engine: &Engine, target: &Target, page: &Page, log: &mut Log) -> Result<(DrillVerdict, String), VerifyError> {
    if !target.probed {
        log.step("count lost updates", false, "a page of yours shows its session only through msmlab's session probe, which official images lack");
        return Ok((DrillVerdict::Failed, "the concurrency drill on --path needs msmlab's own images (leave out --images official), or the test page".into()));
    }
    let since = unix_now();
    let mut walker = Walker::new(target, page);
    if open(&mut walker, log).await.is_none() {
        return Ok((DrillVerdict::Failed, "the drill could not open a session on the healthy lab".into()));
    }
    let mut rounds: Vec<Vec<usize>> = Vec::new();
    for round in 1..=CONCURRENT_ROUNDS {
        let answers = walker.burst(CONCURRENT_REQUESTS).await;
        let ok = answers.iter().filter(|a| answered(a)).count();
        log.step(format!("round {round}: send {CONCURRENT_REQUESTS} requests of the session at once"), ok > 0, format!("{ok} of {CONCURRENT_REQUESTS} answered"));
        rounds.push(answers.iter().filter(|a| answered(a)).map(|a| a.n).collect());
    }
    let sightings = probe::read(engine, &target.tomcats, &walker.tokens, since, walker.sent()).await?;
    let per_round: Vec<Vec<Overwrite>> =
        rounds.iter().map(|ns| overwrites::overwrites(&ns.iter().filter_map(|n| sightings.get(n)).collect::<Vec<_>>())).collect();
    let reported = rounds.iter().flatten().filter(|n| sightings.contains_key(n)).count();
    let sent: usize = rounds.iter().map(Vec::len).sum();
    let total = overwrites::total(&per_round);
    let said = |o: &Overwrite| format!("`{}` ({}) changed by {}, at least {} undone", o.attribute, o.class.as_deref().unwrap_or("null"), o.changed_by, o.lost);
    log.step(
        "read what each request found and left (session probe)",
        reported == sent,
        if total.is_empty() { format!("{reported} of {sent} requests reported; none changed an attribute") } else { format!("{reported} of {sent} requests reported; {}", total.iter().map(said).collect::<Vec<_>>().join("; ")) },
    );
    if !log.all_ok() {
        return Ok((DrillVerdict::Failed, "not every request of the rounds answered and was reported".into()));
    }
    if total.is_empty() {
        return Ok((DrillVerdict::Failed, format!("{} changed no session attribute, so there was no update to lose: give a --path that changes the session", page_path(page))));
    }
    let lost: usize = total.iter().map(|o| o.lost).sum();
    let changes: usize = total.iter().map(|o| o.changed_by).sum();
    let mode = target.locking_mode.as_deref().unwrap_or("none");
    let lost_in: Vec<String> = total.iter().filter(|o| o.lost > 0).map(|o| format!("`{}` {} of {}", o.attribute, o.lost, o.changed_by)).collect();
    Ok(match (lost, mode) {
        (0, _) => {
            let names: Vec<String> = total.iter().map(|o| format!("`{}`", o.attribute)).collect();
            // A lower bound: with lockingMode none, 0 says only that no loss was seen.
            (DrillVerdict::Passed, format!("no lost change seen in {CONCURRENT_ROUNDS} rounds of {CONCURRENT_REQUESTS} parallel requests: {changes} changes to {} (lockingMode {mode}; the count is a lower bound)", names.join(", ")))
        }
        (n, "none") => (
            DrillVerdict::Finding,
            format!(
                "FINDING: at least {n} of {changes} changes were lost with lockingMode none ({}): parallel requests of one session each load it, \
                 change it and write it back, and the last write wins; --locking-mode all (or auto) makes them wait for each other",
                lost_in.join(", ")
            ),
        ),
        (n, _) => (
            DrillVerdict::Finding,
            format!("FINDING: at least {n} of {changes} changes were lost although lockingMode is {mode} ({}): {}", lost_in.join(", "), why_locked_lost(engine, target, since).await),
        ),
    })
}

fn page_path(page: &Page) -> String {
    match page {
        Page::User(p) => p.to_string(),
        Page::Test => "the test page".into(),
    }
}

/// The session's state as the last answers show it.
pub(super) struct Seen {
    pub(super) id: Option<String>,
    pub(super) counter: Option<i64>,
    pub(super) backend: Option<String>,
}

fn last(answers: &[Answer]) -> Seen {
    let a = answers.last();
    Seen {
        id: a.and_then(|a| a.session_id.clone()),
        counter: a.and_then(|a| a.counter),
        backend: a.and_then(|a| a.backend.clone()),
    }
}

/// "3 requests: session X, counter 1 → 3, answered by A (2), B (1)".
pub(super) fn describe(answers: &[Answer]) -> String {
    let ok = answers.iter().filter(|a| answered(a)).count();
    let ids = session_ids(answers);
    let by = backends(answers).iter().map(|(b, n)| format!("{b} ({n})")).collect::<Vec<_>>().join(", ");
    let counters: Vec<String> = answers.iter().map(|a| a.counter.map_or("-".into(), |c| c.to_string())).collect();
    let slowest = answers.iter().map(|a| a.millis).max().unwrap_or(0);
    let mut out = format!("{ok} of {} answered", answers.len());
    if !by.is_empty() {
        out += &format!(" by {by}");
    }
    match ids.as_slice() {
        [] => out += "; no session",
        [id] => out += &format!("; session {id}"),
        many => out += &format!("; {} session ids: {}", many.len(), many.join(" → ")),
    }
    if answers.iter().any(|a| a.counter.is_some()) {
        out += &format!("; counter {}", counters.join(", "));
    }
    if let Some(bad) = answers.iter().find(|a| !answered(a)) {
        out += &format!("; request {} {}", bad.n, bad.error.clone().unwrap_or_else(|| format!("answered {}", bad.status.unwrap_or(0))));
    }
    out += &format!("; slowest {:.1} s", slowest as f64 / 1000.0);
    out
}

/// Opens the drill's session: every request answered, one session.
pub(super) async fn open(walker: &mut Walker, log: &mut Log) -> Option<Seen> {
    let answers = walker.walk(OPEN_REQUESTS).await;
    let ok = answers.iter().all(answered) && session_ids(&answers).len() == 1;
    log.step(format!("open a session ({OPEN_REQUESTS} requests)"), ok, describe(&answers));
    ok.then(|| last(&answers))
}

/// Whether the answers after a failure kept the session: all answered, the same session
/// (its base id: msm may move it to another node or route), and the counter went on.
pub(super) fn kept(before: &Seen, answers: &[Answer]) -> Result<(), String> {
    if let Some(a) = answers.iter().find(|a| !answered(a)) {
        return Err(format!("request {} failed", a.n));
    }
    let base = before.id.as_deref().map(|id| SessionId::parse(id).base);
    if let Some(a) = answers.iter().find(|a| a.session_id.as_deref().map(|id| SessionId::parse(id).base) != base) {
        return Err(format!("request {} carried another session ({}): the session was lost", a.n, a.session_id.as_deref().unwrap_or("none")));
    }
    if let Some(start) = before.counter {
        for (i, a) in answers.iter().enumerate() {
            let want = start + 1 + i as i64;
            if a.counter != Some(want) {
                return Err(format!("request {} showed counter {}, expected {want}: the session's state was lost", a.n, a.counter.map_or("-".into(), |c| c.to_string())));
            }
        }
    }
    Ok(())
}

/// What the drill could see of the session's state: the test page's counter; a page of the
/// user's shows only that the session (its id) was kept.
pub(super) fn kept_state(page: &Page) -> &'static str {
    if page.is_test() {
        ", its visit counter intact"
    } else {
        "; the session id is the evidence (this page shows no state to compare)"
    }
}

/// The answers' session, compared with the one before: "ABC-n1.tomcat1 → ABC-n1.tomcat2".
pub(super) fn id_change(before: &Seen, answers: &[Answer]) -> String {
    let after = last(answers).id;
    match (before.id.as_deref(), after.as_deref()) {
        (Some(b), Some(a)) if a != b => format!("session id {b} → {a}"),
        (Some(b), Some(_)) => format!("session id {b} unchanged"),
        _ => String::new(),
    }
}

/// Brings Tomcats back: starts them (or, with `restarted_since`, waits for the ones restarted
/// since then), waits until they serve the test page, reloads nginx and waits until it reaches
/// every Tomcat again.
async fn bring_back_tomcats(engine: &Engine, target: &Target, names: &[String], restarted_since: Option<i64>, log: &mut Log) -> bool {
    let start = restarted_since.is_none();
    let since = restarted_since.unwrap_or_else(unix_now);
    let started = Instant::now();
    let action = if start { format!("start {} again", names.join(", ")) } else { format!("wait for {}", names.join(", ")) };
    if start {
        for n in names {
            if let Err(e) = engine.start(n).await {
                return log.step(action, false, e.to_string());
            }
        }
    }
    let waits = futures_util::future::join_all(names.iter().map(|n| ready::tomcat_since(engine, n, since, TOMCAT_TIMEOUT))).await;
    if let Some(Err(e)) = waits.into_iter().find(Result::is_err) {
        return log.step(action, false, e.to_string());
    }
    log.step(action, true, format!("serving the test page again after {:.1} s", started.elapsed().as_secs_f64()));
    reach_all(engine, target, log).await
}

/// nginx reaches every Tomcat again. nginx is reloaded first: it resolves the Tomcats' names
/// again (a Tomcat may come back on a new address), and it forgets that it saw a Tomcat fail
/// (for `fail_timeout`, 10 s, it would keep a session's owner aside, and in sticky mode
/// another Tomcat would take the session over).
async fn reach_all(engine: &Engine, target: &Target, log: &mut Log) -> bool {
    let started = Instant::now();
    let action = "reload nginx and check that it reaches every Tomcat";
    if let Err(e) = reload_nginx(engine, &target.nginx).await {
        return log.step(action, false, e);
    }
    let names: Vec<String> = target.tomcats.iter().map(|t| t.name.clone()).collect();
    match ready::nginx(engine, &target.nginx, &page_url_at(&target.host, target.port), &names, NGINX_TIMEOUT).await {
        Ok(_) => log.step(action, true, format!("all {} Tomcats answered through nginx after {:.1} s", names.len(), started.elapsed().as_secs_f64())),
        Err(e) => log.step(action, false, e.to_string()),
    }
}

/// Reloads nginx and waits until it runs a new worker, so that no request after this meets
/// the old worker's view of the Tomcats.
async fn reload_nginx(engine: &Engine, nginx: &str) -> Result<(), String> {
    // nginx's processes other than the master, by pid (read from /proc: the image has no ps).
    const WORKERS: &str = r#"m=$(cat /tmp/nginx.pid); for p in /proc/[0-9]*; do n=${p#/proc/}; [ "$n" != "$m" ] && [ "$(cat $p/comm 2>/dev/null)" = nginx ] && echo $n; done; true"#;
    let workers = |out: crate::engine::ExecOutput| -> BTreeSet<String> { String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect() };
    let before = workers(engine.exec(nginx, &["bash", "-c", WORKERS]).await.map_err(|e| e.to_string())?);
    let out = engine.exec(nginx, &["nginx", "-s", "reload"]).await.map_err(|e| e.to_string())?;
    if out.exit_code != 0 {
        return Err(format!("`nginx -s reload` in {nginx} exited with {}", out.exit_code));
    }
    let started = Instant::now();
    while started.elapsed() < NGINX_RELOAD {
        let now = workers(engine.exec(nginx, &["bash", "-c", WORKERS]).await.map_err(|e| e.to_string())?);
        // A new worker means the master re-read its configuration and told the old one to
        // stop accepting connections (the walker opens a new connection for every request).
        if now.difference(&before).next().is_some() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("nginx in {nginx} started no new worker within {} s of `nginx -s reload`: {}", NGINX_RELOAD.as_secs(), engine.logs_tail(nginx, 10).await))
}

/// Every Tomcat stores a new session again. Each is asked directly (from inside its container,
/// as nginx would route only to some of them in sticky mode): msm marks a node it saw fail as
/// unavailable and looks again only when a request needs it, so a Tomcat that had no traffic
/// during the outage can still be handing out sessions that are never stored.
async fn every_tomcat_stores(engine: &Engine, target: &Target) -> Result<String, String> {
    let target = walk::target(engine, &target.lab).await.map_err(|e| e.to_string())?;
    let script = format!(
        "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET {} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && timeout 5 cat <&3",
        crate::plan::TEST_PAGE_PATH
    );
    let mut stored = Vec::new();
    for t in &target.tomcats {
        let out = engine.exec(&t.name, &["bash", "-c", &script]).await.map_err(|e| e.to_string())?;
        let reply = String::from_utf8_lossy(&out.stdout);
        let id = reply
            .lines()
            .find_map(|l| l.strip_prefix("Set-Cookie: JSESSIONID="))
            .and_then(|v| v.split(';').next())
            .ok_or_else(|| format!("{} gave no session: {:?}", t.name, reply.lines().next().unwrap_or("")))?;
        match store_has(engine, &target, id, crate::plan::TEST_PAGE_PATH).await {
            Ok(Ok((node, _))) => stored.push(format!("{} → {node}", t.name)),
            Ok(Err(why)) => return Err(format!("{}: {why}", t.name)),
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(format!("a new session from each Tomcat is in the store ({})", stored.join(", ")))
}

/// `tomcat`: stop the Tomcat that served the last request; the next requests reach another
/// Tomcat with the same session and the counter intact; then start it again.
async fn tomcat(engine: &Engine, target: &Target, page: &Page, log: &mut Log) -> (DrillVerdict, String) {
    let mut walker = Walker::new(target, page);
    let Some(before) = open(&mut walker, log).await else {
        return (DrillVerdict::Failed, "the drill could not open a session on the healthy lab".into());
    };
    let Some(victim) = before.backend.clone().filter(|b| target.tomcats.iter().any(|t| &t.name == b)) else {
        log.step("find the Tomcat that served the last request", false, "no answer named a Tomcat of this lab");
        return (DrillVerdict::Failed, "the drill could not tell which Tomcat served the session".into());
    };
    let t = Instant::now();
    let stopped = match engine.stop(&victim, STOP_GRACE).await {
        Ok(()) => log.step(format!("stop {victim}, which served the last request"), true, format!("stopped in {:.1} s", t.elapsed().as_secs_f64())),
        Err(e) => log.step(format!("stop {victim}"), false, e.to_string()),
    };
    if !stopped {
        return (DrillVerdict::Failed, format!("the drill could not stop {victim}; nothing was changed"));
    }
    let summary = {
        let answers = walker.walk(AFTER_REQUESTS).await;
        let on_victim = answers.iter().filter(|a| a.backend.as_deref() == Some(victim.as_str())).count();
        let verdict = kept(&before, &answers).and_then(|()| {
            if on_victim > 0 {
                Err(format!("{on_victim} requests were answered by the stopped {victim}"))
            } else {
                Ok(())
            }
        });
        let change = id_change(&before, &answers);
        let ok = log.step(
            format!("send {AFTER_REQUESTS} requests with {victim} down"),
            verdict.is_ok(),
            format!("{}{}{}", describe(&answers), if change.is_empty() { String::new() } else { format!("; {change}") }, verdict.as_ref().err().map_or(String::new(), |e| format!(": {e}"))),
        );
        if ok {
            let to = backends(&answers).keys().cloned().collect::<Vec<_>>().join(", ");
            format!("with {victim} stopped, {to} carried on with the same session{}", kept_state(page))
        } else {
            format!("with {victim} stopped, the session did not survive: {}", verdict.err().unwrap_or_default())
        }
    };
    // Restore, whatever happened.
    let restored = bring_back_tomcats(engine, target, std::slice::from_ref(&victim), None, log).await;
    if restored {
        after_restore(engine, target, &mut walker, &before, log).await;
    }
    finish(log, summary, restored)
}

/// Two requests after a restore: the session goes on where the failover left it (the
/// `AFTER_REQUESTS` sent while a part was away counted up).
pub(super) async fn after_restore(engine: &Engine, target: &Target, walker: &mut Walker, before: &Seen, log: &mut Log) {
    walker.learn(&walk::target(engine, &target.lab).await.map(|t| t.tomcats).unwrap_or_default());
    let answers = walker.walk(2).await;
    let expected = Seen { id: before.id.clone(), counter: before.counter.map(|c| c + AFTER_REQUESTS as i64), backend: None };
    let verdict = kept(&expected, &answers);
    log.step("send 2 requests after the restore", verdict.is_ok(), format!("{}{}", describe(&answers), verdict.err().map_or(String::new(), |e| format!(": {e}"))));
}

/// `restart`: restart every Tomcat at once; the session survives.
async fn restart(engine: &Engine, target: &Target, page: &Page, log: &mut Log) -> (DrillVerdict, String) {
    let mut walker = Walker::new(target, page);
    let Some(before) = open(&mut walker, log).await else {
        return (DrillVerdict::Failed, "the drill could not open a session on the healthy lab".into());
    };
    let names: Vec<String> = target.tomcats.iter().map(|t| t.name.clone()).collect();
    let since = unix_now();
    let t = Instant::now();
    let restarts = futures_util::future::join_all(names.iter().map(|n| engine.restart(n, STOP_GRACE))).await;
    let restarted = match restarts.into_iter().find_map(Result::err) {
        None => log.step(format!("restart all {} Tomcats at once", names.len()), true, format!("the engine restarted them in {:.1} s", t.elapsed().as_secs_f64())),
        Some(e) => log.step(format!("restart all {} Tomcats at once", names.len()), false, e.to_string()),
    };
    // The Tomcats were restarted, not stopped: wait for them (their startup lines since `since`).
    let back = {
        let waits = futures_util::future::join_all(names.iter().map(|n| ready::tomcat_since(engine, n, since, TOMCAT_TIMEOUT))).await;
        match waits.into_iter().find_map(Result::err) {
            None => log.step("wait until every Tomcat serves the test page", true, format!("all {} back after {:.1} s", names.len(), t.elapsed().as_secs_f64())),
            Some(e) => log.step("wait until every Tomcat serves the test page", false, e.to_string()),
        }
    };
    let reached = back && reach_all(engine, target, log).await;
    let mut summary = "the Tomcats did not come back".to_string();
    if restarted && reached {
        walker.learn(&walk::target(engine, &target.lab).await.map(|t| t.tomcats).unwrap_or_default());
        let answers = walker.walk(AFTER_REQUESTS).await;
        let verdict = kept(&before, &answers);
        let ok = log.step(
            format!("send {AFTER_REQUESTS} requests after the restart"),
            verdict.is_ok(),
            format!("{}{}", describe(&answers), verdict.as_ref().err().map_or(String::new(), |e| format!(": {e}"))),
        );
        summary = if ok {
            format!("after all {} Tomcats restarted at once, the session came back from the store{}", names.len(), kept_state(page))
        } else {
            format!("after all Tomcats restarted, the session did not survive: {}", verdict.err().unwrap_or_default())
        };
    }
    finish(log, summary, reached)
}

/// `store`: stop the cache node that holds the session. With two or more nodes msm moves the
/// session to another node (the id's node suffix changes) and the counter is intact. With one
/// node there is nowhere to go: the drill reports what a user loses.
async fn store_drill(engine: &Engine, target: &Target, page: &Page, log: &mut Log) -> (DrillVerdict, String) {
    let mut walker = Walker::new(target, page);
    let Some(before) = open(&mut walker, log).await else {
        return (DrillVerdict::Failed, "the drill could not open a session on the healthy lab".into());
    };
    let id = before.id.clone().unwrap_or_default();
    let Some((name, role)) = target.store_for(&id).map(|m| (m.name.clone(), m.role.unwrap_or(Role::Memcached))) else {
        log.step("find the cache node that holds the session", false, "the lab has no session store container");
        return (DrillVerdict::Failed, "the lab has no cache node".into());
    };
    let node = StoppedNode { name, role, nodes: target.stores.len(), since: unix_now() };
    let t = Instant::now();
    let stopped = match engine.stop(&node.name, STOP_GRACE).await {
        Ok(()) => log.step(
            format!("stop {}, the cache node that holds session {id}", node.name),
            true,
            format!("stopped in {:.1} s; {} of {} cache nodes left", t.elapsed().as_secs_f64(), node.nodes - 1, node.nodes),
        ),
        Err(e) => log.step(format!("stop {}", node.name), false, e.to_string()),
    };
    if !stopped {
        return (DrillVerdict::Failed, format!("the drill could not stop {}; nothing was changed", node.name));
    }
    let while_down = while_store_down(engine, target, page, &mut walker, &before, &node, log).await;
    // Restore: the node first, then make sure msm stores sessions again.
    let restored = restore_store(engine, target, node.role, &node.name, log).await;
    match while_down {
        WhileDown::Finding(summary) | WhileDown::Judged(summary) if !restored => (DrillVerdict::Failed, format!("{summary}; the lab was not restored")),
        WhileDown::Finding(summary) => (DrillVerdict::Finding, summary),
        WhileDown::Judged(summary) => finish(log, summary, true),
    }
}

/// The cache node a store drill stopped.
struct StoppedNode {
    name: String,
    role: Role,
    /// Cache nodes in the lab, this one included.
    nodes: usize,
    /// When the drill stopped it (Unix seconds), for the Tomcats' logs.
    since: i64,
}

/// What the requests sent while a cache node was down showed.
enum WhileDown {
    /// With a single node, what happens is a property of the setup, not a fault.
    Finding(String),
    /// Judged by the steps logged: passed if every one was ok.
    Judged(String),
}

/// Sends requests with the cache node down: with two or more nodes msm must move the session
/// and keep its state; with one, the drill reports what a user loses.
async fn while_store_down(engine: &Engine, target: &Target, page: &Page, walker: &mut Walker, before: &Seen, node: &StoppedNode, log: &mut Log) -> WhileDown {
    tokio::time::sleep(STORE_SETTLE).await;
    log.step(
        format!("wait {} s", STORE_SETTLE.as_secs()),
        true,
        "msm's store client notices a dead node on its next operation; a request sent at the very moment of the failure can lose the session (msm's own behaviour)",
    );
    let answers = walker.walk(AFTER_REQUESTS).await;
    let verdict = kept(before, &answers);
    let change = id_change(before, &answers);
    let relocation = relocated_in_logs(engine, target, node.since).await;
    let saw = format!(
        "{}{}{}{}",
        describe(&answers),
        if change.is_empty() { String::new() } else { format!("; {change}") },
        verdict.as_ref().err().map_or(String::new(), |e| format!(": {e}")),
        relocation.map_or(String::new(), |l| format!("; Tomcat log: {l}")),
    );
    if node.nodes == 1 {
        // msm talks to one Redis node only; memcached nodes can be several.
        let remedy = if node.role == Role::Redis {
            "msm uses a single Redis node; memcached with --store-nodes 2 lets msm move sessions"
        } else {
            "run two or more nodes (--store-nodes 2) so msm can move sessions"
        };
        let served = answers.iter().filter(|a| answered(a)).count();
        log.step(format!("send {AFTER_REQUESTS} requests with the only cache node down"), true, saw);
        return WhileDown::Finding(match verdict {
            Err(lost) => format!(
                "FINDING: with one cache node, a store outage loses the session: {lost} ({served} of {AFTER_REQUESTS} requests answered); {remedy}"
            ),
            Ok(()) => format!(
                "FINDING: with its only cache node down, the session survived ({served} of {AFTER_REQUESTS} requests answered) \
                 only in Tomcat's memory: a Tomcat failure now would lose it; {remedy}"
            ),
        });
    }
    let id = before.id.as_deref().unwrap_or_default();
    let moved = last(&answers).id.as_deref().map(|a| SessionId::parse(a).node) != Some(SessionId::parse(id).node);
    let why = match (&verdict, moved) {
        (Err(e), _) => e.clone(),
        (Ok(()), false) => "the session id still names the stopped node".into(),
        (Ok(()), true) => String::new(),
    };
    let ok = verdict.is_ok() && moved;
    let name = &node.name;
    log.step(format!("send {AFTER_REQUESTS} requests with {name} down"), ok, if ok { saw } else { format!("{saw}: {why}") });
    WhileDown::Judged(if ok {
        format!("msm moved the session off the stopped {name} ({change}){}", kept_state(page))
    } else {
        format!("with {name} stopped, msm did not keep the session: {why}")
    })
}

/// The first "relocated" line msm logged since `since`, as evidence that it moved a session.
async fn relocated_in_logs(engine: &Engine, target: &Target, since: i64) -> Option<String> {
    for t in &target.tomcats {
        if let Ok(text) = engine.logs_since_of(t, since).await {
            if let Some(line) = text.lines().find(|l| l.contains("relocated")) {
                let line = line.trim();
                let at = line.find("de.javakaffee").unwrap_or(0);
                return Some(format!("{} ({})", &line[at..], t.name));
            }
        }
    }
    None
}

async fn restore_store(engine: &Engine, target: &Target, role: Role, node: &str, log: &mut Log) -> bool {
    let t = Instant::now();
    if let Err(e) = engine.start(node).await {
        return log.step(format!("start {node} again"), false, e.to_string());
    }
    match ready::store(engine, role, node, Duration::from_secs(30)).await {
        Ok(v) => log.step(format!("start {node} again"), true, format!("answers `version` ({}) after {:.1} s", v.to_lowercase(), t.elapsed().as_secs_f64())),
        Err(e) => return log.step(format!("start {node} again"), false, e.to_string()),
    };
    // msm's client reconnects by itself, with a back-off: wait until new sessions are stored.
    let t = Instant::now();
    let mut last = String::new();
    while t.elapsed() < STORE_RECONNECT {
        match every_tomcat_stores(engine, target).await {
            Ok(saw) => {
                return log.step("check that msm stores sessions again", true, format!("{saw}, {:.1} s after the node came back", t.elapsed().as_secs_f64()));
            }
            Err(why) => last = why,
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    log.step("check that msm stores sessions again", false, format!("not within {} s: {last}", STORE_RECONNECT.as_secs()));
    // The Tomcats' store client gave up on the node: restart them, as an operator would.
    let names: Vec<String> = target.tomcats.iter().map(|t| t.name.clone()).collect();
    let since = unix_now();
    for n in &names {
        if let Err(e) = engine.restart(n, STOP_GRACE).await {
            return log.step(format!("restart {n}"), false, e.to_string());
        }
    }
    if !bring_back_tomcats(engine, target, &names, Some(since), log).await {
        return false;
    }
    match every_tomcat_stores(engine, target).await {
        Ok(saw) => log.step("check that msm stores sessions again", true, saw),
        Err(why) => log.step("check that msm stores sessions again", false, why),
    }
}

pub(super) fn finish(log: &Log, summary: String, restored: bool) -> (DrillVerdict, String) {
    if log.all_ok() && restored {
        (DrillVerdict::Passed, summary)
    } else if !restored {
        (DrillVerdict::Failed, format!("{summary}; the lab was not restored"))
    } else {
        (DrillVerdict::Failed, summary)
    }
}

/// Puts a lab back after an interrupted drill: starts every stopped store node, then every
/// stopped Tomcat (msm needs its store when Tomcat starts), waits for them, reloads nginx.
/// Says what it did.
pub async fn restore_all(engine: &Engine, lab: &str) -> String {
    let target = match walk::target(engine, lab).await {
        Ok(t) => t,
        Err(e) => return format!("could not restore the lab ({e}); `msmlab down --name {lab}` and `up` again"),
    };
    let mut started = Vec::new();
    for s in target.stores.iter().filter(|c| !c.state.is_running()) {
        let role = s.role.unwrap_or(Role::Memcached);
        let ok = engine.start(&s.name).await.is_ok() && ready::store(engine, role, &s.name, Duration::from_secs(30)).await.is_ok();
        if !ok {
            return format!("could not start {} again; `msmlab down --name {lab}` and `up` again", s.name);
        }
        started.push(s.name.clone());
    }
    let since = unix_now();
    let tomcats: Vec<&str> = target.tomcats.iter().filter(|c| !c.state.is_running()).map(|c| c.name.as_str()).collect();
    for t in &tomcats {
        let ok = engine.start(t).await.is_ok() && ready::tomcat_since(engine, t, since, TOMCAT_TIMEOUT).await.is_ok();
        if !ok {
            return format!("could not start {t} again; `msmlab down --name {lab}` and `up` again");
        }
        started.push(t.to_string());
    }
    if let Err(e) = reload_nginx(engine, &target.nginx).await {
        return format!("could not reload nginx ({e})");
    }
    if started.is_empty() {
        "the lab was complete; nginx was reloaded".into()
    } else {
        format!("msmlab started {} again and reloaded nginx", started.join(", "))
    }
}

impl Classified for DrillError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::Interrupted
    }
}
