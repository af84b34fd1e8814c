//! `msmlab verify`.

use super::{connect, Globals, VerbError, Reply};
use crate::cli::args::{CheckArgs, DrillArg, VerifyArgs};
use crate::engine::Engine;
use crate::report;
use crate::verify::Verdict;
use crate::ui::interrupt::unless_interrupted;
use crate::verify::drill::{self, Drill, DrillError};
use crate::verify::flow::{self, FlowError};
use crate::verify::{self, Page, VerifyError};

pub async fn run(args: VerifyArgs, globals: &Globals) -> Result<Reply, VerbError> {
    let c = args.checks;
    let page = page(&c)?;
    let engine = connect(globals).await?;
    let announce = !args.output.json && !globals.quiet;
    let verdict = verdict(&engine, args.lab.name.as_str(), &page, c.requests.into(), &c.drill, c.junit.as_deref(), announce).await?;
    report::emit(args.output.json, &verdict, report::verdict_text);
    Ok(if verdict.ok { Reply::Yes } else { Reply::No })
}

/// What `--path` or `--flow` asks to walk (the test page without either), the flow file read
/// and checked before the lab is touched.
pub(super) fn page(c: &CheckArgs) -> Result<Page, FlowError> {
    match (&c.flow, &c.path) {
        (Some(_), Some(_)) => Err(FlowError::PathAndFlow),
        (Some(file), None) => {
            let steps = flow::read(file)?;
            if steps.is_empty() {
                return Err(FlowError::Empty(file.clone()));
            }
            Ok(Page::Flow(steps))
        }
        (None, Some(path)) => Ok(Page::User(path.clone())),
        (None, None) => Ok(Page::Test),
    }
}

/// What `verify` and `smoke` share: the checks, then the drills asked for, and the JUnit
/// report when `junit` names a file (found writable before the lab is touched).
pub(super) async fn verdict(
    engine: &Engine,
    lab: &str,
    page: &Page,
    requests: usize,
    asked: &[DrillArg],
    junit: Option<&std::path::Path>,
    announce: bool,
) -> Result<Verdict, VerbError> {
    let junit_error = |path: &std::path::Path, e: std::io::Error| VerifyError::Junit { path: path.display().to_string(), message: e.to_string() };
    if let Some(path) = junit {
        std::fs::File::create(path).map_err(|e| junit_error(path, e))?;
    }
    let (_, mut verdict) = verify::run(engine, lab, page, requests).await?;
    for d in drills(asked) {
        if announce {
            eprintln!("Drill {}: running (it stops parts of lab {lab:?} and restores them)", d.name());
        }
        // An interrupt must not leave the lab with a container stopped.
        let report = match unless_interrupted(drill::run(engine, lab, page, d)).await {
            Ok(report) => report?,
            Err(signal) => {
                eprintln!("{signal}: restoring lab {lab:?} before stopping");
                let restored = drill::restore(engine, lab, d).await;
                return Err(DrillError::Interrupted { signal, drill: d.name(), restored }.into());
            }
        };
        verdict.drills.push(report);
    }
    verdict.settle();
    if let Some(path) = junit {
        std::fs::write(path, report::verdict_junit(&verdict)?).map_err(|e| junit_error(path, e))?;
    }
    Ok(verdict)
}

/// The drills asked for, each once, in the order tomcat, store, restart, concurrent (`all` is
/// the three failover drills).
fn drills(asked: &[DrillArg]) -> Vec<Drill> {
    let all = asked.contains(&DrillArg::All);
    [(DrillArg::Tomcat, Drill::Tomcat), (DrillArg::Store, Drill::Store), (DrillArg::Restart, Drill::Restart), (DrillArg::Concurrent, Drill::Concurrent), (DrillArg::Node, Drill::Node)]
        .into_iter()
        .filter(|(arg, _)| (all && !matches!(arg, DrillArg::Concurrent | DrillArg::Node)) || asked.contains(arg))
        .map(|(_, d)| d)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flow_file_is_read_before_the_lab_is_touched_and_excludes_a_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("login.flow");
        std::fs::write(&file, "once POST /shop/login user=alice\nGET /shop/cart.jsp\n").unwrap();
        let args = |flow: Option<&std::path::Path>, path: Option<&str>| CheckArgs {
            requests: 20,
            path: path.map(|p| p.parse().unwrap()),
            flow: flow.map(std::path::Path::to_path_buf),
            drill: Vec::new(),
            junit: None,
        };
        let Ok(Page::Flow(steps)) = page(&args(Some(&file), None)) else { panic!("not a flow") };
        assert_eq!(steps.len(), 2);
        assert!(matches!(page(&args(Some(&file), Some("/shop/"))), Err(FlowError::PathAndFlow)));
        assert!(matches!(page(&args(None, Some("/shop/"))), Ok(Page::User(_))));
        std::fs::write(&file, "# nothing yet\n").unwrap();
        assert!(matches!(page(&args(Some(&file), None)), Err(FlowError::Empty(_))));
    }

    #[test]
    fn drills_run_once_each_in_a_fixed_order_and_all_is_the_failover_three() {
        assert_eq!(drills(&[DrillArg::All]), [Drill::Tomcat, Drill::Store, Drill::Restart]);
        assert_eq!(drills(&[DrillArg::Concurrent, DrillArg::All, DrillArg::Tomcat]), [Drill::Tomcat, Drill::Store, Drill::Restart, Drill::Concurrent]);
        assert_eq!(drills(&[DrillArg::Node, DrillArg::Restart, DrillArg::Store]), [Drill::Store, Drill::Restart, Drill::Node]);
        assert!(drills(&[]).is_empty());
    }
}
