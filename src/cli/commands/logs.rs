//! `msmlab logs`.

use crate::cli::verb_error::Context;

use super::{connect, Globals, VerbError, Reply};
use crate::cli::args::LogsArgs;
use crate::lab::logs;
use crate::report;
use crate::ui::term;

pub async fn run(args: LogsArgs, globals: &Globals) -> Result<Reply, VerbError> {
    let since = args.since.as_deref().map(|s| logs::parse_since(s, std::time::SystemTime::now())).transpose()?.unwrap_or(0);
    let engine = connect(globals).await?;
    let lab = args.lab.name.as_str();
    let containers = crate::lab::find(&engine, lab).await?.containers;
    let chosen = logs::select(lab, &containers, args.which.as_deref())?;
    if let Some(dir) = &args.export {
        let status = report::status_json(lab, &containers);
        let export = logs::export(&engine, lab, &chosen, &status, dir).await.with_context(|| format!("exporting lab {lab:?} to {}", dir.display()))?;
        eprintln!("Exported {} files of lab {lab:?} (logs of {} containers, their configs, status.json) to:", export.files.len(), chosen.len());
        print!("{}", report::export_text(&export));
        return Ok(Reply::Yes);
    }
    logs::show(&engine, &chosen, args.follow, since, args.tail, term::stdout_colour()).await?;
    Ok(Reply::Yes)
}
