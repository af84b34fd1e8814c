//! What `up`, `status` and `down` print, as text and as the shapes of their JSON, and
//! `logs --export`'s list of files.

use std::fmt::Write;

use serde::Serialize;

use crate::engine::swarm::{ServiceInfo, SwarmNode};
use crate::engine::ContainerInfo;
use crate::engine::registry::Deleted;
use crate::lab::logs::Export;
use crate::lab::webapp_check::WebappCheck;
use crate::lab::{Found, Timings};
use crate::ui::term::program;

pub fn status_text(status: &Status) -> String {
    let (lab, containers) = (status.lab, status.containers);
    if containers.is_empty() && status.services.is_empty() {
        return format!("No lab named {lab:?} (start one with `{} up --name {lab}`)\n", program());
    }
    let mut out = format!("Lab {lab:?}\n");
    if !status.services.is_empty() {
        return swarm_status_text(out, status);
    }
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

/// A lab on a swarm: its services, the task of each replica and the node it runs on, and
/// the swarm's nodes.
fn swarm_status_text(mut out: String, status: &Status) -> String {
    let _ = writeln!(out, "  {:<28} {:<10} {:>8}  PUBLISHED", "SERVICE", "ROLE", "REPLICAS");
    for s in status.services {
        let running = status.containers.iter().filter(|c| c.role == s.role && c.state.is_running() && (c.role == Some(crate::labspec::names::Role::Tomcat) || c.name == s.name)).count();
        let role = s.role.map_or("?".to_string(), |r| r.to_string());
        let published = s.published.map_or("-".to_string(), |p| format!("{p} (host mode)"));
        let _ = writeln!(out, "  {:<28} {:<10} {:>8}  {published}", s.name, role, format!("{running}/{}", s.replicas));
    }
    let _ = writeln!(out, "  {:<28} {:<10} {:<9} {:<22} TASK", "REPLICA", "ROLE", "STATE", "NODE");
    for c in status.containers {
        let role = c.role.map_or("?".to_string(), |r| r.to_string());
        let _ = writeln!(out, "  {:<28} {:<10} {:<9} {:<22} {}", c.name, role, c.state, c.node.as_deref().unwrap_or("-"), c.task.as_deref().map_or("-", |t| &t[..t.len().min(12)]));
    }
    if !status.nodes.is_empty() {
        let _ = writeln!(out, "  {:<28} {:<10} {:<9} {:<22} ADDRESS", "NODE", "ROLE", "STATE", "AVAILABILITY");
        for n in status.nodes {
            let role = if n.manager { "manager" } else { "worker" };
            let _ = writeln!(out, "  {:<28} {:<10} {:<9} {:<22} {}", n.hostname, role, n.state, n.availability, n.addr);
        }
    }
    out
}

/// What `status --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Status<'a> {
    pub lab: &'a str,
    pub exists: bool,
    pub containers: &'a [ContainerInfo],
    /// On a swarm: the lab's services and the swarm's nodes.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub services: &'a [ServiceInfo],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub nodes: &'a [SwarmNode],
}

pub fn status_json(lab: &str, containers: &[ContainerInfo]) -> String {
    serde_json::to_string_pretty(&Status { lab, exists: !containers.is_empty(), containers, services: &[], nodes: &[] }).expect("status serializes")
}

pub fn down_text(lab: &str, removed: &Found) -> String {
    if removed.is_empty() {
        return format!("Nothing to remove: no resource carries the label io.msmlab.lab={lab}\n");
    }
    let mut out = format!("Removed lab {lab:?} ({}):\n", removed.summary());
    for name in removed.names() {
        let _ = writeln!(out, "  {name}");
    }
    for (reference, outcome) in &removed.pushed {
        let _ = match outcome {
            Deleted::Deleted => writeln!(out, "  {reference} (deleted from the registry)"),
            Deleted::Gone => writeln!(out, "  {reference} (no longer in the registry)"),
            Deleted::Kept(why) => writeln!(out, "  ! {reference} is still in the registry: {why}"),
        };
    }
    out
}

/// What `up --json` prints when the lab was up and healthy already.
#[derive(Debug, Clone, Serialize)]
pub struct AlreadyUpReport {
    pub lab: String,
    pub url: String,
    pub already_up: bool,
    /// What the user's webapp answered (`up --webapp`): checked again on a lab that was up.
    pub webapp_check: Option<WebappCheck>,
    pub containers: Vec<ContainerInfo>,
}

pub fn already_up_text(lab: &str, url: &str) -> String {
    format!(
        "Lab {lab:?} is already up and healthy with these settings; nothing to do (rebuild it with `--recreate`)\n  \
         open {url}\n  check it with `{msmlab} verify --name {lab}`, remove it with `{msmlab} down --name {lab}`\n",
        msmlab = program()
    )
}

pub fn down_all_text(removed: &std::collections::BTreeMap<String, Found>) -> String {
    if removed.is_empty() {
        return "Nothing to remove: no resource carries the label io.msmlab.lab\n".into();
    }
    removed.iter().map(|(lab, found)| down_text(lab, found)).collect()
}

/// What `up --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct UpReport {
    pub lab: String,
    pub url: String,
    /// The user's webapp (`up --webapp`), if any.
    pub webapp_url: Option<String>,
    /// What its root, or `--webapp-page`, answered (`up --webapp`).
    pub webapp_check: Option<WebappCheck>,
    /// Seconds per step.
    pub timings: TimingsJson,
    /// What the containers themselves needed, in seconds (see `lab::Floor`).
    pub floor: FloorJson,
    pub containers: Vec<ContainerInfo>,
}

/// `start_to_ready` is `start` plus `ready`.
#[derive(Debug, Clone, Serialize)]
pub struct TimingsJson {
    pub fetch: f64,
    pub images: f64,
    pub create: f64,
    pub start: f64,
    pub ready: f64,
    pub start_to_ready: f64,
    pub total: f64,
}

fn secs(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

impl From<&Timings> for TimingsJson {
    fn from(t: &Timings) -> Self {
        let s = secs;
        TimingsJson {
            fetch: s(t.fetch),
            images: s(t.images),
            create: s(t.create),
            start: s(t.start),
            ready: s(t.ready),
            start_to_ready: s(t.start_to_ready),
            total: s(t.total),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FloorJson {
    pub slowest_tomcat_startup: Option<f64>,
    pub nginx_first_answer: f64,
    pub total: Option<f64>,
}

impl From<&Timings> for FloorJson {
    fn from(t: &Timings) -> Self {
        FloorJson {
            slowest_tomcat_startup: t.floor.slowest_tomcat_startup.map(secs),
            nginx_first_answer: secs(t.floor.nginx_first_answer),
            total: t.floor.total().map(secs),
        }
    }
}

/// What `down --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct DownReport<'a> {
    pub lab: &'a str,
    pub removed: &'a Found,
}

pub fn export_text(e: &Export) -> String {
    // The path alone on stdout, as `kind export logs` does, so scripts can pick it up.
    format!("{}\n", e.dir.display())
}

pub fn up_text(lab: &str, url: &str, webapp_url: Option<&str>, t: &Timings) -> String {
    let mut out = format!(
        "Lab {lab:?} is up in {:.1}s (fetch {:.1}s, images {:.1}s, create {:.1}s, start {:.1}s, ready {:.1}s)\n  open {url}\n",
        t.total.as_secs_f64(),
        t.fetch.as_secs_f64(),
        t.images.as_secs_f64(),
        t.create.as_secs_f64(),
        t.start.as_secs_f64(),
        t.ready.as_secs_f64(),
    );
    if let Some(w) = webapp_url {
        let path = w.splitn(4, '/').nth(3).map_or("/".to_string(), |p| format!("/{p}"));
        let _ = writeln!(out, "  your webapp: {w} (check it with `{} verify --name {lab} --path {path}`)", program());
    }
    let _ = writeln!(out, "  check it with `{msmlab} verify --name {lab}`, remove it with `{msmlab} down --name {lab}`", msmlab = program());
    out
}

/// What `up` says about the user's webapp: that it answers, or that it does not, with what
/// Tomcat logged, and that the lab stays for a look.
pub fn webapp_check_text(lab: &str, check: &WebappCheck) -> String {
    let msmlab = program();
    if check.ok {
        return format!("  checked your webapp: GET {} {}\n", check.url, check.detail);
    }
    let mut out = format!("✗ your webapp does not answer: GET {} {}\n", check.url, check.detail);
    match &check.severe {
        Some(line) => {
            let _ = writeln!(out, "  first SEVERE line of its context: {line}");
        }
        None => out.push_str("  Tomcat logged no SEVERE line about its context\n"),
    }
    let _ = writeln!(
        out,
        "  The lab runs (the test page answers) and is kept so you can look: `{msmlab} logs --name {lab}`; remove it with `{msmlab} down --name {lab}`"
    );
    out
}

/// `up --timings`: every phase on its own line, and the physical floor beside the result.
pub fn up_timings_text(t: &Timings) -> String {
    let s = |d: std::time::Duration| format!("{:>6.2}s", d.as_secs_f64());
    let mut out = String::from("Timings:\n");
    let _ = writeln!(out, "  fetch    {}  jars checked or downloaded", s(t.fetch));
    let _ = writeln!(out, "  images   {}  base images and lab images (built or reused)", s(t.images));
    let _ = writeln!(out, "  create   {}  network, containers, uploads (the store starts meanwhile)", s(t.create));
    let _ = writeln!(out, "  start    {}  until the engine started every container", s(t.start));
    let _ = writeln!(out, "  ready    {}  until every probe passed and nginx reached every Tomcat", s(t.ready));
    let _ = writeln!(out, "  total    {}", s(t.total));
    match (t.floor.slowest_tomcat_startup, t.floor.total()) {
        (Some(tomcat), Some(floor)) => {
            let _ = writeln!(
                out,
                "  floor    {}  slowest Tomcat's \"Server startup in\" {:.2}s + nginx's first proxied answer {:.3}s",
                s(floor),
                tomcat.as_secs_f64(),
                t.floor.nginx_first_answer.as_secs_f64()
            );
            let _ = writeln!(out, "  start to ready / floor: {:.2}×", t.start_to_ready.as_secs_f64() / floor.as_secs_f64());
        }
        _ => {
            let _ = writeln!(out, "  floor    (no Tomcat startup line could be read)");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webapp_that_does_not_answer_is_said_with_tomcats_line_and_how_to_look() {
        let failed = WebappCheck {
            ok: false,
            url: "http://127.0.0.1:13355/my/".into(),
            status: Some(500),
            detail: "answered 500".into(),
            severe: Some("tc-1: … SEVERE [exec-1] … JasperException".into()),
        };
        let text = webapp_check_text("dev", &failed);
        assert!(text.starts_with("✗ your webapp does not answer: GET http://127.0.0.1:13355/my/ answered 500\n"), "{text}");
        assert!(text.contains("  first SEVERE line of its context: tc-1: … SEVERE [exec-1] … JasperException\n"), "{text}");
        assert!(text.contains("is kept so you can look: `") && text.contains(" logs --name dev`; remove it with `"), "{text}");
        let none = WebappCheck { severe: None, ..failed.clone() };
        assert!(webapp_check_text("dev", &none).contains("Tomcat logged no SEVERE line about its context"));
        let fine = WebappCheck { ok: true, status: Some(200), detail: "answered 200".into(), severe: None, ..failed };
        assert_eq!(webapp_check_text("dev", &fine), "  checked your webapp: GET http://127.0.0.1:13355/my/ answered 200\n");
    }
}
