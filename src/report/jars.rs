//! What `jars` and `lock` print: the jar set of one choice, and what a re-lock changed.

use std::fmt::Write;

use serde::Serialize;

use crate::jars::jakarta::Converted;
use crate::jars::lock::{Artifact, JarSet};
use crate::jars::relock::Relocked;
use crate::labspec::{Serializer, Store, TomcatLine};

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
    /// The javax-to-jakarta migration tool (Tomcat 10.1 and 11).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration: Option<ListedJar>,
    /// Jars msmlab compiles for this line (Tomcat 11's Manager), also for `lib/`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub built: Vec<BuiltJar>,
}

#[derive(Debug, Serialize)]
pub struct ListedJar {
    pub coords: String,
    pub file: String,
    pub size: Option<u64>,
    pub sha256: String,
    pub cached: bool,
    /// What goes into `lib/` instead, on a Jakarta line: the jar converted to jakarta.servlet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converted: Option<BuiltJar>,
}

/// A file msmlab made: a converted jar, or a class of its own.
#[derive(Debug, Clone, Serialize)]
pub struct BuiltJar {
    pub file: String,
    pub size: u64,
    pub sha256: String,
    /// "converted from … by …", or what the class is for.
    pub note: String,
}

impl JarListing {
    /// `cached[i]` says whether the i-th of `set.all()` is in the cache, verified;
    /// `converted` are the Jakarta conversions of lib jars, `built` msmlab's own jars.
    pub fn new(tomcat: &TomcatLine, serializer: Serializer, store: Store, set: &JarSet, cached: &[bool], converted: &[Converted], built: Vec<BuiltJar>) -> JarListing {
        let listed = |a: &Artifact, cached: bool| ListedJar {
            coords: a.coords.to_string(),
            file: a.coords.file_name(),
            size: a.size,
            sha256: a.sha256.clone(),
            cached,
            converted: converted.iter().find(|c| c.from == *a).map(|c| BuiltJar {
                file: a.coords.file_name(),
                size: c.size,
                sha256: c.sha256.clone(),
                note: c.describe(),
            }),
        };
        let cached_at = |i: usize| cached.get(i).copied().unwrap_or(false);
        JarListing {
            tomcat: tomcat.to_string(),
            serializer,
            store,
            transcoder_factory: serializer.transcoder_factory(),
            jvm_flags: crate::plan::serializer_jvm_flags(serializer),
            distribution: listed(&set.distribution, cached_at(0)),
            lib: set.lib.iter().enumerate().map(|(i, a)| listed(a, cached_at(i + 1))).collect(),
            migration: set.migration.as_ref().map(|a| listed(a, cached_at(set.lib.len() + 1))),
            built,
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
            if let Some(c) = &j.converted {
                let _ = writeln!(out, "  {:width$}  {:>10}  sha256 {}…  {}", "  → into lib/:", format!("{:.1} KB", c.size as f64 / 1024.0), &c.sha256[..16], c.note);
            }
        }
        let _ = writeln!(out, "  (the last line is the Tomcat distribution the image is built from)");
        for b in &self.built {
            let _ = writeln!(out, "  {:width$}  {:>10}  sha256 {}…  {}", b.file, format!("{:.1} KB", b.size as f64 / 1024.0), &b.sha256[..16], b.note);
        }
        if let Some(m) = &self.migration {
            let cached = if m.cached { "cached" } else { "not cached" };
            let _ = writeln!(out, "converted with {} (sha256 {}…, {cached}): Tomcat {} uses jakarta.servlet, msm's jars javax.servlet", m.coords, &m.sha256[..16], self.tomcat);
        }
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
