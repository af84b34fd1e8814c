//! `msmlab init`.

use crate::cli::failure::Context;

use super::{Failure, Outcome};
use crate::cli::args::InitArgs;
use crate::cli::config;
use crate::exit::{Classified, ExitStatus};

pub fn run(args: InitArgs) -> Result<Outcome, Failure> {
    if args.path.exists() && !args.force {
        return Err(InitError::Exists(args.path.display().to_string()).into());
    }
    std::fs::write(&args.path, config::example()).with_context(|| format!("writing {}", args.path.display()))?;
    eprintln!("Wrote {}: every key is commented out with its default; uncomment what you need.", args.path.display());
    Ok(Outcome::Success)
}

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{0} exists already; add --force to replace it")]
    Exists(String),
}

impl Classified for InitError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::BadInput
    }
}
