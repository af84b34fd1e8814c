//! `msmlab compat`: which serializers carry the user's own application's sessions, and what
//! each one loses.
//!
//! For each serializer, a lab of its own (`<name>-<serializer>`) with the user's webapp; the
//! flow's `once` steps, then its other steps (or the `--path`s) in rounds through nginx with one
//! cookie jar, until every Tomcat served each of them twice. Then the session probe's reports
//! (`verify::probe`) say which attributes existed after each request and which arrived at the
//! next Tomcat (`verify::state`); msm's log records say why (`blame`); the store says how
//! many bytes the session takes. The lab is removed afterwards, whatever happened.

pub mod blame;
pub mod coverage;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::{Engine, EngineError};
use crate::exit::{Classified, ExitStatus};
use crate::jars::lock::Lock;
use crate::jars::maven::Fetcher;
use crate::lab::{self, LabError};
use crate::plan::{Plan, PlanError};
use crate::labspec::support::{self, Unsupported};
use crate::labspec::webapp::Webapp;
use crate::labspec::{LabSpec, MsmChoice, Serializer, SpecError};
use crate::ui::progress::Progress;
use crate::verify::flow::{FlowError, FlowStep, Schedule};
use crate::verify::judge::answered;
use crate::verify::rotation;
use crate::verify::store_check::store_has;
use crate::verify::walk::{target, unix_now, Page, Walker};
use crate::verify::{check_logs, compare, probe, Answer, StateReport, VerifyError};
use blame::{Lost, SerializationError};
use coverage::Coverage;

#[derive(Debug, thiserror::Error)]
pub enum CompatError {
    #[error("--serializers {0:?}: name serializers separated by commas (java, kryo, xstream), or all")]
    Serializers(String),
    #[error("--name {0:?} is too long for compat: the labs are named <name>-<serializer>, which must be a lab name too")]
    Name(String),
    #[error("compat needs your application: --webapp PATH (a WAR or an exploded directory) or --webapp maven:GROUP:ARTIFACT:VERSION@sha256:HEX")]
    NoWebapp,
    #[error("interrupted by {0}; msmlab removed compat's lab")]
    Interrupted(&'static str),
    #[error(transparent)]
    Flow(#[from] FlowError),
    #[error(transparent)]
    Spec(SpecError),
    #[error(transparent)]
    Unsupported(#[from] Unsupported),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Lab(#[from] LabError),
    #[error(transparent)]
    Verify(#[from] VerifyError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl Classified for CompatError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            CompatError::Serializers(_) | CompatError::Name(_) | CompatError::NoWebapp => ExitStatus::BadInput,
            CompatError::Interrupted(_) => ExitStatus::Interrupted,
            CompatError::Flow(_) | CompatError::Spec(_) => ExitStatus::BadInput,
            CompatError::Unsupported(e) => e.exit_status(),
            CompatError::Plan(e) => e.exit_status(),
            CompatError::Lab(e) => e.exit_status(),
            CompatError::Verify(e) => e.exit_status(),
            CompatError::Engine(e) => e.exit_status(),
        }
    }
}

/// Everything a compat run needs; `lab` is the template of every serializer's lab.
#[derive(Debug, Clone)]
pub struct CompatSpec {
    pub lab: LabSpec,
    pub serializers: Vec<Serializer>,
    pub steps: Vec<FlowStep>,
    /// `--xstream-allow`, for the xstream lab only.
    pub xstream_allow: Vec<String>,
}

impl CompatSpec {
    /// Checks what the types do not, before any I/O.
    pub fn validate(self) -> Result<CompatSpec, CompatError> {
        if self.lab.shape.webapp.is_none() {
            return Err(CompatError::NoWebapp);
        }
        if !self.steps.iter().any(|s| !s.once) {
            return Err(FlowError::Nothing.into());
        }
        for s in &self.serializers {
            support::check_combination(&self.lab.msm.tomcat, *s)?;
            self.lab_for(*s)?;
        }
        Ok(self)
    }

    /// The lab of one serializer: the template, renamed, with the allow-list for xstream.
    pub fn lab_for(&self, s: Serializer) -> Result<LabSpec, CompatError> {
        let lab = self.lab.per_serializer(s).ok_or_else(|| CompatError::Name(self.lab.shape.name.to_string()))?;
        let xstream_allow = if s == Serializer::Xstream { self.xstream_allow.clone() } else { Vec::new() };
        LabSpec::new(MsmChoice { xstream_allow, ..lab.msm }, lab.shape).map_err(CompatError::Spec)
    }
}

/// `--serializers`: `all` or a comma-separated list.
pub fn serializers(list: &str, lab: &LabSpec) -> Result<Vec<Serializer>, CompatError> {
    support::serializer_list(list, &lab.msm.tomcat).ok_or_else(|| CompatError::Serializers(list.to_string()))
}

/// What one serializer did with the application's sessions.
#[derive(Debug, Clone, Serialize)]
pub struct SerializerResult {
    pub serializer: Serializer,
    /// Every attribute arrived, no serialization error, one session id (or ids the
    /// application rotated, the state following), every answer 2xx/3xx, the session held
    /// something to carry, and at least one hand-over went from one Tomcat to another.
    pub ok: bool,
    pub lost_attributes: Vec<String>,
    /// Each lost attribute with its class and why.
    pub lost: Vec<Lost>,
    pub errors: Vec<SerializationError>,
    pub session_id_stable: bool,
    /// The session's size in the store after the last request.
    pub bytes_per_session: Option<u64>,
    /// Every attribute the application kept, with its class.
    pub attributes: BTreeMap<String, Option<String>>,
    pub requests: usize,
    /// Requests that did not answer 2xx or 3xx.
    pub failed_requests: usize,
    pub handovers: usize,
    /// Which Tomcats served each step, the hand-overs across Tomcats, and whether the walk
    /// stopped at its request limit.
    pub coverage: Coverage,
    /// Why `ok` is false when nothing was lost (failed requests, an empty session).
    pub note: Option<String>,
}

/// The whole result of `msmlab compat`.
#[derive(Debug, Clone, Serialize)]
pub struct CompatReport {
    pub webapp: String,
    pub context_path: String,
    pub tomcat: String,
    pub store: String,
    pub tomcats: u8,
    pub steps: Vec<FlowStep>,
    pub results: Vec<SerializerResult>,
    /// The serializers that carried everything, smallest session first.
    pub recommended: Vec<Serializer>,
}

impl CompatReport {
    pub fn any_ok(&self) -> bool {
        !self.recommended.is_empty()
    }
}

/// The serializers that carried everything, smallest session first.
pub fn recommend(results: &[SerializerResult]) -> Vec<Serializer> {
    let mut ok: Vec<&SerializerResult> = results.iter().filter(|r| r.ok).collect();
    ok.sort_by_key(|r| r.bytes_per_session.unwrap_or(u64::MAX));
    ok.into_iter().map(|r| r.serializer).collect()
}

pub async fn run(engine: &Engine, lock: &Lock, fetcher: &Fetcher, progress: &Progress, spec: &CompatSpec, webapp: &Webapp) -> Result<CompatReport, CompatError> {
    let mut results = Vec::new();
    for &s in &spec.serializers {
        let plan = Plan::new(spec.lab_for(s)?, lock)?.with_webapp(Some(webapp.clone()));
        // A fresh lab (a leftover of that name is replaced), removed whatever compat does. The
        // walk finds it on the engine and reaches it by the same rule as `up` (`walk::target`).
        let t = lab::throwaway(engine, &plan, fetcher, progress, |_| examine(engine, &plan, spec, progress)).await?;
        let result = t.outcome.unwrap_or_else(|signal| Err(CompatError::Interrupted(signal)))?;
        t.removed?;
        results.push(result);
    }
    let recommended = recommend(&results);
    Ok(CompatReport {
        webapp: webapp.source.clone(),
        context_path: webapp.context_path.url_path(),
        tomcat: spec.lab.msm.tomcat.to_string(),
        store: spec.lab.msm.store.to_string(),
        tomcats: spec.lab.shape.tomcats,
        steps: spec.steps.clone(),
        results,
        recommended,
    })
}

/// Walks the flow on one serializer's lab and judges what the session carried.
async fn examine(engine: &Engine, plan: &Plan, spec: &CompatSpec, progress: &Progress) -> Result<SerializerResult, CompatError> {
    let lab = plan.spec.shape.name.to_string();
    let target = target(engine, &lab).await?;
    let since = unix_now();
    let repeated: Vec<&FlowStep> = spec.steps.iter().filter(|s| !s.once).collect();
    let step = progress.step(format!("Walk {lab}: {} step{} until each Tomcat served each twice", spec.steps.len(), if spec.steps.len() == 1 { "" } else { "s" }));
    let mut walker = Walker::new(&target, &Page::User(repeated[0].path.clone()));
    let mut schedule = Schedule::coverage(repeated.len(), target.tomcats.len());
    let answers = walker.walk_flow(&spec.steps, &mut schedule).await;
    let first_repeated = answers.iter().position(|a| a.load > spec.steps.len() - repeated.len()).unwrap_or(answers.len());
    step.done(format!("{} requests", answers.len()));

    let step = progress.step(format!("Read what {lab}'s Tomcats saw"));
    let sightings = probe::read(engine, &target.tomcats, &walker.tokens, since, answers.len()).await?;
    let numbers: Vec<usize> = answers.iter().map(|a| a.n).collect();
    let state = compare(&numbers, &sightings);
    let coverage = Coverage::of(answers.len(), target.tomcats.len(), &repeated, &schedule, &numbers, &sightings);
    let (_, findings) = check_logs(engine, &target, since).await?;
    let errors = blame::errors(&findings, &state);
    let lost = blame::lost(&state, &errors, plan.spec.msm.serializer);
    // An id the application changed on purpose (a login), the state following, is one session.
    let changes = rotation::id_changes(&answers[first_repeated..], &sightings);
    let session_id_stable = first_repeated < answers.len() && answers[first_repeated..].iter().all(|a| a.session_id.is_some()) && changes.iter().all(rotation::IdChange::is_rotation);
    let bytes_per_session = match answers.iter().rev().find_map(|a| a.session_id.clone()) {
        Some(id) => store_has(engine, &target, &id, walker.url()).await?.ok().map(|(_, bytes)| bytes),
        None => None,
    };
    let failed: Vec<&Answer> = answers.iter().filter(|a| !(answered(a) || a.status.is_some_and(|s| (300..400).contains(&s)))).collect();
    let first_failure = failed.first().map(|a| {
        let what = a.error.clone().unwrap_or_else(|| format!("answered {}", a.status.map_or("nothing".into(), |s| s.to_string())));
        format!("first: request {}{} {what}", a.n, a.backend.as_ref().map_or(String::new(), |b| format!(" on {b}")))
    });
    let outcome = WalkSummary { session_id_stable, bytes_per_session, requests: answers.len(), failed_requests: failed.len(), first_failure, coverage };
    let result = verdict(plan.spec.msm.serializer, &state, lost, errors, outcome);
    step.done(match (result.ok, result.lost_attributes.is_empty()) {
        (true, _) => "carried everything".to_string(),
        (false, false) => format!("lost {}", summary(&result)),
        (false, true) => format!("not ok: {}", summary(&result)),
    });
    Ok(result)
}

/// `cart, plain` or, when nothing was lost, the note.
pub fn summary(r: &SerializerResult) -> String {
    if !r.lost_attributes.is_empty() {
        r.lost_attributes.join(", ")
    } else {
        r.note.clone().unwrap_or_default()
    }
}

/// What the walk saw besides the session's attributes.
#[derive(Debug, Clone, Default)]
pub struct WalkSummary {
    pub session_id_stable: bool,
    pub bytes_per_session: Option<u64>,
    pub requests: usize,
    pub failed_requests: usize,
    /// `first: request 3 on msmlab-…-tomcat-2 answered 403`.
    pub first_failure: Option<String>,
    pub coverage: Coverage,
}

pub fn verdict(serializer: Serializer, state: &StateReport, lost: Vec<Lost>, errors: Vec<SerializationError>, outcome: WalkSummary) -> SerializerResult {
    let WalkSummary { session_id_stable, bytes_per_session, requests, failed_requests, first_failure, coverage } = outcome;
    let note = if failed_requests > 0 {
        Some(format!("{failed_requests} of {requests} requests failed (not 2xx or 3xx); {}", first_failure.unwrap_or_default()))
    } else if state.attributes.is_empty() {
        Some("the session never held an attribute, so nothing was tested: walk pages that store something (--path, --flow)".into())
    } else if !session_id_stable && lost.is_empty() {
        Some("the session id changed between requests".into())
    } else if !errors.is_empty() && lost.is_empty() {
        Some("msm logged serialization errors".into())
    } else if coverage.across == 0 && lost.is_empty() {
        Some("no hand-over went from one Tomcat to another, so nothing showed that the session is shared".into())
    } else {
        None
    };
    SerializerResult {
        serializer,
        ok: lost.is_empty() && errors.is_empty() && session_id_stable && failed_requests == 0 && !state.attributes.is_empty() && coverage.across > 0,
        lost_attributes: lost.iter().map(|l| l.attribute.clone()).collect(),
        lost,
        errors,
        session_id_stable,
        bytes_per_session,
        attributes: state.attributes.clone(),
        requests,
        failed_requests,
        handovers: state.handovers,
        coverage,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(serializer: Serializer, ok: bool, bytes: Option<u64>) -> SerializerResult {
        let state = StateReport { attributes: BTreeMap::from([("cart".to_string(), Some("state.Cart".to_string()))]), handovers: 3, ..Default::default() };
        let coverage = Coverage { handovers: 3, across: 3, ..Default::default() };
        let mut r = verdict(serializer, &state, Vec::new(), Vec::new(), WalkSummary { session_id_stable: true, bytes_per_session: bytes, requests: 8, coverage, ..Default::default() });
        r.ok = ok;
        r
    }

    #[test]
    fn the_recommendation_lists_what_carried_everything_smallest_first() {
        let results = [result(Serializer::Java, false, Some(100)), result(Serializer::Xstream, true, Some(900)), result(Serializer::Kryo, true, Some(200))];
        assert_eq!(recommend(&results), [Serializer::Kryo, Serializer::Xstream]);
    }

    #[test]
    fn official_images_are_examined_too_now_that_they_carry_the_probe() {
        let mut lab = LabSpec::example();
        lab.shape.webapp = Some(crate::labspec::webapp::WebappSpec { source: "shop.war".parse().unwrap(), context_path: None });
        lab.msm.images = crate::labspec::ImageSource::Official;
        let spec = CompatSpec { lab, serializers: vec![Serializer::Java, Serializer::Kryo], steps: vec![FlowStep::get("/shop/".parse().unwrap())], xstream_allow: Vec::new() };
        assert!(spec.validate().is_ok());
    }

    #[test]
    fn an_empty_session_is_not_a_pass() {
        let r = verdict(Serializer::Kryo, &StateReport::default(), Vec::new(), Vec::new(), WalkSummary { session_id_stable: true, requests: 4, ..Default::default() });
        assert!(!r.ok);
        assert!(r.note.unwrap().starts_with("the session never held an attribute"));
    }

    #[test]
    fn no_ok_without_a_hand_over_between_two_tomcats() {
        let state = StateReport { attributes: BTreeMap::from([("cart".to_string(), Some("state.Cart".to_string()))]), handovers: 3, ..Default::default() };
        let summary = |across| WalkSummary { session_id_stable: true, requests: 4, coverage: Coverage { handovers: 3, across, ..Default::default() }, ..Default::default() };
        let r = verdict(Serializer::Kryo, &state, Vec::new(), Vec::new(), summary(0));
        assert!(!r.ok);
        assert_eq!(r.note.as_deref(), Some("no hand-over went from one Tomcat to another, so nothing showed that the session is shared"));
        assert!(verdict(Serializer::Kryo, &state, Vec::new(), Vec::new(), summary(1)).ok);
    }
}
