//! `msmlab doctor`.

use super::{Globals, VerbError, Reply};
use crate::cli::args::DoctorArgs;
use crate::doctor;
use crate::jars::maven::default_cache_dir;
use crate::report;

pub async fn run(args: DoctorArgs, _globals: &Globals) -> Result<Reply, VerbError> {
    let cache = default_cache_dir();
    let q = doctor::Question { port: args.port, base_image: &args.base_image, maven_repo: &args.maven_repo, registry: args.registry.as_deref(), cache_dir: &cache };
    let report = doctor::examine(&q).await;
    report::emit(args.output.json, &report, report::doctor_text);
    Ok(if report.ok { Reply::Yes } else { Reply::No })
}
