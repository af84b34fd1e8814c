//! `msmlab init`.

use anyhow::Context;

use super::Outcome;
use crate::cli::args::InitArgs;
use crate::cli::config;

pub fn run(args: InitArgs) -> anyhow::Result<Outcome> {
    if args.path.exists() && !args.force {
        anyhow::bail!(InitError::Exists(args.path.display().to_string()));
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
