//! What a failed engine call is: `EngineError`, and the bollard errors sorted into "no engine"
//! (`Lost`), "name taken" (`Conflict`) and the engine refusing (`Call`), each naming what failed.

use bollard::errors::Error as BollardError;

use crate::exit::{Classified, ExitStatus};

/// Oldest engine API msmlab speaks: Docker 20.10 (Debian bookworm's docker.io). Older engines
/// lack fields msmlab sends (e.g. network aliases on create) and are refused up front
/// (`TooOld`, which names it).
pub const MIN_API: (usize, usize) = (1, 41);

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(
        "cannot reach the Docker engine at {host} ({message}); start it (`sudo dockerd &` or \
         `systemctl start docker`), or point DOCKER_HOST at a running engine"
    )]
    Unreachable { host: String, message: String },
    #[error(
        "the Docker engine at {host} is too old: it speaks API {api} (Docker {version}) and msmlab needs \
         API {}.{} (Docker 20.10) or newer; upgrade it, or point DOCKER_HOST at a newer engine", MIN_API.0, MIN_API.1
    )]
    TooOld { host: String, api: String, version: String },
    #[error(
        "lost the Docker engine while trying to {action} {target} ({message}); once it answers again, \
         run the command again (`msmlab up` removes what an interrupted run left and starts over)"
    )]
    Lost { action: &'static str, target: String, message: String },
    #[error("{action} {target}: {message}")]
    Call { action: &'static str, target: String, message: String },
    /// The name is taken already (HTTP 409): by another run that is making the same lab.
    #[error("{action} {target}: {message}")]
    Conflict { action: &'static str, target: String, message: String },
    #[error(
        "base image {image} is not on the engine and could not be pulled ({message}).\n  \
         Where no registry answers, make it locally: scripts/base-image.sh {image}"
    )]
    BaseImage { image: String, message: String },
    #[error("building image {tag} failed: {message}\n--- last build output ---\n{log}")]
    Build { tag: String, message: String, log: String },
    #[error(
        "{image} could not be pulled: {message}\n  \
         no registry answered for it: use the images msmlab builds itself (--images built, the default), \
         or pull from a registry that has it with --registry HOST:PORT (MSMLAB_REGISTRY)"
    )]
    Pull { image: String, message: String },
    #[error(
        "pushing {image} failed: {message}\n  \
         every node of the swarm pulls the lab's images from the registry --push-to names: check that it \
         answers there, and that each node's dockerd trusts it (--insecure-registry for plain HTTP)"
    )]
    Push { image: String, message: String },
}

/// The error of a failed call to `action target`: `Lost` when no engine answered, else `Call`
/// with the engine's message.
pub(super) fn call(action: &'static str, target: impl Into<String>) -> impl FnOnce(BollardError) -> EngineError {
    let target = target.into();
    move |e| {
        if is_connection_error(&e) {
            EngineError::Lost { action, target, message: short(&e) }
        } else {
            EngineError::Call { action, target, message: short(&e) }
        }
    }
}

/// Whether the call failed for want of an engine (socket gone, connection refused or cut,
/// no answer), rather than the engine refusing it.
fn is_connection_error(e: &BollardError) -> bool {
    matches!(
        e,
        BollardError::IOError { .. }
            | BollardError::HyperLegacyError { .. }
            | BollardError::HyperResponseError { .. }
            | BollardError::RequestTimeoutError
            | BollardError::SocketNotFoundError(_)
    )
}

impl EngineError {
    /// True when the engine answered 409: the name is taken already, by another run that is
    /// making the same lab.
    pub fn is_conflict(&self) -> bool {
        matches!(self, EngineError::Conflict { .. })
    }

    /// True when the engine could not be reached at all (at connect time or mid-run).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, EngineError::Unreachable { .. } | EngineError::Lost { .. })
    }
}

/// The engine's own message, without bollard's wrapping.
pub(super) fn short(e: &BollardError) -> String {
    match e {
        BollardError::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// The engine refused with this status and a message containing `needle`.
pub(super) fn is_status(e: &BollardError, status: u16, needle: &str) -> bool {
    matches!(e, BollardError::DockerResponseServerError { status_code, message } if *status_code == status && message.contains(needle))
}

/// `call`, but a name that is taken (409) is a `Conflict`.
pub(super) fn conflict_or_call(action: &'static str, target: impl Into<String>) -> impl FnOnce(BollardError) -> EngineError {
    let target = target.into();
    move |e| match e {
        BollardError::DockerResponseServerError { status_code: 409, ref message } => EngineError::Conflict { action, target, message: message.clone() },
        e => call(action, target)(e),
    }
}

/// The engine answered 404: no such thing (any more).
pub(super) fn is_not_found(e: &BollardError) -> bool {
    matches!(e, BollardError::DockerResponseServerError { status_code: 404, .. })
}

impl Classified for EngineError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::Failed
    }
}
