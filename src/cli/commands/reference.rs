//! `msmlab reference`.

use super::Outcome;
use crate::cli::config;

pub fn run() -> anyhow::Result<Outcome> {
    print!("{}", config::reference());
    Ok(Outcome::Success)
}
