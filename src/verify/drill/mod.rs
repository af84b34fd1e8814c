//! Failover drills (`verify --drill`): break one part of the lab as a bad day would, watch what
//! one user's session does through nginx, then put the lab back as it was.
//!
//! Each drill opens a session of its own, reports every step with what it did and what it saw,
//! and always runs its restore steps, even after a failed step. Engine errors become failed
//! steps, so the report still says how far the drill got and whether the lab was restored.
//!
//! One file per drill (`tomcat`, `store`, `restart`, `concurrent`, `node`), dispatched here by
//! `run`; `restore` says which repair undoes which drill after an interrupt. What the drills
//! share: `steps` (the log and the verdict), `toolkit` (open a session, judge what followed),
//! `repair` (bring the lab back).

mod concurrent;
mod node;
mod repair;
mod restart;
mod steps;
mod store;
mod tomcat;
mod toolkit;

use std::time::Instant;

use serde::Serialize;

use crate::engine::Engine;
use crate::exit::{Classified, ExitStatus};
use crate::verify::errors::VerifyError;
use crate::verify::walk::{self, Page};
pub use steps::{DrillStep, DrillVerdict};
use steps::Log;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Drill {
    Tomcat,
    Store,
    Restart,
    Concurrent,
    Node,
}

impl Drill {
    pub fn name(self) -> &'static str {
        match self {
            Drill::Tomcat => "tomcat",
            Drill::Store => "store",
            Drill::Restart => "restart",
            Drill::Concurrent => "concurrent",
            Drill::Node => "node",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DrillError {
    #[error("interrupted by {signal} during the {drill} drill; {restored}")]
    Interrupted { signal: &'static str, drill: &'static str, restored: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct DrillReport {
    pub drill: Drill,
    pub outcome: DrillVerdict,
    /// One sentence: what the drill shows.
    pub summary: String,
    pub steps: Vec<DrillStep>,
    pub seconds: f64,
}

impl DrillReport {
    pub fn failed(&self) -> bool {
        self.outcome == DrillVerdict::Failed
    }
}

/// Runs one drill and restores the lab; the lab is found again on the engine first.
pub async fn run(engine: &Engine, lab: &str, page: &Page, drill: Drill) -> Result<DrillReport, VerifyError> {
    let started = Instant::now();
    let target = walk::target(engine, lab).await?;
    applies(drill, !target.nodes().is_empty())?;
    let mut log = Log::default();
    let (outcome, summary) = match drill {
        Drill::Tomcat => tomcat::run(engine, &target, page, &mut log).await,
        Drill::Store => store::run(engine, &target, page, &mut log).await,
        Drill::Restart => restart::run(engine, &target, page, &mut log).await,
        Drill::Concurrent => concurrent::run(engine, &target, page, &mut log).await?,
        Drill::Node => node::run(engine, &target, page, &mut log).await,
    };
    Ok(DrillReport { drill, outcome, summary, steps: log.steps, seconds: started.elapsed().as_secs_f64() })
}

/// Whether `drill` can run on this lab. A swarm lab's tasks are Swarm's to stop and start:
/// there the node drill takes a host away, and only there.
fn applies(drill: Drill, swarm: bool) -> Result<(), VerifyError> {
    let why = match drill {
        Drill::Tomcat | Drill::Store | Drill::Restart if swarm => "it stops containers of a single engine; on a swarm, --drill node takes a whole host away",
        Drill::Node if !swarm => "it drains a host of a swarm, and this lab runs on one engine (`up --swarm` makes one on a swarm)",
        _ => return Ok(()),
    };
    Err(VerifyError::DrillNotHere { drill: drill.name(), why: why.into() })
}

/// Puts a lab back after an interrupt during `drill`, and says what it did: the node drill
/// drained a host, the others stop containers.
pub async fn restore(engine: &Engine, lab: &str, drill: Drill) -> String {
    match drill {
        Drill::Node => node::restore(engine, lab).await,
        Drill::Tomcat | Drill::Store | Drill::Restart | Drill::Concurrent => repair::restore_all(engine, lab).await,
    }
}

impl Classified for DrillError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::Interrupted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_drills_are_refused_on_a_swarm_and_the_node_drill_elsewhere() {
        let refused = |drill, swarm| match applies(drill, swarm) {
            Err(VerifyError::DrillNotHere { drill, why }) => Some((drill, why)),
            _ => None,
        };
        for drill in [Drill::Tomcat, Drill::Store, Drill::Restart] {
            assert!(refused(drill, false).is_none());
            let (name, why) = refused(drill, true).unwrap();
            assert_eq!(name, drill.name());
            assert!(why.contains("--drill node"), "{why}");
        }
        assert!(refused(Drill::Concurrent, false).is_none());
        assert!(refused(Drill::Concurrent, true).is_none());
        assert!(refused(Drill::Node, true).is_none());
        let (name, why) = refused(Drill::Node, false).unwrap();
        assert_eq!(name, "node");
        assert!(why.contains("up --swarm"), "{why}");
    }
}
