//! What a drill saw, step by step, and how it ended: the log each drill writes as it goes,
//! and the verdict the log and the restore give.

use serde::Serialize;

/// How a drill ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DrillVerdict {
    /// The session survived, and the lab was restored.
    Passed,
    /// The session did not survive where it should have, or the lab was not restored.
    Failed,
    /// What the drill shows is a property of the configuration, not a fault: with a single
    /// cache node, a store outage loses sessions. The lab was restored.
    Finding,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrillStep {
    pub action: String,
    pub saw: String,
    pub ok: bool,
}

/// Steps as they happen.
#[derive(Default)]
pub(super) struct Log {
    pub(super) steps: Vec<DrillStep>,
}

impl Log {
    pub(super) fn step(&mut self, action: impl Into<String>, ok: bool, saw: impl Into<String>) -> bool {
        self.steps.push(DrillStep { action: action.into(), saw: saw.into(), ok });
        ok
    }
    pub(super) fn all_ok(&self) -> bool {
        self.steps.iter().all(|s| s.ok)
    }
}

/// The verdict of a drill whose steps are in `log`: passed only if every step was ok and the lab
/// was restored.
pub(super) fn finish(log: &Log, summary: String, restored: bool) -> (DrillVerdict, String) {
    if log.all_ok() && restored {
        (DrillVerdict::Passed, summary)
    } else if !restored {
        (DrillVerdict::Failed, format!("{summary}; the lab was not restored"))
    } else {
        (DrillVerdict::Failed, summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(oks: &[bool]) -> Log {
        let mut log = Log::default();
        for (i, ok) in oks.iter().enumerate() {
            assert_eq!(log.step(format!("step {i}"), *ok, "saw"), *ok, "a step returns its ok");
        }
        log
    }

    #[test]
    fn a_drill_passes_only_with_every_step_ok_and_the_lab_restored() {
        assert_eq!(finish(&log(&[true, true]), "kept".into(), true), (DrillVerdict::Passed, "kept".into()));
        assert_eq!(finish(&log(&[true, false]), "lost".into(), true), (DrillVerdict::Failed, "lost".into()));
        assert_eq!(finish(&log(&[true, true]), "kept".into(), false), (DrillVerdict::Failed, "kept; the lab was not restored".into()));
        assert_eq!(finish(&log(&[false]), "lost".into(), false), (DrillVerdict::Failed, "lost; the lab was not restored".into()));
    }

    #[test]
    fn the_log_keeps_steps_in_order() {
        let log = log(&[true, false]);
        let actions: Vec<&str> = log.steps.iter().map(|s| s.action.as_str()).collect();
        assert_eq!(actions, ["step 0", "step 1"]);
        assert!(!log.all_ok());
        assert!(Log::default().all_ok());
    }
}
