//! The verbs: each turns parsed flags into calls on the library and output on stdout.
//! Errors get their context here, at the edge.

//!
//! One file per verb; this one holds what they share: the global flags, the outcome and its
//! exit status, the engine connection and the lock.

pub mod bench;
pub mod completions;
pub mod doctor;
pub mod down;
pub mod init;
pub mod jars;
pub mod lock;
pub mod logs;
pub mod reference;
pub mod render;
pub mod status;
pub mod up;
pub mod verify;

use std::path::Path;

use crate::bench::BenchError;
use crate::bundle::BundleError;
use crate::cli::args::{JarChoice, ShapeArgs};
use crate::cli::config::{self, Applied};
use crate::engine::{Engine, EngineError};
use crate::jars::lock::{Lock, LockError};
use crate::jars::maven::FetchError;
use crate::lab::logs::LogsError;
use crate::lab::LabError;
use crate::plan::PlanError;
use crate::spec::support::Unsupported;
use crate::spec::trust::TrustError;
use crate::spec::webapp::{WebappError, WebappSpec};
use crate::spec::{Jre, LabName, LabSpec, SpecError};
use crate::verify::drill::DrillError;
use crate::verify::VerifyError;
use init::InitError;

/// Flags every verb has, and the config file's values.
#[derive(Debug, Default)]
pub struct Globals {
    pub quiet: bool,
    pub verbose: u8,
    pub applied: Applied,
}

impl Globals {
    /// With `-v`: which config file was read and what it set.
    pub fn explain_config(&self) {
        if self.verbose == 0 {
            return;
        }
        match &self.applied.path {
            Some(path) if self.applied.values.is_empty() => eprintln!("config: {} (nothing in it applies here)", path.display()),
            Some(path) => eprintln!("config: {} sets {}", path.display(), self.applied.values.join(", ")),
            None => eprintln!("config: no {} here, and no --config", config::DEFAULT_FILE),
        }
    }

    /// After a usage error (exit code 2), says which values came from the config file, since
    /// the error names the flag, not the file.
    pub fn blame_config(&self, code: u8) {
        if let (2, Some(path)) = (code, &self.applied.path) {
            if !self.applied.values.is_empty() {
                eprintln!("note: {} set {}", path.display(), self.applied.values.join(", "));
            }
        }
    }
}

/// The exit status of a command that ran to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: done, or every check passed.
    Success,
    /// 1: a check failed.
    Failure,
}

/// 2 for bad input (flags, a repository that does not serve the pinned jars, a name or port
/// that is taken) and an engine that cannot be reached or is too old, 130 for an interrupt,
/// 1 for anything that failed along the way.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if let Some(LabError::Interrupted { .. }) = cause.downcast_ref() {
            return 130;
        }
        if cause.is::<DrillError>() {
            return 130;
        }
        if cause.is::<SpecError>() || cause.is::<VerifyError>() || cause.is::<Unsupported>() || cause.is::<LogsError>() || cause.is::<WebappError>() || cause.is::<TrustError>() {
            return 2;
        }
        // Transparent: the combination msm cannot run hides behind the plan's error.
        if let Some(PlanError::Unsupported(_)) = cause.downcast_ref() {
            return 2;
        }
        if let Some(e) = cause.downcast_ref::<BundleError>() {
            return if matches!(e, BundleError::Write { .. }) { 1 } else { 2 };
        }
        if let Some(f) = cause.downcast_ref::<FetchError>() {
            return if matches!(f, FetchError::Io { .. }) { 1 } else { 2 };
        }
        if let Some(LockError::NoTomcat { .. } | LockError::TomcatVersion { .. } | LockError::NoSerializer(_) | LockError::NoStore(_)) =
            cause.downcast_ref()
        {
            return 2;
        }
        if matches!(engine_error(cause), Some(EngineError::Unreachable { .. } | EngineError::Lost { .. } | EngineError::TooOld { .. })) {
            return 2;
        }
        if let Some(LabError::Different { .. } | LabError::PortTaken { .. } | LabError::NameTaken { .. }) =
            cause.downcast_ref()
        {
            return 2;
        }
        if let Some(e) = cause.downcast_ref::<BenchError>() {
            if let BenchError::Interrupted(_) = e {
                return 130;
            }
            if crate::bench::is_usage_error(e) {
                return 2;
            }
        }
        if cause.is::<InitError>() {
            return 2;
        }
    }
    1
}

/// The engine error a cause is, or wraps transparently (a transparent wrapper hides it from
/// the chain: its `source` is the engine error's own source).
fn engine_error<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a EngineError> {
    if let Some(e) = cause.downcast_ref::<EngineError>() {
        return Some(e);
    }
    if let Some(LabError::Engine(e)) = cause.downcast_ref() {
        return Some(e);
    }
    if let Some(crate::lab::ready::NotReady::Engine(e)) = cause.downcast_ref() {
        return Some(e);
    }
    if let Some(crate::lab::store::ProbeError::Engine(e)) = cause.downcast_ref() {
        return Some(e);
    }
    if let Some(VerifyError::Engine(e)) = cause.downcast_ref() {
        return Some(e);
    }
    None
}

/// The lock a command uses: `--lockfile`, else the one built into msmlab.
pub(super) fn load_lock(path: Option<&Path>) -> anyhow::Result<Lock> {
    match path {
        None => Ok(Lock::bundled()),
        Some(p) => {
            let origin = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|source| LockError::Read { path: origin.clone(), source })?;
            Ok(Lock::parse(&text, &origin)?)
        }
    }
}

/// What `up` and `render` share, as a spec; the lab-only values come separately.
pub(super) struct LabOnly {
    name: LabName,
    jre: Jre,
    store_nodes: u8,
    tomcats: u8,
    port: u16,
    java_opts: String,
    sticky: bool,
    webapp: Option<WebappSpec>,
    listen: std::net::IpAddr,
}

pub(super) fn spec_from(choice: &JarChoice, shape: ShapeArgs, lab: LabOnly) -> Result<LabSpec, SpecError> {
    LabSpec {
        name: lab.name,
        tomcat: choice.tomcat.clone(),
        serializer: choice.serializer,
        jre: lab.jre,
        store: choice.store,
        store_nodes: lab.store_nodes,
        session_manager: shape.session_manager,
        tomcats: lab.tomcats,
        port: lab.port,
        base_image: shape.base_image,
        maven_repo: shape.maven_repo,
        java_opts: lab.java_opts,
        images: shape.images,
        registry: shape.registry,
        sticky: lab.sticky,
        webapp: lab.webapp,
        listen: lab.listen,
    }
    .validate()
}

pub(super) async fn connect(globals: &Globals) -> anyhow::Result<Engine> {
    let engine = Engine::connect().await?;
    if globals.verbose > 0 {
        if let Ok(v) = engine.version().await {
            eprintln!("engine: Docker {} (API {}) at {}", v.version, v.api_version, v.host);
        }
    }
    Ok(engine)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lost() -> EngineError {
        EngineError::Lost { action: "inspect image", target: "x".into(), message: "connection reset".into() }
    }

    #[test]
    fn a_lost_engine_is_exit_code_2_however_deep_it_is_wrapped() {
        let wrapped: Vec<anyhow::Error> = vec![
            anyhow::Error::new(lost()),
            anyhow::Error::new(LabError::Step { step: "creating the lab".into(), cleanup: None, source: LabError::Engine(lost()).into() })
                .context("msmlab up --name x did not complete"),
            anyhow::Error::new(LabError::Step {
                step: "starting x".into(),
                cleanup: None,
                source: crate::lab::ready::NotReady::Engine(lost()).into(),
            }),
        ];
        for e in wrapped {
            assert_eq!(exit_code(&e), 2, "{e:#}");
        }
        let other = EngineError::Call { action: "start container", target: "x".into(), message: "no such image".into() };
        assert_eq!(exit_code(&anyhow::Error::new(LabError::Step { step: "s".into(), cleanup: None, source: other.into() })), 1);
    }
}
