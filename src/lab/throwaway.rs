//! A lab that lives for one piece of work (`bench` and `compat` run one per serializer):
//! brought up fresh, a leftover of the same name replaced, handed to the work, and removed
//! whatever the work did, an interrupt included.

use std::future::Future;

use crate::engine::{Engine, EngineError};
use crate::jars::maven::Fetcher;
use crate::lab::errors::{at, LabError};
use crate::lab::found::{down, find};
use crate::lab::webapp_check::{self, NotDeployed};
use crate::labspec::names::Role;
use crate::lab::timings::Timings;
use crate::lab::up::{up, UpOutcome};
use crate::lab::url::LabUrl;
use crate::plan::Plan;
use crate::ui::interrupt::Interrupts;
use crate::ui::progress::Progress;

/// What became of the work and of the lab.
pub struct Throwaway<T> {
    /// How long `up` took (`None`: the lab was up already, which `recreate` rules out).
    pub up: Option<Timings>,
    /// The work's result, or the signal that stopped it.
    pub outcome: Result<T, &'static str>,
    /// Whether the lab went away. The caller decides which error wins: usually the work's.
    pub removed: Result<(), EngineError>,
}

/// Brings `plan`'s lab up, runs `work` on where `up` reached it, removes the lab. An `up` that
/// fails has removed what it made already and is the error.
pub async fn throwaway<T, W: Future<Output = T>>(
    engine: &Engine,
    plan: &Plan,
    fetcher: &Fetcher,
    progress: &Progress,
    work: impl FnOnce(LabUrl) -> W,
) -> Result<Throwaway<T>, LabError> {
    let name = plan.spec.shape.name.to_string();
    // Watched from before `up`, so that a signal between the end of `up` and the work is not
    // lost (`up` handles one that comes while it runs).
    let mut interrupts = Interrupts::watch();
    let (up, url) = match up(engine, plan, fetcher, progress, true).await? {
        UpOutcome::Created { timings, url } => (Some(timings), url),
        UpOutcome::AlreadyUp { url } => (None, url),
    };
    // Under the same watch as the work: an interrupt during the check ends the run too.
    let checked = tokio::select! {
        done = async {
            webapp_runs(engine, plan, &url).await?;
            Ok::<T, LabError>(work(url).await)
        } => Ok(done),
        signal = interrupts.next() => Err(signal),
    };
    let outcome = match checked {
        Ok(Ok(done)) => Ok(done),
        Ok(Err(e)) => {
            let removed = down(engine, &name).await.ok().map(|f| format!("msmlab removed the lab: {}", f.summary()));
            return Err(e.cleaned_up(removed));
        }
        Err(signal) => Err(signal),
    };
    let step = progress.step(format!("Remove lab {name}"));
    let removed = down(engine, &name).await;
    step.done(match &removed {
        Ok(found) => found.summary(),
        Err(e) => format!("failed: {e}"),
    });
    Ok(Throwaway { up, outcome, removed: removed.map(|_| ()) })
}

/// `up` leaves the webapp's judgement to its caller: here, a webapp whose context Tomcat does
/// not run ends the work before it starts, as a container that does not start would.
async fn webapp_runs(engine: &Engine, plan: &Plan, url: &LabUrl) -> Result<(), LabError> {
    let Some(w) = &plan.webapp else { return Ok(()) };
    let found = find(engine, plan.spec.shape.name.as_str()).await?;
    let tomcats: Vec<_> = found.containers.into_iter().filter(|c| c.role == Some(Role::Tomcat)).collect();
    match webapp_check::check(engine, url, &tomcats, &w.context_path, None).await.not_deployed(&w.context_path) {
        Some(e) => Err(at::<NotDeployed>(format!("deploying {}", w.source))(e)),
        None => Ok(()),
    }
}
