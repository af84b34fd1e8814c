//! `msmlab status`.

use super::{connect, Globals, Failure, Outcome};
use crate::cli::args::StatusArgs;
use crate::report;

pub async fn run(args: StatusArgs, globals: &Globals) -> Result<Outcome, Failure> {
    let engine = connect(globals).await?;
    let lab = args.lab.name.as_str();
    let containers = engine.containers(Some(lab)).await?;
    let status = report::Status { lab, exists: !containers.is_empty(), containers: &containers };
    report::emit(args.output.json, &status, |s| report::status_text(s.lab, s.containers));
    Ok(Outcome::Success)
}
