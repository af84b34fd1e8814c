//! How a lab step fails: which step, what the rollback removed, and the cause.

use crate::engine::EngineError;
use crate::exit::{Classified, ExitStatus};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error(
        "lab {lab:?} is up with other settings ({what}); rebuild it with these with `--recreate`, \
         or choose another --name"
    )]
    Different { lab: String, what: String },
    #[error("port {port} on {ip} is taken by {by}; choose another with --port")]
    PortTaken { ip: std::net::IpAddr, port: u16, by: String },
    #[error("the {kind} name {name} that lab {lab:?} needs is taken by {by}; remove it, or choose another --name")]
    NameTaken { lab: String, kind: &'static str, name: String, by: String },
    /// Another `up` of this name created the lab's first container first.
    #[error("another msmlab up is making lab {lab:?} right now")]
    Building { lab: String },
    #[error("another msmlab up was making lab {lab:?} and did not finish it; run `msmlab up --name {lab}` again")]
    OtherUpFailed { lab: String },
    #[error("{step} failed{}", cleanup_note(.cleanup))]
    /// `status` is the cause's own class, taken before the cause is boxed.
    Step { step: String, cleanup: Option<String>, status: ExitStatus, source: BoxError },
    #[error("interrupted by {signal}{}", cleanup_note(.cleanup))]
    Interrupted { signal: &'static str, cleanup: Option<String> },
    #[error(
        "--swarm: the engine {why}, so lab {lab:?} cannot be deployed on it; run `docker swarm init` on it \
         (or point DOCKER_HOST at a manager of your swarm), or leave out --swarm"
    )]
    NoSwarm { lab: String, why: String },
    #[error(
        "--swarm: the swarm has {nodes} nodes, and each pulls the lab's images from a registry: give one with \
         --push-to HOST:PORT (MSMLAB_PUSH_TO) that every node trusts (scripts/swarm-bed.sh makes a test bed with one)"
    )]
    NeedsRegistry { nodes: usize },
    #[error("the lab's services did not all run within {waited}s: {what}")]
    TasksNotRunning { waited: u64, what: String },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

fn cleanup_note(cleanup: &Option<String>) -> String {
    cleanup.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()
}

impl LabError {
    /// Records what the rollback after this error removed, if anything.
    pub(crate) fn cleaned_up(self, cleanup: Option<String>) -> LabError {
        match self {
            LabError::Step { step, status, source, .. } => LabError::Step { step, cleanup, status, source },
            LabError::Interrupted { signal, .. } => LabError::Interrupted { signal, cleanup },
            other => LabError::Step { step: "creating the lab".into(), cleanup, status: other.exit_status(), source: other.into() },
        }
    }
}

/// Names the step a cause failed at, keeping the cause's class.
pub fn at<E: Into<BoxError> + Classified>(step: impl Into<String>) -> impl FnOnce(E) -> LabError {
    let step = step.into();
    move |e| LabError::Step { step, cleanup: None, status: e.exit_status(), source: e.into() }
}

impl Classified for LabError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            LabError::Different { .. } | LabError::PortTaken { .. } | LabError::NameTaken { .. } => ExitStatus::BadInput,
            LabError::NoSwarm { .. } | LabError::NeedsRegistry { .. } => ExitStatus::BadInput,
            LabError::TasksNotRunning { .. } => ExitStatus::Failed,
            LabError::Building { .. } | LabError::OtherUpFailed { .. } => ExitStatus::Failed,
            LabError::Step { status, .. } => *status,
            LabError::Interrupted { .. } => ExitStatus::Interrupted,
            LabError::Engine(e) => e.exit_status(),
        }
    }
}
