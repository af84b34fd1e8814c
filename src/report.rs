//! Turns results into what people and machines read: results on stdout, human text or JSON.
//! Nothing else prints results.

use std::fmt::Write;

use serde_json::json;

use crate::engine::ContainerInfo;
use crate::lab::{Found, Timings};
use crate::verify::Verdict;

pub fn verdict_text(v: &Verdict) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Lab {:?}: {} requests through {}", v.lab, v.requests.len(), v.url);
    let width = v.checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in &v.checks {
        let mark = if c.ok { "✓" } else { "✗" };
        let _ = writeln!(out, "  {mark} {:width$}  {}", c.name, c.detail);
    }
    let failed: Vec<&str> = v.checks.iter().filter(|c| !c.ok).map(|c| c.name).collect();
    if v.ok {
        let _ = writeln!(out, "PASS: the session is shared");
    } else {
        let _ = writeln!(out, "FAIL: {}", failed.join(", "));
    }
    out
}

pub fn verdict_json(v: &Verdict) -> String {
    serde_json::to_string_pretty(v).expect("a verdict serializes")
}

pub fn status_text(lab: &str, containers: &[ContainerInfo]) -> String {
    if containers.is_empty() {
        return format!("No lab named {lab:?} (start one with `msmlab up --name {lab}`)\n");
    }
    let mut out = format!("Lab {lab:?}\n");
    let _ = writeln!(out, "  {:<32} {:<10} {:<9} {:<15} PUBLISHED", "CONTAINER", "ROLE", "STATE", "ADDRESS");
    for c in containers {
        let role = c.role.map_or("?".to_string(), |r| r.to_string());
        let published = c.published.as_deref().unwrap_or("-");
        let _ = writeln!(
            out,
            "  {:<32} {:<10} {:<9} {:<15} {published}",
            c.name,
            role,
            c.state,
            c.address.as_deref().unwrap_or("-")
        );
    }
    out
}

pub fn status_json(lab: &str, containers: &[ContainerInfo]) -> String {
    serde_json::to_string_pretty(&json!({ "lab": lab, "exists": !containers.is_empty(), "containers": containers }))
        .expect("status serializes")
}

pub fn down_text(lab: &str, removed: &Found) -> String {
    if removed.is_empty() {
        return format!("Nothing to remove: no resource carries the label io.msmlab.lab={lab}\n");
    }
    let mut out = format!("Removed lab {lab:?} ({}):\n", removed.summary());
    for name in removed.names() {
        let _ = writeln!(out, "  {name}");
    }
    out
}

pub fn already_up_text(lab: &str, url: &str) -> String {
    format!(
        "Lab {lab:?} is already up and healthy with these settings; nothing to do (rebuild it with `--recreate`)\n  \
         open {url}\n  check it with `msmlab verify --name {lab}`, remove it with `msmlab down --name {lab}`\n"
    )
}

pub fn down_all_text(removed: &std::collections::BTreeMap<String, Found>) -> String {
    if removed.is_empty() {
        return "Nothing to remove: no resource carries the label io.msmlab.lab\n".into();
    }
    removed.iter().map(|(lab, found)| down_text(lab, found)).collect()
}

pub fn up_text(lab: &str, url: &str, t: &Timings) -> String {
    format!(
        "Lab {lab:?} is up in {:.1}s (fetch {:.1}s, images {:.1}s, create {:.1}s, start to ready {:.1}s)\n  \
         open {url}\n  check it with `msmlab verify --name {lab}`, remove it with `msmlab down --name {lab}`\n",
        t.total.as_secs_f64(),
        t.fetch.as_secs_f64(),
        t.images.as_secs_f64(),
        t.create.as_secs_f64(),
        t.start_to_ready.as_secs_f64(),
    )
}
