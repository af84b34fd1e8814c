//! The kinds an msm choice is made of: the Tomcat line, the serializer, the store, the session
//! manager, msm's locking mode and where the images come from; each parsed and named as the
//! command line, `jars.lock` and the spec's JSON spell it.

use std::fmt;
use std::str::FromStr;

use clap::ValueEnum;
use serde::Serialize;

use crate::labspec::errors::SpecError;

/// A Tomcat line as the user wrote it: a major line (`9`), a minor line (`8.5`, `9.0`), or an
/// exact release (`9.0.117`). Anything beyond the major must match the release the lock pins.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TomcatLine {
    major: u8,
    /// What the user wrote, when it says more than the major line.
    given: Option<String>,
}

impl TomcatLine {
    pub fn major(&self) -> u8 {
        self.major
    }

    /// Tomcat 10 and later use the `jakarta.*` servlet API: msm's jars are converted for them
    /// (`lab::provision::jakarta_jars`, docs/jakarta.md).
    pub fn jakarta(&self) -> bool {
        self.major >= 10
    }

    /// The minor line asked for (`0` of `8.0`), if the user gave one.
    pub fn minor(&self) -> Option<u32> {
        self.given.as_deref()?.split('.').nth(1)?.parse().ok()
    }

    /// True when a pinned release (`8.5.100`) is what the user asked for (`8`, `8.5`, `8.5.100`).
    pub fn admits(&self, release: &str) -> bool {
        match &self.given {
            None => release.split('.').next() == Some(&*self.major.to_string()),
            Some(g) => {
                let (g, r): (Vec<&str>, Vec<&str>) = (g.split('.').collect(), release.split('.').collect());
                g.len() <= r.len() && g.iter().zip(&r).all(|(a, b)| a.parse::<u32>().ok() == b.parse::<u32>().ok())
            }
        }
    }
}

impl FromStr for TomcatLine {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, SpecError> {
        let syntax = || SpecError::TomcatSyntax(s.to_string());
        let parts: Vec<&str> = s.split('.').collect();
        if parts.len() > 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(syntax());
        }
        let major: u8 = parts[0].parse().map_err(|_| syntax())?;
        if major > 11 {
            return Err(SpecError::TomcatNewer(major));
        }
        if major == 0 {
            return Err(syntax());
        }
        let given = (parts.len() > 1).then(|| s.to_string());
        Ok(TomcatLine { major, given })
    }
}

/// As the user wrote it (`9`, `9.0.117`): what a person reads in JSON and in "other settings".
impl Serialize for TomcatLine {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for TomcatLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.given {
            Some(v) => f.write_str(v),
            None => write!(f, "{}", self.major),
        }
    }
}

/// How msm turns a session into bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Serializer {
    /// Java serialization, built into msm core (what the classic msm tutorial uses).
    Java,
    /// Kryo, through msm-kryo-serializer: fast and compact.
    Kryo,
    /// XStream, through msm-xstream-serializer: sessions stored as XML.
    Xstream,
    /// Flexjson: refused, with the reason (accepted here only to say why).
    #[value(hide = true)]
    Flexjson,
    /// Javolution: refused, with the reason (accepted here only to say why).
    #[value(hide = true)]
    Javolution,
}

impl Serializer {
    pub const ALL: [Serializer; 5] =
        [Serializer::Java, Serializer::Kryo, Serializer::Xstream, Serializer::Flexjson, Serializer::Javolution];

    /// The key of this serializer's section in `jars.lock`, and its name on the command line.
    pub fn lock_key(self) -> &'static str {
        match self {
            Serializer::Java => "java",
            Serializer::Kryo => "kryo",
            Serializer::Xstream => "xstream",
            Serializer::Flexjson => "flexjson",
            Serializer::Javolution => "javolution",
        }
    }

    /// msm's `transcoderFactoryClass` for this serializer.
    pub fn transcoder_factory(self) -> &'static str {
        match self {
            Serializer::Java => "de.javakaffee.web.msm.JavaSerializationTranscoderFactory",
            Serializer::Kryo => "de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory",
            Serializer::Xstream => "de.javakaffee.web.msm.serializer.xstream.XStreamTranscoderFactory",
            Serializer::Flexjson => "de.javakaffee.web.msm.serializer.json.JSONTranscoderFactory",
            Serializer::Javolution => "de.javakaffee.web.msm.serializer.javolution.JavolutionTranscoderFactory",
        }
    }
}

impl fmt::Display for Serializer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.lock_key())
    }
}

/// Where msm keeps the sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Store {
    /// memcached (what the classic msm tutorial uses), one or more nodes.
    Memcached,
    /// Redis, through msm's `redis://` node syntax and the jedis client.
    Redis,
}

impl Store {
    pub const ALL: [Store; 2] = [Store::Memcached, Store::Redis];

    /// The key of this store's section in `jars.lock`.
    pub fn lock_key(self) -> &'static str {
        match self {
            Store::Memcached => "memcached",
            Store::Redis => "redis",
        }
    }
}

impl fmt::Display for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.lock_key())
    }
}

/// Which session manager the Tomcats run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionManager {
    /// memcached-session-manager, sessions shared through the store.
    Msm,
    /// Tomcat's default manager: the control experiment, sessions are not shared.
    None,
}

/// msm's `lockingMode` (non-sticky only): whether parallel requests of one session wait for
/// each other. `none` (msm's default): each loads, changes and writes back the session, and
/// the last write wins; `all`: every request locks the session; `auto`: requests msm sees
/// as reading only do not; `uriPattern:REGEX`: requests whose URI matches lock.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LockingMode {
    None,
    All,
    Auto,
    UriPattern(String),
}

impl FromStr for LockingMode {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, SpecError> {
        match s {
            "none" => Ok(LockingMode::None),
            "all" => Ok(LockingMode::All),
            "auto" => Ok(LockingMode::Auto),
            _ => match s.strip_prefix("uriPattern:") {
                Some(re) if !re.is_empty() && re.len() <= 500 && !re.chars().any(char::is_control) => Ok(LockingMode::UriPattern(re.into())),
                _ => Err(SpecError::LockingMode(s.into())),
            },
        }
    }
}

impl fmt::Display for LockingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockingMode::None => f.write_str("none"),
            LockingMode::All => f.write_str("all"),
            LockingMode::Auto => f.write_str("auto"),
            LockingMode::UriPattern(re) => write!(f, "uriPattern:{re}"),
        }
    }
}

impl Serialize for LockingMode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Where the lab's images come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageSource {
    /// Built by msmlab on the base image from Debian's packages and the pinned Tomcat.
    Built,
    /// Docker Hub's official tomcat, nginx, memcached and redis images, pulled (or from --registry).
    Official,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tomcat_versions_are_read_as_their_major_line() {
        for v in ["9", "9.0", "9.0.117"] {
            assert_eq!(v.parse::<TomcatLine>().unwrap().major(), 9);
        }
        // A line admits any of its releases; an exact release only itself.
        assert!("9.0".parse::<TomcatLine>().unwrap().admits("9.0.118"));
        assert_eq!("8.5".parse::<TomcatLine>().unwrap().to_string(), "8.5");
        let exact = "9.0.117".parse::<TomcatLine>().unwrap();
        assert!(exact.admits("9.0.117") && !exact.admits("9.0.118"));
        assert_eq!(exact.to_string(), "9.0.117");
        for bad in ["", "nine", "9.", "9.0.1.2", "-9", "0"] {
            assert_eq!(bad.parse::<TomcatLine>(), Err(SpecError::TomcatSyntax(bad.to_string())), "{bad}");
        }
    }

    #[test]
    fn a_line_admits_the_releases_it_names() {
        let line = |s: &str| s.parse::<TomcatLine>().unwrap();
        assert!(line("8").admits("8.5.100"));
        assert!(line("8.5").admits("8.5.100"));
        assert!(line("8.5.100").admits("8.5.100"));
        assert!(!line("8.0").admits("8.5.100"));
        assert!(!line("8.5.99").admits("8.5.100"));
        assert!(!line("9").admits("8.5.100"));
        assert!(line("9.0").admits("9.0.117"));
    }

    #[test]
    fn jakarta_tomcats_are_lines_and_newer_ones_are_refused() {
        assert!("10.1".parse::<TomcatLine>().unwrap().jakarta());
        assert!("11".parse::<TomcatLine>().unwrap().jakarta());
        assert!(!"9".parse::<TomcatLine>().unwrap().jakarta());
        let err = "12".parse::<TomcatLine>().unwrap_err();
        assert_eq!(err, SpecError::TomcatNewer(12));
        assert!(err.to_string().contains("docs/jakarta.md"));
    }
}
