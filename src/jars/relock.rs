//! `msmlab lock`: turns the policy (`policy.rs`) into a `jars.lock` by reading the real POMs
//! and metadata of a Maven repository and hashing every file it selects.
//!
//! Tomcat releases already pinned stay pinned unless an upgrade is asked for (as `cargo
//! update` does), so regenerating the lock on any day reproduces the committed file.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::{StreamExt, TryStreamExt};

use crate::exit::{Classified, ExitStatus};
use crate::jars::lock::{Artifact, Coords, Lock, TomcatEntry};
use crate::jars::maven::{FetchError, Fetcher};
use crate::jars::policy::{self, MSM_CORE, MSM_GROUP, MSM_VERSION, TOMCAT_ARTIFACT, TOMCAT_GROUP};
use crate::jars::pom::Key;
use crate::jars::resolve::{PomSource, ResolveError, Resolver};

#[derive(Debug, thiserror::Error)]
pub enum RelockError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("resolving {what}")]
    Resolve { what: String, source: ResolveError },
    #[error("{url} lists no Tomcat release starting with {prefix}")]
    NoRelease { url: String, prefix: String },
    #[error("--tomcat {release}: {url} has no such release; its {line} line has {newest} as the newest")]
    UnknownRelease { release: String, url: String, line: String, newest: String },
    #[error("--tomcat {0}: give a release of a line msmlab supports ({1}), such as 9.0.98")]
    BadRelease(String, String),
    #[error("{core} declares no {group}:{artifact}, the client of the {store} store")]
    NoClient { core: String, group: String, artifact: String, store: String },
    #[error(
        "{coords}: the repository now serves a file with sha256 {now}, but the current lock pins {pinned}.\n  \
         The same coordinates must never change: check the repository (a mirror out of sync, or tampering)"
    )]
    Changed { coords: String, pinned: String, now: String },
}

/// POMs straight from the repository.
impl PomSource for Fetcher {
    async fn pom(&self, group: &str, artifact: &str, version: &str) -> Result<(String, String), ResolveError> {
        let coords = Coords::parse(&format!("{group}:{artifact}:pom:{version}"))
            .ok_or_else(|| ResolveError::Fetch(format!("{group}:{artifact}:{version} are not valid coordinates")))?;
        self.text(&coords.repo_path()).await.map_err(|e| ResolveError::Fetch(e.to_string()))
    }
}

/// The new lock and how it differs from the previous one.
#[derive(Debug, Clone)]
pub struct Relocked {
    pub lock: Lock,
    pub added: Vec<Coords>,
    pub removed: Vec<Coords>,
    pub kept: usize,
}

/// `maven-metadata.xml`'s versions, in its order (oldest first).
pub fn metadata_versions(xml: &str) -> Vec<String> {
    let Ok(doc) = roxmltree::Document::parse(xml) else { return Vec::new() };
    doc.descendants()
        .filter(|n| n.has_tag_name("version") && n.parent().is_some_and(|p| p.has_tag_name("versions")))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect()
}

/// The newest final release (`x.y.z`, digits only) with `prefix`.
pub fn newest_release(versions: &[String], prefix: &str) -> Option<String> {
    let numeric = |v: &str| -> Option<Vec<u32>> { v.split('.').map(|p| p.parse().ok()).collect() };
    versions
        .iter()
        .filter(|v| v.starts_with(prefix))
        .filter_map(|v| numeric(v).filter(|n| n.len() == 3).map(|n| (n, v)))
        .max()
        .map(|(_, v)| v.clone())
}

fn coords(g: &str, a: &str, v: &str) -> Coords {
    Coords::parse(&format!("{g}:{a}:{v}")).expect("policy coordinates are valid")
}

/// What to change in the Tomcat releases: keep what `previous` pins (the default), move
/// every line to its newest release, or pin given releases.
#[derive(Debug, Clone, Default)]
pub struct Releases {
    pub upgrade: bool,
    /// Exact releases (`9.0.98`), at most one per line.
    pub pin: Vec<String>,
}

/// Resolves the policy against `fetcher`'s repository. Tomcat releases follow `releases`;
/// a file whose checksum changed under the same coordinates is refused.
pub async fn relock(fetcher: &Fetcher, previous: Option<&Lock>, releases: &Releases) -> Result<Relocked, RelockError> {
    check_pins(releases)?;
    let core = coords(MSM_GROUP, MSM_CORE, MSM_VERSION);
    let mut resolver = Resolver::new(fetcher);
    let tomcat = tomcat_lines(fetcher, &mut resolver, previous, releases).await?;
    let serializer = serializer_sets(&mut resolver).await?;
    let store = store_sets(&mut resolver, &core).await?;

    let mut all: BTreeSet<Coords> = BTreeSet::from([core.clone()]);
    for t in tomcat.values() {
        all.insert(t.distribution.clone());
        all.extend(t.jars.iter().chain(&t.migration).cloned());
    }
    all.extend(serializer.values().chain(store.values()).flatten().cloned());
    let artifacts = pin_all(fetcher, &all).await?;
    if let Some(prev) = previous {
        refuse_changed(prev, &artifacts)?;
    }
    let before: BTreeSet<Coords> = previous.map(|p| p.artifacts.keys().cloned().collect()).unwrap_or_default();
    let added = all.difference(&before).cloned().collect();
    let removed = before.difference(&all).cloned().collect();
    let kept = all.intersection(&before).count();
    let lock = Lock { common: vec![core], tomcat, serializer, store, artifacts };
    Ok(Relocked { lock, added, removed, kept })
}

/// Every release asked for names a line msmlab supports, as `x.y.z`.
fn check_pins(releases: &Releases) -> Result<(), RelockError> {
    let lines: Vec<&str> = policy::TOMCAT_LINES.iter().map(|l| l.prefix).collect();
    for r in &releases.pin {
        if !lines.iter().any(|p| r.starts_with(p)) || r.split('.').count() != 3 {
            return Err(RelockError::BadRelease(r.clone(), lines.iter().map(|p| format!("{p}x")).collect::<Vec<_>>().join(", ")));
        }
    }
    Ok(())
}

/// What `exclude` leaves out of every closure (Tomcat's own jars, among others).
fn excluded() -> BTreeSet<Key> {
    policy::EXCLUDE.iter().map(|(g, a, _)| ((*g).to_string(), (*a).to_string())).collect()
}

fn resolving(what: &Coords) -> impl FnOnce(ResolveError) -> RelockError {
    let what = what.to_string();
    move |source| RelockError::Resolve { what, source }
}

/// Each Tomcat line's distribution (the release kept, asked for, or the newest) and the
/// closure of its msm jar.
async fn tomcat_lines(
    fetcher: &Fetcher,
    resolver: &mut Resolver<'_, Fetcher>,
    previous: Option<&Lock>,
    releases: &Releases,
) -> Result<BTreeMap<u8, TomcatEntry>, RelockError> {
    let (meta, meta_url) = fetcher.text(&format!("{}/{TOMCAT_ARTIFACT}/maven-metadata.xml", TOMCAT_GROUP.replace('.', "/"))).await?;
    let available = metadata_versions(&meta);
    let mut tomcat = BTreeMap::new();
    for line in policy::TOMCAT_LINES {
        let newest = newest_release(&available, line.prefix)
            .ok_or_else(|| RelockError::NoRelease { url: meta_url.clone(), prefix: line.prefix.into() })?;
        let kept = previous
            .and_then(|p| p.tomcat.get(&line.major))
            .map(|t| t.distribution.version.clone())
            .filter(|v| !releases.upgrade && v.starts_with(line.prefix));
        let asked = releases.pin.iter().find(|r| r.starts_with(line.prefix));
        let release = match (asked, kept) {
            (Some(r), _) if !available.contains(r) => {
                return Err(RelockError::UnknownRelease { release: r.clone(), url: meta_url.clone(), line: line.prefix.into(), newest })
            }
            (Some(r), _) => r.clone(),
            (None, Some(v)) => v,
            (None, None) => newest,
        };
        let dist = Coords::parse(&format!("{TOMCAT_GROUP}:{TOMCAT_ARTIFACT}:tar.gz:{release}")).expect("valid");
        let jar = coords(MSM_GROUP, line.msm_jar, MSM_VERSION);
        let jars = resolver.closure(&jar, &BTreeMap::new(), &excluded()).await.map_err(resolving(&jar))?;
        let migration = line.jakarta.then(|| Coords::parse(policy::MIGRATION_TOOL).expect("valid"));
        tomcat.insert(line.major, TomcatEntry { distribution: dist, jars: jars.into_iter().map(|r| r.coords).collect(), migration });
    }
    Ok(tomcat)
}

/// Each serializer's module and its closure, with the policy's overrides.
async fn serializer_sets(resolver: &mut Resolver<'_, Fetcher>) -> Result<BTreeMap<String, Vec<Coords>>, RelockError> {
    let mut serializer = BTreeMap::new();
    for s in policy::SERIALIZERS {
        let jars = match s.module {
            None => Vec::new(),
            Some((artifact, version)) => {
                let root = coords(MSM_GROUP, artifact, version);
                let overrides = s.overrides.iter().map(|(g, a, v)| (((*g).into(), (*a).into()), (*v).into())).collect();
                let found = resolver.closure(&root, &overrides, &excluded()).await.map_err(resolving(&root))?;
                found.into_iter().map(|r| r.coords).collect()
            }
        };
        serializer.insert(s.serializer.lock_key().to_string(), jars);
    }
    Ok(serializer)
}

/// Each store's client, at the version msm's core POM declares, and its closure.
async fn store_sets(resolver: &mut Resolver<'_, Fetcher>, core: &Coords) -> Result<BTreeMap<String, Vec<Coords>>, RelockError> {
    let core_pom = resolver.effective(MSM_GROUP, MSM_CORE, MSM_VERSION).await.map_err(resolving(core))?;
    let mut store = BTreeMap::new();
    for s in policy::STORES {
        let (group, artifact) = s.client;
        let declared = core_pom.dependencies.iter().find(|d| d.group == group && d.artifact == artifact).and_then(|d| d.version.clone());
        let version = declared.ok_or_else(|| RelockError::NoClient {
            core: core.to_string(),
            group: group.into(),
            artifact: artifact.into(),
            store: s.store.to_string(),
        })?;
        let root = coords(group, artifact, &version);
        let found = resolver.closure(&root, &BTreeMap::new(), &excluded()).await.map_err(resolving(&root))?;
        store.insert(s.store.lock_key().to_string(), found.into_iter().map(|r| r.coords).collect::<Vec<_>>());
    }
    Ok(store)
}

/// Size and SHA-256 of every file, four downloads at a time.
async fn pin_all(fetcher: &Fetcher, all: &BTreeSet<Coords>) -> Result<BTreeMap<Coords, Artifact>, RelockError> {
    futures_util::stream::iter(all.iter().cloned().map(|c| async move {
        let (size, sha256) = fetcher.digest(&c).await?;
        Ok::<_, RelockError>((c.clone(), Artifact { coords: c, size: Some(size), sha256 }))
    }))
    .buffered(4)
    .try_collect()
    .await
}

/// The same coordinates must never change their bytes.
fn refuse_changed(previous: &Lock, artifacts: &BTreeMap<Coords, Artifact>) -> Result<(), RelockError> {
    for (c, a) in artifacts {
        if let Some(old) = previous.artifacts.get(c) {
            if old.sha256 != a.sha256 {
                return Err(RelockError::Changed { coords: c.to_string(), pinned: old.sha256.clone(), now: a.sha256.clone() });
            }
        }
    }
    Ok(())
}

impl Classified for RelockError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            RelockError::Fetch(e) => e.exit_status(),
            RelockError::Resolve { source, .. } => source.exit_status(),
            // A repository that now serves other bytes for pinned coordinates is treated like
            // one that serves the wrong jar to `up`: the repository named is at fault.
            RelockError::UnknownRelease { .. } | RelockError::BadRelease(..) | RelockError::Changed { .. } => ExitStatus::BadInput,
            RelockError::NoRelease { .. } | RelockError::NoClient { .. } => ExitStatus::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_final_release_of_a_line_is_chosen() {
        let xml = "<metadata><versioning><versions><version>9.0.9</version><version>9.0.117</version>\
                   <version>9.0.20</version><version>10.0.0-M1</version><version>8.5.100</version>\
                   <version>9.0.200-M1</version></versions></versioning></metadata>";
        let v = metadata_versions(xml);
        assert_eq!(v.len(), 6);
        assert_eq!(newest_release(&v, "9.0.").as_deref(), Some("9.0.117"));
        assert_eq!(newest_release(&v, "8.5.").as_deref(), Some("8.5.100"));
        assert_eq!(newest_release(&v, "7.0."), None);
    }
}
