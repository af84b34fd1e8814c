//! `msmlab reference`.

use super::{VerbError, Reply};
use crate::cli::config;

pub fn run() -> Result<Reply, VerbError> {
    print!("{}", config::reference());
    Ok(Reply::Yes)
}
