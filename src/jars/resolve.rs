//! The run-time jars of an artifact, as Maven would pick them: its compile and runtime
//! dependencies, transitively, without optional ones, honouring exclusions and dependency
//! management, the nearest declaration winning when two versions meet.
//!
//! POMs come from a [`PomSource`], so the walk is tested with a fake repository.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use crate::exit::{Classified, ExitStatus};
use crate::jars::lock::Coords;
use crate::jars::pom::{Dependency, EffectivePom, Key, Pom, PomError};

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Pom(#[from] PomError),
    #[error("{0}")]
    Fetch(String),
    #[error("{needed_by} needs {group}:{artifact} but no version is given for it (not in the POM, its parents or dependency management)")]
    NoVersion { group: String, artifact: String, needed_by: String },
    #[error("{needed_by} asks for {group}:{artifact}:{version}, a version range or an unresolved property; pin it in src/jars/policy.rs")]
    Unpinnable { group: String, artifact: String, version: String, needed_by: String },
    #[error("{0} has a parent chain deeper than 10 POMs (a loop?)")]
    ParentLoop(String),
}

/// Where POM text comes from: a Maven repository, or a fake in tests.
pub trait PomSource {
    /// The POM of `group:artifact:version`, and the URL (or name) it came from.
    fn pom(&self, group: &str, artifact: &str, version: &str) -> impl std::future::Future<Output = Result<(String, String), ResolveError>>;
}

/// One jar of the result, and the chain of artifacts that brought it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub coords: Coords,
    pub via: Vec<String>,
}

/// Walks POMs, reading each once.
pub struct Resolver<'s, S: PomSource> {
    source: &'s S,
    poms: HashMap<(String, String, String), EffectivePom>,
}

impl<'s, S: PomSource> Resolver<'s, S> {
    pub fn new(source: &'s S) -> Self {
        Resolver { source, poms: HashMap::new() }
    }

    /// The effective POM of `group:artifact:version`, parents merged.
    pub async fn effective(&mut self, group: &str, artifact: &str, version: &str) -> Result<EffectivePom, ResolveError> {
        let key = (group.to_string(), artifact.to_string(), version.to_string());
        if let Some(p) = self.poms.get(&key) {
            return Ok(p.clone());
        }
        let (text, origin) = self.source.pom(group, artifact, version).await?;
        let mut chain = vec![Pom::parse(&text, &origin)?];
        while let Some((g, a, v)) = chain.last().and_then(|p| p.parent.clone()) {
            if chain.len() > 10 {
                return Err(ResolveError::ParentLoop(origin));
            }
            let (text, parent_origin) = self.source.pom(&g, &a, &v).await?;
            chain.push(Pom::parse(&text, &parent_origin)?);
        }
        let effective = EffectivePom::merge(&chain, &origin)?;
        self.poms.insert(key, effective.clone());
        Ok(effective)
    }

    /// The root jar followed by its run-time dependencies, breadth first. `overrides` replace
    /// the version of an artifact wherever it appears (the policy's departures from the POMs);
    /// `exclude` drops artifacts (and what only they bring in).
    pub async fn closure(
        &mut self,
        root: &Coords,
        overrides: &BTreeMap<Key, String>,
        exclude: &BTreeSet<Key>,
    ) -> Result<Vec<Resolved>, ResolveError> {
        let root_pom = self.effective(&root.group, &root.artifact, &root.version).await?;
        // The root's dependency management governs the whole tree, as in Maven.
        let root_managed = root_pom.managed.clone();
        let mut chosen: BTreeMap<Key, String> = BTreeMap::new();
        chosen.insert((root.group.clone(), root.artifact.clone()), root.version.clone());
        let mut out = vec![Resolved { coords: root.clone(), via: Vec::new() }];
        let mut queue: VecDeque<(EffectivePom, Vec<String>, BTreeSet<Key>)> = VecDeque::from([(root_pom, Vec::new(), BTreeSet::new())]);

        while let Some((pom, via, exclusions)) = queue.pop_front() {
            let here = format!("{}:{}:{}", pom.group, pom.artifact, pom.version);
            let mut via = via;
            via.push(here.clone());
            for dep in pom.dependencies.iter().filter(|d| d.at_runtime()) {
                let key = dep.key();
                let excluded = |set: &BTreeSet<Key>| {
                    set.iter().any(|(g, a)| (g == "*" || *g == key.0) && (a == "*" || *a == key.1))
                };
                if excluded(exclude) || excluded(&exclusions) || chosen.contains_key(&key) {
                    continue;
                }
                let version = pick_version(dep, &key, overrides, &root_managed, &pom, &here)?;
                chosen.insert(key.clone(), version.clone());
                let coords = Coords::parse(&format!("{}:{}:{}", key.0, key.1, version)).ok_or_else(|| ResolveError::Unpinnable {
                    group: key.0.clone(),
                    artifact: key.1.clone(),
                    version: version.clone(),
                    needed_by: here.clone(),
                })?;
                let child = self.effective(&key.0, &key.1, &version).await?;
                let mut child_exclusions = exclusions.clone();
                child_exclusions.extend(dep.exclusions.iter().cloned());
                out.push(Resolved { coords, via: via.clone() });
                queue.push_back((child, via.clone(), child_exclusions));
            }
        }
        Ok(out)
    }
}

fn pick_version(
    dep: &Dependency,
    key: &Key,
    overrides: &BTreeMap<Key, String>,
    root_managed: &BTreeMap<Key, Dependency>,
    pom: &EffectivePom,
    here: &str,
) -> Result<String, ResolveError> {
    let version = overrides
        .get(key)
        .cloned()
        .or_else(|| root_managed.get(key).and_then(|m| m.version.clone()))
        .or_else(|| dep.version.clone())
        .or_else(|| pom.managed.get(key).and_then(|m| m.version.clone()))
        .ok_or_else(|| ResolveError::NoVersion { group: key.0.clone(), artifact: key.1.clone(), needed_by: here.into() })?;
    if version.contains("${") || version.starts_with(['[', '(']) || version.contains(',') {
        return Err(ResolveError::Unpinnable { group: key.0.clone(), artifact: key.1.clone(), version, needed_by: here.into() });
    }
    Ok(version)
}

impl Classified for ResolveError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            ResolveError::Pom(e) => e.exit_status(),
            _ => ExitStatus::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository held in memory: `g:a:v` → POM text.
    struct Fake(BTreeMap<String, String>);

    impl PomSource for Fake {
        async fn pom(&self, g: &str, a: &str, v: &str) -> Result<(String, String), ResolveError> {
            let k = format!("{g}:{a}:{v}");
            self.0.get(&k).map(|t| (t.clone(), k.clone())).ok_or_else(|| ResolveError::Fetch(format!("{k}: 404")))
        }
    }

    fn pom(gav: &str, deps: &[&str]) -> (String, String) {
        let [g, a, v]: [&str; 3] = gav.split(':').collect::<Vec<_>>().try_into().unwrap();
        let deps: String = deps
            .iter()
            .map(|d| {
                let parts: Vec<&str> = d.split(':').collect();
                let extra = match parts.get(3) {
                    Some(&"optional") => "<optional>true</optional>".to_string(),
                    Some(s) if s.starts_with("exclude=") => {
                        let (eg, ea) = s["exclude=".len()..].split_once('/').unwrap();
                        format!("<exclusions><exclusion><groupId>{eg}</groupId><artifactId>{ea}</artifactId></exclusion></exclusions>")
                    }
                    Some(scope) => format!("<scope>{scope}</scope>"),
                    None => String::new(),
                };
                format!("<dependency><groupId>{}</groupId><artifactId>{}</artifactId><version>{}</version>{extra}</dependency>", parts[0], parts[1], parts[2])
            })
            .collect();
        (gav.to_string(), format!("<project><groupId>{g}</groupId><artifactId>{a}</artifactId><version>{v}</version><dependencies>{deps}</dependencies></project>"))
    }

    fn names(r: &[Resolved]) -> Vec<String> {
        r.iter().map(|r| r.coords.to_string()).collect()
    }

    fn repo() -> Fake {
        Fake(BTreeMap::from([
            pom("m:serializer:2", &["m:core:2:provided", "k:serializers:0.41", "k:kryo:4.0.0", "w:wicket:1:optional", "j:junit:4:test"]),
            pom("k:serializers:0.41", &["k:kryo:3.0.0", "o:objenesis:2.1"]),
            pom("k:serializers:0.45", &["k:kryo:5.0.0", "o:objenesis:2.6"]),
            pom("k:kryo:4.0.0", &["k:minlog:1.3", "o:objenesis:2.2", "a:asm:5:exclude=a/asm-noise"]),
            pom("k:kryo:4.0.2", &["k:minlog:1.3", "o:objenesis:2.5"]),
            pom("k:minlog:1.3", &[]),
            pom("o:objenesis:2.1", &[]),
            pom("o:objenesis:2.2", &[]),
            pom("o:objenesis:2.5", &[]),
            pom("o:objenesis:2.6", &[]),
            pom("a:asm:5", &["a:asm-noise:1"]),
        ]))
    }

    #[tokio::test]
    async fn the_nearest_declaration_wins_and_test_provided_optional_are_left_out() {
        let fake = repo();
        let got = Resolver::new(&fake).closure(&Coords::parse("m:serializer:2").unwrap(), &BTreeMap::new(), &BTreeSet::new()).await.unwrap();
        // kryo 4.0.0 is declared by the root itself, so the 3.0.0 that serializers wants loses;
        // objenesis 2.1 comes first, at depth 2, through serializers.
        assert_eq!(names(&got), ["m:serializer:2", "k:serializers:0.41", "k:kryo:4.0.0", "o:objenesis:2.1", "k:minlog:1.3", "a:asm:5"]);
        assert_eq!(got[3].via, ["m:serializer:2", "k:serializers:0.41"]);
    }

    #[tokio::test]
    async fn overrides_replace_versions_everywhere() {
        let fake = repo();
        let overrides = BTreeMap::from([(("k".into(), "serializers".into()), "0.45".into()), (("k".into(), "kryo".into()), "4.0.2".into())]);
        let got = Resolver::new(&fake).closure(&Coords::parse("m:serializer:2").unwrap(), &overrides, &BTreeSet::new()).await.unwrap();
        assert_eq!(names(&got), ["m:serializer:2", "k:serializers:0.45", "k:kryo:4.0.2", "o:objenesis:2.6", "k:minlog:1.3"]);
    }

    #[tokio::test]
    async fn exclusions_drop_an_artifact_and_what_only_it_brings() {
        let fake = repo();
        let exclude = BTreeSet::from([("o".to_string(), "*".to_string())]);
        let got = Resolver::new(&fake).closure(&Coords::parse("k:kryo:4.0.0").unwrap(), &BTreeMap::new(), &exclude).await.unwrap();
        assert_eq!(names(&got), ["k:kryo:4.0.0", "k:minlog:1.3", "a:asm:5"], "asm-noise is excluded by kryo's own POM");
    }

    #[tokio::test]
    async fn a_missing_pom_names_the_artifact() {
        let fake = Fake(BTreeMap::from([pom("x:root:1", &["x:gone:1"])]));
        let err = Resolver::new(&fake).closure(&Coords::parse("x:root:1").unwrap(), &BTreeMap::new(), &BTreeSet::new()).await.unwrap_err();
        assert_eq!(err.to_string(), "x:gone:1: 404");
    }
}
