//! What msmlab's labels say on what the engine lists: the filter that finds a lab's things,
//! and the labels read back (lab, role, index, settings, owner, probe), for containers and services
//! alike.

use std::collections::HashMap;

use crate::labspec::names::{Role, INDEX_LABEL, LAB_LABEL, OWNER_LABEL, PROBE_LABEL, ROLE_LABEL, SPEC_LABEL};

/// The engine's filter for what carries the lab label (of `lab`, or of any lab).
pub(super) fn label_filter(lab: Option<&str>) -> HashMap<String, Vec<String>> {
    let value = match lab {
        Some(lab) => format!("{LAB_LABEL}={lab}"),
        None => LAB_LABEL.to_string(),
    };
    HashMap::from([("label".to_string(), vec![value])])
}

/// A lab's labels as read from a container or a service; a label that is missing or does not
/// parse reads as empty, no role, index 0 or `None`.
pub(super) struct LabLabels {
    pub lab: String,
    pub role: Option<Role>,
    pub index: u8,
    /// The settings it was made with (`io.msmlab.spec`).
    pub spec: Option<String>,
    /// The `up` run that made it (`io.msmlab.owner`).
    pub owner: Option<String>,
    /// The session probe it carries (`io.msmlab.probe`).
    pub probe: Option<String>,
}

impl LabLabels {
    pub(super) fn read(labels: &HashMap<String, String>) -> LabLabels {
        LabLabels {
            lab: labels.get(LAB_LABEL).cloned().unwrap_or_default(),
            role: labels.get(ROLE_LABEL).and_then(|r| Role::parse(r)),
            index: labels.get(INDEX_LABEL).and_then(|i| i.parse().ok()).unwrap_or(0),
            spec: labels.get(SPEC_LABEL).cloned(),
            owner: labels.get(OWNER_LABEL).cloned(),
            probe: labels.get(PROBE_LABEL).cloned(),
        }
    }
}
