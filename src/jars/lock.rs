//! `jars.lock`: every artifact msmlab downloads, with its Maven coordinates and SHA-256,
//! and which of them a Tomcat line, a serializer and a store select.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::exit::{Classified, ExitStatus};
use crate::labspec::{Serializer, Store, TomcatLine};

/// The lock shipped with this build of msmlab.
pub const BUNDLED: &str = include_str!("../../jars.lock");

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("cannot read {path}")]
    Read { path: String, source: std::io::Error },
    #[error("{path} is not a valid lock file: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: unsupported lock version {found} (this msmlab reads version 1)")]
    Version { path: String, found: u32 },
    #[error("{path}: invalid coordinates {coords:?}: expected groupId:artifactId[:extension[:classifier]]:version")]
    Coords { path: String, coords: String },
    #[error("{path}: {coords} has sha256 {sha256:?}, which is not 64 hexadecimal digits")]
    Sha256 { path: String, coords: String, sha256: String },
    #[error("{path}: {coords} is selected by [{section}] but has no [[artifact]] entry with its checksum")]
    Unpinned { path: String, section: String, coords: String },
    #[error("Tomcat {line} is not in the lock (lines in it: {available}); this msmlab supports Tomcat {available}")]
    NoTomcat { line: TomcatLine, available: String },
    #[error(
        "Tomcat {asked} is not pinned: jars.lock pins {pinned} for the {line} line; \
         ask for --tomcat {line} (or --tomcat {pinned}){}", repin_hint(.asked)
    )]
    TomcatVersion { asked: String, pinned: String, line: u8 },
    #[error("serializer {0} is not in the lock")]
    NoSerializer(String),
    #[error("store {0} is not in the lock")]
    NoStore(String),
}

/// How to pin another exact release (`9.0.98`); nothing to say for a line such as `8.0`.
fn repin_hint(asked: &str) -> String {
    if asked.split('.').count() == 3 {
        format!(", or pin it in a lock of your own: `msmlab lock --lockfile my.lock --tomcat {asked}` then `msmlab up --lockfile my.lock --tomcat {asked}`")
    } else {
        String::new()
    }
}

/// Maven coordinates: `groupId:artifactId[:extension[:classifier]]:version`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Coords {
    pub group: String,
    pub artifact: String,
    pub extension: String,
    pub classifier: Option<String>,
    pub version: String,
}

impl Coords {
    pub fn parse(s: &str) -> Option<Coords> {
        let parts: Vec<&str> = s.split(':').collect();
        let safe = |p: &&str| {
            !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) && *p != "." && *p != ".."
        };
        if !parts.iter().all(safe) {
            return None;
        }
        let (group, artifact, extension, classifier, version) = match parts.as_slice() {
            [g, a, v] => (g, a, "jar", None, v),
            [g, a, e, v] => (g, a, *e, None, v),
            [g, a, e, c, v] => (g, a, *e, Some(c.to_string()), v),
            _ => return None,
        };
        Some(Coords {
            group: group.to_string(),
            artifact: artifact.to_string(),
            extension: extension.to_string(),
            classifier,
            version: version.to_string(),
        })
    }

    /// `artifactId-version[-classifier].extension`
    pub fn file_name(&self) -> String {
        match &self.classifier {
            Some(c) => format!("{}-{}-{}.{}", self.artifact, self.version, c, self.extension),
            None => format!("{}-{}.{}", self.artifact, self.version, self.extension),
        }
    }

    /// The path in Maven's repository layout, relative to the repository root.
    pub fn repo_path(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.group.replace('.', "/"),
            self.artifact,
            self.version,
            self.file_name()
        )
    }
}

impl fmt::Display for Coords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.group, self.artifact)?;
        if self.extension != "jar" || self.classifier.is_some() {
            write!(f, ":{}", self.extension)?;
        }
        if let Some(c) = &self.classifier {
            write!(f, ":{c}")?;
        }
        write!(f, ":{}", self.version)
    }
}

/// Coordinates serialize as their text form, as in `jars.lock`.
impl Serialize for Coords {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One pinned file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Artifact {
    pub coords: Coords,
    pub size: Option<u64>,
    pub sha256: String,
}

/// The files one lab needs: the Tomcat distribution its image is built from, and the jars
/// that go into Tomcat's `lib/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JarSet {
    pub distribution: Artifact,
    pub lib: Vec<Artifact>,
    /// Apache's javax-to-jakarta migration tool, for a line whose `lib` jars are converted
    /// before they go in (Tomcat 10.1 and 11, docs/jakarta.md); `None`: used as they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration: Option<Artifact>,
}

impl JarSet {
    /// Every file to fetch: the distribution, the lib jars, and the migration tool.
    pub fn all(&self) -> impl Iterator<Item = &Artifact> {
        std::iter::once(&self.distribution).chain(self.lib.iter()).chain(self.migration.iter())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLock {
    version: u32,
    common: RawSet,
    #[serde(default)]
    tomcat: BTreeMap<String, RawTomcat>,
    #[serde(default)]
    serializer: BTreeMap<String, RawSet>,
    #[serde(default)]
    store: BTreeMap<String, RawSet>,
    #[serde(default)]
    artifact: Vec<RawArtifact>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSet {
    jars: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTomcat {
    distribution: String,
    jars: Vec<String>,
    #[serde(default)]
    migration: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArtifact {
    coords: String,
    size: Option<u64>,
    sha256: String,
}

/// One `[tomcat.<line>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomcatEntry {
    pub distribution: Coords,
    pub jars: Vec<Coords>,
    /// The javax-to-jakarta migration tool every lib jar of this line goes through.
    pub migration: Option<Coords>,
}

/// A parsed and checked lock: every selected coordinate has a pinned checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    pub common: Vec<Coords>,
    /// By major line: the distribution, the msm `tcN` jar, and for a Jakarta line the tool.
    pub tomcat: BTreeMap<u8, TomcatEntry>,
    pub serializer: BTreeMap<String, Vec<Coords>>,
    pub store: BTreeMap<String, Vec<Coords>>,
    pub artifacts: BTreeMap<Coords, Artifact>,
}

impl Lock {
    pub fn bundled() -> Lock {
        Lock::parse(BUNDLED, "jars.lock (bundled)").expect("the bundled jars.lock is checked by the tests")
    }

    /// Parses lock text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Lock, LockError> {
        let path = origin.to_string();
        let raw: RawLock =
            toml::from_str(text).map_err(|e| LockError::Parse { path: path.clone(), message: e.to_string() })?;
        if raw.version != 1 {
            return Err(LockError::Version { path, found: raw.version });
        }
        let coords = |s: &str| Coords::parse(s).ok_or_else(|| LockError::Coords { path: path.clone(), coords: s.into() });
        let many = |v: &[String]| v.iter().map(|s| coords(s)).collect::<Result<Vec<_>, _>>();

        let mut artifacts = BTreeMap::new();
        for a in &raw.artifact {
            let c = coords(&a.coords)?;
            let sha = a.sha256.to_ascii_lowercase();
            if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(LockError::Sha256 { path, coords: a.coords.clone(), sha256: a.sha256.clone() });
            }
            artifacts.insert(c.clone(), Artifact { coords: c, size: a.size, sha256: sha });
        }
        let mut tomcat = BTreeMap::new();
        for (line, t) in &raw.tomcat {
            let major: u8 = line
                .parse()
                .map_err(|_| LockError::Parse { path: path.clone(), message: format!("[tomcat.{line}]: the key must be a major version such as 9") })?;
            let migration = t.migration.as_deref().map(coords).transpose()?;
            tomcat.insert(major, TomcatEntry { distribution: coords(&t.distribution)?, jars: many(&t.jars)?, migration });
        }
        let lock = Lock {
            common: many(&raw.common.jars)?,
            tomcat,
            serializer: raw.serializer.iter().map(|(k, s)| Ok((k.clone(), many(&s.jars)?))).collect::<Result<_, LockError>>()?,
            store: raw.store.iter().map(|(k, s)| Ok((k.clone(), many(&s.jars)?))).collect::<Result<_, LockError>>()?,
            artifacts,
        };
        lock.check_pinned(&path)?;
        Ok(lock)
    }

    /// The lock as the text of a `jars.lock` (`templates/jars.lock`); parsing it gives this lock back.
    pub fn to_text(&self) -> Result<String, crate::templates::RenderError> {
        #[derive(Serialize)]
        struct Section {
            name: String,
            distribution: Option<String>,
            jars: Vec<String>,
            migration: Option<String>,
        }
        let section = |name: String, distribution: Option<&Coords>, jars: &[Coords]| Section {
            name,
            distribution: distribution.map(|d| d.to_string()),
            jars: jars.iter().map(|c| c.to_string()).collect(),
            migration: None,
        };
        #[derive(Serialize)]
        struct Ctx<'a> {
            common: Section,
            tomcat: Vec<Section>,
            serializer: Vec<Section>,
            store: Vec<Section>,
            artifacts: Vec<&'a Artifact>,
        }
        let ctx = Ctx {
            common: section("common".into(), None, &self.common),
            tomcat: self
                .tomcat
                .iter()
                .map(|(k, t)| Section { migration: t.migration.as_ref().map(Coords::to_string), ..section(k.to_string(), Some(&t.distribution), &t.jars) })
                .collect(),
            serializer: self.serializer.iter().map(|(k, j)| section(k.clone(), None, j)).collect(),
            store: self.store.iter().map(|(k, j)| section(k.clone(), None, j)).collect(),
            artifacts: self.artifacts.values().collect(),
        };
        crate::templates::render("jars.lock", ctx)
    }

    /// Major Tomcat lines in the lock.
    pub fn tomcat_lines(&self) -> impl Iterator<Item = u8> + '_ {
        self.tomcat.keys().copied()
    }

    fn check_pinned(&self, path: &str) -> Result<(), LockError> {
        let mut selected: Vec<(String, &Coords)> = self.common.iter().map(|c| ("common".to_string(), c)).collect();
        for (line, t) in &self.tomcat {
            selected.extend(std::iter::once(&t.distribution).chain(&t.jars).chain(&t.migration).map(|c| (format!("tomcat.{line}"), c)));
        }
        for (kind, sets) in [("serializer", &self.serializer), ("store", &self.store)] {
            for (key, jars) in sets {
                selected.extend(jars.iter().map(|c| (format!("{kind}.{key}"), c)));
            }
        }
        for (section, c) in selected {
            if !self.artifacts.contains_key(c) {
                return Err(LockError::Unpinned { path: path.into(), section, coords: c.to_string() });
            }
        }
        Ok(())
    }

    fn no_tomcat(&self, line: &TomcatLine) -> LockError {
        let available = self.tomcat.keys().map(|k| k.to_string()).collect::<Vec<_>>().join(", ");
        LockError::NoTomcat { line: line.clone(), available }
    }

    /// The complete set for a Tomcat line, a serializer and a store, in a stable order.
    /// With `with_msm == false` (the control lab) no jar goes into `lib/`.
    pub fn select(&self, line: &TomcatLine, serializer: Serializer, store: Store, with_msm: bool) -> Result<JarSet, LockError> {
        let entry = self.tomcat.get(&line.major()).ok_or_else(|| self.no_tomcat(line))?;
        let (dist, tc_jars) = (&entry.distribution, &entry.jars);
        if !line.admits(&dist.version) {
            return Err(LockError::TomcatVersion { asked: line.to_string(), pinned: dist.version.clone(), line: line.major() });
        }
        let store = store.lock_key();
        let ser = self
            .serializer
            .get(serializer.lock_key())
            .ok_or_else(|| LockError::NoSerializer(serializer.lock_key().into()))?;
        let st = self.store.get(store).ok_or_else(|| LockError::NoStore(store.into()))?;
        let mut lib: Vec<Artifact> = Vec::new();
        if with_msm {
            for c in self.common.iter().chain(tc_jars).chain(ser).chain(st) {
                let a = &self.artifacts[c];
                if !lib.contains(a) {
                    lib.push(a.clone());
                }
            }
        }
        let migration = entry.migration.as_ref().filter(|_| with_msm).map(|c| self.artifacts[c].clone());
        Ok(JarSet { distribution: self.artifacts[dist].clone(), lib, migration })
    }
}

impl Classified for LockError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::BadInput
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_map_to_maven_repository_paths() {
        let c = Coords::parse("de.javakaffee.msm:memcached-session-manager-tc9:2.3.2").unwrap();
        assert_eq!(c.repo_path(), "de/javakaffee/msm/memcached-session-manager-tc9/2.3.2/memcached-session-manager-tc9-2.3.2.jar");
        let t = Coords::parse("org.apache.tomcat:tomcat:tar.gz:9.0.117").unwrap();
        assert_eq!(t.repo_path(), "org/apache/tomcat/tomcat/9.0.117/tomcat-9.0.117.tar.gz");
        assert_eq!(t.to_string(), "org.apache.tomcat:tomcat:tar.gz:9.0.117");
        let k = Coords::parse("g:a:jar:tests:1").unwrap();
        assert_eq!(k.file_name(), "a-1-tests.jar");
    }

    #[test]
    fn coordinates_that_could_escape_the_cache_are_rejected() {
        for bad in ["a:b", "a::1", "a:b:../../etc:1", "a/b:c:1", "a:b:c:d:e:f", "a:b:..", "a b:c:1"] {
            assert!(Coords::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn bundled_lock_pins_the_tomcat_9_java_set() {
        let lock = Lock::bundled();
        let set = lock.select(&"9".parse().unwrap(), Serializer::Java, Store::Memcached, true).unwrap();
        let names: Vec<String> = set.lib.iter().map(|a| a.coords.to_string()).collect();
        assert_eq!(
            names,
            [
                "de.javakaffee.msm:memcached-session-manager:2.3.2",
                "de.javakaffee.msm:memcached-session-manager-tc9:2.3.2",
                "net.spy:spymemcached:2.12.0",
            ]
        );
        assert_eq!(set.distribution.coords.artifact, "tomcat");
        assert!(set.distribution.coords.version.starts_with("9.0."));
        assert!(set.all().all(|a| a.sha256.len() == 64));
    }

    #[test]
    fn the_control_lab_puts_no_jar_in_lib() {
        let lock = Lock::bundled();
        let set = lock.select(&"9".parse().unwrap(), Serializer::Java, Store::Memcached, false).unwrap();
        assert!(set.lib.is_empty());
    }

    #[test]
    fn a_line_missing_from_the_lock_names_the_lines_it_has() {
        let err = Lock::bundled().select(&"6".parse().unwrap(), Serializer::Java, Store::Memcached, true).unwrap_err();
        assert_eq!(err.to_string(), "Tomcat 6 is not in the lock (lines in it: 7, 8, 9, 10, 11); this msmlab supports Tomcat 7, 8, 9, 10, 11");
    }

    #[test]
    fn an_exact_release_must_be_the_pinned_one() {
        let lock = Lock::bundled();
        let pinned = lock.select(&"9".parse().unwrap(), Serializer::Java, Store::Memcached, true).unwrap().distribution.coords.version;
        assert!(lock.select(&pinned.parse().unwrap(), Serializer::Java, Store::Memcached, true).is_ok());
        let err = lock.select(&"9.0.50".parse().unwrap(), Serializer::Java, Store::Memcached, true).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "Tomcat 9.0.50 is not pinned: jars.lock pins {pinned} for the 9 line; ask for --tomcat 9 (or --tomcat {pinned}), \
                 or pin it in a lock of your own: `msmlab lock --lockfile my.lock --tomcat 9.0.50` then `msmlab up --lockfile my.lock --tomcat 9.0.50`"
            )
        );
        assert!(lock.select(&"8.5".parse().unwrap(), Serializer::Java, Store::Memcached, true).is_ok());
        assert!(lock.select(&"8.0".parse().unwrap(), Serializer::Java, Store::Memcached, true).is_err(), "the lock pins 8.5");
    }

    #[test]
    fn every_line_serializer_and_store_in_the_lock_resolves_to_a_complete_set() {
        let lock = Lock::bundled();
        for line in [7, 8, 9] {
            for serializer in [Serializer::Java, Serializer::Kryo, Serializer::Xstream] {
                for store in Store::ALL {
                    let set = lock.select(&line.to_string().parse().unwrap(), serializer, store, true).unwrap();
                    let names: Vec<String> = set.lib.iter().map(|a| a.coords.artifact.clone()).collect();
                    assert!(set.distribution.coords.version.starts_with(&format!("{line}.")));
                    assert!(names.contains(&"memcached-session-manager".to_string()));
                    assert!(names.contains(&format!("memcached-session-manager-tc{line}")), "{names:?}");
                    let client = if store == Store::Redis { "jedis" } else { "spymemcached" };
                    assert!(names.contains(&client.to_string()), "{names:?}");
                    if serializer == Serializer::Kryo {
                        for needed in ["msm-kryo-serializer", "kryo-serializers", "kryo", "minlog", "reflectasm", "asm", "objenesis"] {
                            assert!(names.contains(&needed.to_string()), "kryo needs {needed}: {names:?}");
                        }
                    }
                    assert!(set.all().all(|a| a.sha256.len() == 64 && a.size.is_some()));
                }
            }
        }
    }

    #[test]
    fn the_bundled_lock_is_exactly_what_the_writer_produces() {
        // `msmlab lock --check` compares files byte for byte, so writing must round-trip.
        let lock = Lock::bundled();
        assert_eq!(lock.to_text().unwrap(), BUNDLED);
        assert_eq!(Lock::parse(&lock.to_text().unwrap(), "again").unwrap(), lock);
    }

    const MINI: &str = r#"
version = 1
[common]
jars = ["g:core:1"]
[tomcat.9]
distribution = "g:tomcat:tar.gz:9.0.1"
jars = []
[serializer.java]
jars = []
[store.memcached]
jars = []
[[artifact]]
coords = "g:core:1"
sha256 = "SHA"
[[artifact]]
coords = "g:tomcat:tar.gz:9.0.1"
sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
"#;

    #[test]
    fn a_lock_with_a_bad_checksum_is_refused() {
        let text = MINI.replace("\"SHA\"", "\"abc\"");
        let err = Lock::parse(&text, "test.lock").unwrap_err();
        assert!(matches!(err, LockError::Sha256 { ref coords, .. } if coords == "g:core:1"), "{err}");
    }

    #[test]
    fn a_selected_jar_without_a_checksum_is_refused() {
        let text = MINI.replace("coords = \"g:core:1\"\nsha256 = \"SHA\"", &format!("coords = \"g:other:1\"\nsha256 = \"{}\"", "a".repeat(64)));
        let err = Lock::parse(&text, "test.lock").unwrap_err();
        assert_eq!(err.to_string(), "test.lock: g:core:1 is selected by [common] but has no [[artifact]] entry with its checksum");
    }

    #[test]
    fn unknown_keys_and_versions_are_refused() {
        let text = MINI.replace("\"SHA\"", &format!("\"{}\"", "b".repeat(64)));
        assert!(Lock::parse(&text, "t").is_ok());
        assert!(matches!(Lock::parse(&text.replace("version = 1", "version = 2"), "t"), Err(LockError::Version { found: 2, .. })));
        assert!(matches!(Lock::parse(&format!("{text}\nextra = 1\n"), "t"), Err(LockError::Parse { .. })));
    }
}
