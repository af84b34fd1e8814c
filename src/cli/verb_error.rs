//! How an error leaves a verb: the error with the context the verb added, and its class
//! (`exit::ExitStatus`), taken from the error's own type where it crossed into the edge.

use std::fmt::Display;

use crate::exit::{Classified, ExitStatus};

/// A verb that could not give its answer.
#[derive(Debug)]
pub struct VerbError {
    pub status: ExitStatus,
    pub error: anyhow::Error,
}

impl<E: Classified + std::error::Error + Send + Sync + 'static> From<E> for VerbError {
    fn from(e: E) -> VerbError {
        VerbError { status: e.exit_status(), error: e.into() }
    }
}

/// `anyhow::Context` for classified errors: adds a sentence and keeps the class.
pub trait Context<T> {
    fn context<C: Display + Send + Sync + 'static>(self, context: C) -> Result<T, VerbError>;
    fn with_context<C: Display + Send + Sync + 'static>(self, context: impl FnOnce() -> C) -> Result<T, VerbError>;
}

impl<T, E: Into<VerbError>> Context<T> for Result<T, E> {
    fn context<C: Display + Send + Sync + 'static>(self, context: C) -> Result<T, VerbError> {
        self.with_context(|| context)
    }

    fn with_context<C: Display + Send + Sync + 'static>(self, context: impl FnOnce() -> C) -> Result<T, VerbError> {
        self.map_err(|e| {
            let VerbError { status, error } = e.into();
            VerbError { status, error: error.context(context()) }
        })
    }
}
