//! `msmlab down`.

use crate::cli::verb_error::Context;

use super::{connect, Globals, VerbError, Reply};
use crate::cli::args::DownArgs;
use crate::lab;
use crate::report;

pub async fn run(args: DownArgs, globals: &Globals) -> Result<Reply, VerbError> {
    let engine = connect(globals).await?;
    if args.all {
        let removed = lab::down_all(&engine).await.context("removing every msmlab lab")?;
        report::emit(args.output.json, &removed, report::down_all_text);
        return Ok(Reply::Yes);
    }
    let lab = args.lab.name.as_str();
    let removed = lab::down(&engine, lab).await.with_context(|| format!("removing lab {lab:?}"))?;
    report::emit(args.output.json, &report::DownReport { lab, removed: &removed }, |r| report::down_text(r.lab, r.removed));
    Ok(Reply::Yes)
}
