//! `msmlab init`.

use std::path::Path;

use crate::cli::verb_error::Context;

use super::{VerbError, Reply};
use crate::cli::args::InitArgs;
use crate::cli::config;
use crate::exit::{Classified, ExitStatus};

/// Writes the example where the other verbs read it: `--config FILE` (or `MSMLAB_CONFIG`),
/// else `./msmlab.toml`. One flag, one meaning: the config file.
pub fn run(args: InitArgs, config_file: Option<&Path>) -> Result<Reply, VerbError> {
    let path = config_file.unwrap_or(Path::new(config::DEFAULT_FILE));
    if path.exists() && !args.force {
        return Err(InitError::Exists(path.display().to_string()).into());
    }
    std::fs::write(path, config::example()).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("Wrote {}: every key is commented out with its default; uncomment what you need.", path.display());
    Ok(Reply::Yes)
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
