//! How an error leaves a verb: the error with the context the verb added, and its class
//! (`exit::ExitStatus`), taken from the error's own type where it crossed into the edge.

use std::fmt::Display;

use crate::exit::{Classified, ExitStatus};

/// A verb that could not give its answer.
#[derive(Debug)]
pub struct Failure {
    pub status: ExitStatus,
    pub error: anyhow::Error,
}

impl<E: Classified + std::error::Error + Send + Sync + 'static> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure { status: e.exit_status(), error: e.into() }
    }
}

/// `anyhow::Context` for classified errors: adds a sentence and keeps the class.
pub trait Context<T> {
    fn context<C: Display + Send + Sync + 'static>(self, context: C) -> Result<T, Failure>;
    fn with_context<C: Display + Send + Sync + 'static>(self, context: impl FnOnce() -> C) -> Result<T, Failure>;
}

impl<T, E: Into<Failure>> Context<T> for Result<T, E> {
    fn context<C: Display + Send + Sync + 'static>(self, context: C) -> Result<T, Failure> {
        self.with_context(|| context)
    }

    fn with_context<C: Display + Send + Sync + 'static>(self, context: impl FnOnce() -> C) -> Result<T, Failure> {
        self.map_err(|e| {
            let Failure { status, error } = e.into();
            Failure { status, error: error.context(context()) }
        })
    }
}
