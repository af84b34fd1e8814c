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
use crate::ui::interrupt::unless_interrupted;
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
    let (up, url) = match up(engine, plan, fetcher, progress, true).await? {
        UpOutcome::Created { timings, url } => (Some(timings), url),
        UpOutcome::AlreadyUp { url } => (None, url),
    };
    // `up` leaves the webapp's judgement to its caller: here, one Tomcat does not run is the
    // end of the work, as a container that does not start would be.
    if let Some(w) = &plan.webapp {
        let tomcats: Vec<_> = find(engine, &name).await?.containers.into_iter().filter(|c| c.role == Some(Role::Tomcat)).collect();
        if let Some(e) = webapp_check::check(engine, &url, &tomcats, &w.context_path, None).await.not_deployed(&w.context_path) {
            let removed = down(engine, &name).await.ok().map(|f| format!("msmlab removed the lab: {}", f.summary()));
            return Err(at::<NotDeployed>(format!("deploying {}", w.source.display()))(e).cleaned_up(removed));
        }
    }
    let outcome = unless_interrupted(work(url)).await;
    let step = progress.step(format!("Remove lab {name}"));
    let removed = down(engine, &name).await;
    step.done(match &removed {
        Ok(found) => found.summary(),
        Err(e) => format!("failed: {e}"),
    });
    Ok(Throwaway { up, outcome, removed: removed.map(|_| ()) })
}
