//! `msmlab reference`.

use super::{Failure, Outcome};
use crate::cli::config;

pub fn run() -> Result<Outcome, Failure> {
    print!("{}", config::reference());
    Ok(Outcome::Success)
}
