//! The engine's filter for what carries msmlab's lab label.

use std::collections::HashMap;

use crate::labspec::names::LAB_LABEL;

/// The engine's filter for what carries the lab label (of `lab`, or of any lab).
pub(super) fn label_filter(lab: Option<&str>) -> HashMap<String, Vec<String>> {
    let value = match lab {
        Some(lab) => format!("{LAB_LABEL}={lab}"),
        None => LAB_LABEL.to_string(),
    };
    HashMap::from([("label".to_string(), vec![value])])
}
