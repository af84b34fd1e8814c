//! How verify fails, as opposed to finding a check that failed: no lab, a bad `--path`, a lab
//! whose settings label cannot be read, an engine that does not answer.

use crate::engine::EngineError;
use crate::lab::settings::SettingsError;
use crate::exit::{Classified, ExitStatus};

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("no lab named {0:?} is running; start one with `msmlab up --name {0}`")]
    NoLab(String),
    #[error("lab {lab:?} is incomplete: {what}; recreate it with `msmlab down --name {lab} && msmlab up --name {lab}`")]
    Incomplete { lab: String, what: String },
    #[error("invalid --path {0:?}: give a URL path on the lab such as /my/ or /my/cart?id=1")]
    Path(String),
    #[error("cannot write the JUnit report to {path}: {message}")]
    Junit { path: String, message: String },
    #[error("--drill {drill} does not apply to this lab: {why}")]
    DrillNotHere { drill: &'static str, why: String },
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl Classified for VerifyError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            VerifyError::NoLab(_) | VerifyError::Incomplete { .. } | VerifyError::Path(_) | VerifyError::Junit { .. } | VerifyError::DrillNotHere { .. } => ExitStatus::BadInput,
            VerifyError::Settings(e) => e.exit_status(),
            VerifyError::Engine(e) => e.exit_status(),
        }
    }
}
