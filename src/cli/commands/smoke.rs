//! `msmlab smoke`: the CI job in one command. It brings a lab up, verifies it (with the drills
//! asked for), writes `logs --export` to `--evidence` when the lab fails, and removes the lab
//! whatever happened: success, failure, Ctrl-C or SIGTERM, or `--timeout`. The exit status
//! says which: 0 shared, 1 not shared, 2 bad input, 3 the lab could not be built, 130
//! interrupted.
//!
//! Without `--name` and `--port` a run takes a name of its own and lets the engine pick the
//! port, so jobs that share one engine never collide.

use std::time::{Duration, Instant};

use super::up::{prepare, Prepared};
use super::verify::verdict;
use super::{VerbError, Globals, Reply};
use crate::cli::args::SmokeArgs;
use crate::exit::{Classified, ExitStatus};
use crate::lab::{self, logs, UpOutcome};
use crate::report;
use crate::labspec::LabName;
use crate::ui::interrupt::Interrupts;
use crate::ui::progress::Progress;
use crate::verify::Verdict;

#[derive(Debug, thiserror::Error)]
pub enum SmokeError {
    #[error("smoke gave up after {0:?} (--timeout)")]
    Timeout(Duration),
    #[error("interrupted by {0}")]
    Interrupted(&'static str),
}

impl Classified for SmokeError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            SmokeError::Timeout(_) => ExitStatus::Failed,
            SmokeError::Interrupted(_) => ExitStatus::Interrupted,
        }
    }
}

/// A name no other run picks: the process id and the clock, in hex.
fn unique_name() -> LabName {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("smoke-{:x}{:05x}", std::process::id(), nanos & 0xfffff).parse().expect("a valid lab name")
}

pub async fn run(args: SmokeArgs, globals: &Globals) -> Result<Reply, VerbError> {
    let started = Instant::now();
    let page = super::verify::page(&args.checks)?;
    let progress = Progress::new(globals.quiet);
    let name = args.name.clone().unwrap_or_else(unique_name);
    let prepared = prepare(args.shape, name, args.port.unwrap_or(0), globals, &progress).await?;
    let lab = prepared.plan.spec.shape.name.to_string();
    let c = &args.checks;

    // Up and verify, under the deadline and the signals; the lab goes afterwards in every case.
    let mut interrupts = Interrupts::watch();
    let work = async {
        let url = match prepared.up(&progress, false).await? {
            UpOutcome::Created { url, .. } | UpOutcome::AlreadyUp { url } => url.page(),
        };
        progress.note(format!("Lab {lab:?} is up at {url}; verifying"));
        verdict(&prepared.engine, &lab, &page, c.requests.into(), &c.drill, c.junit.as_deref(), !globals.quiet).await
    };
    let result: Result<Verdict, VerbError> = tokio::select! {
        r = work => r,
        _ = tokio::time::sleep(args.timeout) => Err(SmokeError::Timeout(args.timeout).into()),
        signal = interrupts.next() => Err(SmokeError::Interrupted(signal).into()),
    };

    let failed = !matches!(&result, Ok(v) if v.ok);
    let evidence = if failed { export_evidence(&prepared, &lab, &args.evidence).await } else { None };
    let removed = if args.keep { None } else { Some(remove(&prepared, &lab, &mut interrupts).await) };

    let verdict = match result {
        Ok(v) => v,
        Err(e) => {
            // Said before the error, which ends the run: what became of the lab and its evidence.
            for line in evidence.iter().chain(removed.iter()) {
                eprintln!("{}", line.trim_start());
            }
            return Err(e);
        }
    };
    // The verdict is the result, -q or not: which check or drill failed, on one screen.
    print!("{}", report::verdict_text(&verdict));
    let mut summary = vec![format!(
        "smoke {}: lab {lab:?} {} in {:.0}s",
        if verdict.ok { "PASS" } else { "FAIL" },
        if verdict.ok { "shares the session" } else { "does not share the session" },
        started.elapsed().as_secs_f64()
    )];
    summary.extend(c.junit.as_ref().map(|j| format!("  JUnit report: {}", j.display())));
    summary.extend(evidence);
    summary.push(match removed {
        Some(line) => format!("  {line}"),
        None => format!("  kept (--keep): remove it with `{} down --name {lab}`", crate::ui::term::program()),
    });
    println!("{}", summary.join("\n"));
    Ok(if verdict.ok { Reply::Yes } else { Reply::No })
}

/// `logs --export` into `dir`, said in one line (or why it could not be written).
async fn export_evidence(prepared: &Prepared, lab: &str, dir: &std::path::Path) -> Option<String> {
    let containers = crate::lab::find(&prepared.engine, lab).await.ok()?.containers;
    if containers.is_empty() {
        return None; // a failed up removed what it made: its error says why
    }
    let status = report::status_json(lab, &containers);
    Some(match logs::export(&prepared.engine, lab, &containers, &status, dir).await {
        Ok(export) => format!("  evidence: {} ({} files: every container's log, the configs, status.json)", dir.display(), export.files.len()),
        Err(e) => format!("  evidence could not be written to {}: {e}", dir.display()),
    })
}

/// Removes the lab; a second interrupt stops at once (what is left carries the label).
async fn remove(prepared: &Prepared, lab: &str, interrupts: &mut Interrupts) -> String {
    tokio::select! {
        r = down_until_gone(prepared, lab) => match r {
            Ok(found) if found.is_empty() => format!("removed: lab {lab:?} had nothing left"),
            Ok(found) => format!("removed lab {lab:?}: {}", found.summary()),
            Err(e) => format!("could not remove lab {lab:?} ({e}): run `{} down --name {lab}`", crate::ui::term::program()),
        },
        signal = interrupts.next() => format!("{signal} again: lab {lab:?} left as it is; `{} down --name {lab}` removes it", crate::ui::term::program()),
    }
}

/// `down` until a pass finds nothing: an `up` cut off by the deadline or a signal can have a
/// create in flight that lands after the first pass listed the lab.
async fn down_until_gone(prepared: &Prepared, lab: &str) -> Result<lab::Found, crate::engine::EngineError> {
    let mut removed = lab::Found::default();
    for _ in 0..5 {
        let found = lab::down(&prepared.engine, lab).await?;
        if found.is_empty() {
            break;
        }
        removed.extend(found);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    Ok(removed)
}
