//! Turns results into what people and machines read: results on stdout, human text or JSON.
//! Nothing else prints results.

use std::fmt::Write;

use serde::Serialize;
use serde_json::json;

use crate::engine::ContainerInfo;
use crate::lab::{Found, Timings};
use crate::lock::JarSet;
use crate::relock::Relocked;
use crate::spec::{Serializer, Store, TomcatLine};
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

/// `msmlab jars`: what goes into Tomcat's `lib/` for one choice.
#[derive(Debug, Serialize)]
pub struct JarListing {
    pub tomcat: String,
    pub serializer: Serializer,
    pub store: Store,
    pub transcoder_factory: &'static str,
    /// JVM flags msmlab adds for this serializer (CATALINA_OPTS); empty when none.
    pub jvm_flags: &'static str,
    pub distribution: ListedJar,
    pub lib: Vec<ListedJar>,
}

#[derive(Debug, Serialize)]
pub struct ListedJar {
    pub coords: String,
    pub file: String,
    pub size: Option<u64>,
    pub sha256: String,
    pub cached: bool,
}

impl JarListing {
    /// `cached[i]` says whether the i-th of `set.all()` is in the cache, verified.
    pub fn new(tomcat: &TomcatLine, serializer: Serializer, store: Store, set: &JarSet, cached: &[bool]) -> JarListing {
        let listed: Vec<ListedJar> = set
            .all()
            .zip(cached)
            .map(|(a, &cached)| ListedJar {
                coords: a.coords.to_string(),
                file: a.coords.file_name(),
                size: a.size,
                sha256: a.sha256.clone(),
                cached,
            })
            .collect();
        let mut listed = listed.into_iter();
        let distribution = listed.next().expect("a jar set has a distribution");
        JarListing {
            tomcat: tomcat.to_string(),
            serializer,
            store,
            transcoder_factory: serializer.transcoder_factory(),
            jvm_flags: crate::plan::serializer_jvm_flags(serializer),
            distribution,
            lib: listed.collect(),
        }
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        let release = self.distribution.coords.rsplit(':').next().unwrap_or("");
        let _ = writeln!(
            out,
            "Tomcat {} ({release}) + {} + {}: {} jars for $CATALINA_HOME/lib",
            self.tomcat,
            self.serializer,
            self.store,
            self.lib.len()
        );
        let width = self.lib.iter().map(|j| j.coords.len()).max().unwrap_or(0);
        for j in self.lib.iter().chain(std::iter::once(&self.distribution)) {
            let size = j.size.map(|s| format!("{:.1} KB", s as f64 / 1024.0)).unwrap_or_default();
            let cached = if j.cached { "cached" } else { "not cached" };
            let _ = writeln!(out, "  {:width$}  {size:>10}  sha256 {}…  {cached}", j.coords, &j.sha256[..16]);
        }
        let _ = writeln!(out, "  (the last line is the Tomcat distribution the image is built from)");
        let _ = writeln!(out, "context.xml: transcoderFactoryClass=\"{}\"", self.transcoder_factory);
        if !self.jvm_flags.is_empty() {
            let _ = writeln!(out, "JVM flags (CATALINA_OPTS): {}", self.jvm_flags);
        }
        out
    }
}

/// `msmlab lock`: what changed.
pub fn relock_text(file: &str, r: &Relocked, same: bool) -> String {
    let mut out = String::new();
    let total = r.lock.artifacts.len();
    let _ = writeln!(out, "{file}: {total} artifacts pinned ({} unchanged, {} added, {} removed)", r.kept, r.added.len(), r.removed.len());
    for c in &r.added {
        let _ = writeln!(out, "  + {c}");
    }
    for c in &r.removed {
        let _ = writeln!(out, "  - {c}");
    }
    if same {
        let _ = writeln!(out, "{file} is up to date: the repository reproduces it byte for byte");
    } else if r.added.is_empty() && r.removed.is_empty() {
        let _ = writeln!(out, "{file} differs in layout or selection only");
    }
    out
}
