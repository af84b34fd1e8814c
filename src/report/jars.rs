//! What `jars` and `lock` print: the jar set of one choice, and what a re-lock changed.

use std::fmt::Write;

use serde::Serialize;

use crate::jars::lock::JarSet;
use crate::jars::relock::Relocked;
use crate::spec::{Serializer, Store, TomcatLine};

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
