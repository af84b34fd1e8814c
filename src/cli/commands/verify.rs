//! `msmlab verify`.

use super::{connect, Globals, Failure, Outcome};
use crate::cli::args::{DrillArg, VerifyArgs};
use crate::report;
use crate::ui::interrupt::unless_interrupted;
use crate::verify::drill::{self, Drill, DrillError};
use crate::verify::{self, Page, VerifyError};

pub async fn run(args: VerifyArgs, globals: &Globals) -> Result<Outcome, Failure> {
    let engine = connect(globals).await?;
    let lab = args.lab.name.as_str();
    let page = args.path.map_or(Page::Test, Page::User);
    let junit_error = |path: &std::path::Path, e: std::io::Error| VerifyError::Junit { path: path.display().to_string(), message: e.to_string() };
    // A JUnit file that cannot be written is found out before the lab is touched.
    if let Some(path) = &args.junit {
        std::fs::File::create(path).map_err(|e| junit_error(path, e))?;
    }
    let (_, mut verdict) = verify::run(&engine, lab, &page, args.requests.into()).await?;
    for d in drills(&args.drill) {
        if !args.output.json && !globals.quiet {
            eprintln!("Drill {}: running (it stops parts of lab {lab:?} and restores them)", d.name());
        }
        // An interrupt must not leave the lab with a container stopped.
        let report = match unless_interrupted(drill::run(&engine, lab, &page, d)).await {
            Ok(report) => report?,
            Err(signal) => {
                eprintln!("{signal}: restoring lab {lab:?} before stopping");
                let restored = drill::restore_all(&engine, lab).await;
                return Err(DrillError::Interrupted { signal, drill: d.name(), restored }.into());
            }
        };
        verdict.drills.push(report);
    }
    verdict.settle();
    if let Some(path) = &args.junit {
        std::fs::write(path, report::verdict_junit(&verdict)?).map_err(|e| junit_error(path, e))?;
    }
    report::emit(args.output.json, &verdict, report::verdict_text);
    Ok(if verdict.ok { Outcome::Success } else { Outcome::Failure })
}

/// The drills asked for, each once, in the order tomcat, store, restart, concurrent (`all` is
/// the three failover drills).
fn drills(asked: &[DrillArg]) -> Vec<Drill> {
    let all = asked.contains(&DrillArg::All);
    [(DrillArg::Tomcat, Drill::Tomcat), (DrillArg::Store, Drill::Store), (DrillArg::Restart, Drill::Restart), (DrillArg::Concurrent, Drill::Concurrent)]
        .into_iter()
        .filter(|(arg, _)| (all && *arg != DrillArg::Concurrent) || asked.contains(arg))
        .map(|(_, d)| d)
        .collect()
}
