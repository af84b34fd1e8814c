//! The user's choices for one lab, validated once and without I/O.
//!
//! Every bad input fails here, before anything is downloaded or created.

pub mod names;
pub mod support;
pub mod team_manager;
pub mod trust;
pub mod webapp;


use std::fmt;
use std::str::FromStr;

use clap::ValueEnum;
use serde::Serialize;

use crate::exit::{Classified, ExitStatus};
use crate::labspec::webapp::WebappSpec;

/// Largest lab msmlab agrees to build: each Tomcat is a JVM, and a 2-core machine with
/// 16 of them is already past the point where the lab says anything useful.
pub const MAX_TOMCATS: u8 = 16;
/// Longest lab name: it ends up in DNS names (`msmlab-<name>-memcached-1`), whose labels
/// may not exceed 63 characters.
pub const MAX_NAME_LEN: usize = 32;
/// Most store nodes: msm's failover needs two; a handful shows the node suffix moving.
pub const MAX_STORE_NODES: u8 = 8;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SpecError {
    #[error("a lab on a swarm cannot take {0}")]
    Swarm(String),
    #[error(
        "--push-to {0} (or MSMLAB_PUSH_TO) names the registry a swarm's nodes pull the lab's images from: \
         add --swarm, or leave it out"
    )]
    PushToWithoutSwarm(String),
    #[error(
        "invalid lab name {0:?}: use 1 to {MAX_NAME_LEN} lowercase letters, digits or '-', \
         starting and ending with a letter or digit (it becomes part of container and DNS names)"
    )]
    Name(String),
    #[error("invalid Tomcat version {0:?}: give a major line such as 9, or 9.0, or 9.0.117")]
    TomcatSyntax(String),
    #[error(
        "Tomcat {0} is newer than msmlab knows: it runs msm on Tomcat 7 to 9, and on 10.1 and 11 \
         through Apache's Jakarta migration (docs/jakarta.md); choose --tomcat 11 or older"
    )]
    TomcatNewer(u8),
    #[error("--tomcats {0}: a shared session needs at least 2 Tomcats and msmlab builds at most {MAX_TOMCATS}")]
    TomcatCount(u8),
    #[error("--store-nodes {0}: give 1 to {MAX_STORE_NODES} memcached nodes")]
    StoreNodes(u8),
    #[error("--store-nodes {0}: msm talks to a single Redis node (redis://host:port); use --store memcached for several nodes")]
    RedisNodes(u8),
    #[error("invalid Maven repository URL {0:?}: give an https:// URL such as https://repo1.maven.org/maven2")]
    MavenRepo(String),
    #[error("invalid base image {0:?}: give an image reference such as debian:bookworm-slim")]
    BaseImage(String),
    #[error(
        "invalid --java-opts {0:?}: use JVM options made of letters, digits, spaces and -_.:=+/,%@ \
         (Tomcat's catalina.sh evaluates them in a shell, so nothing else is let through)"
    )]
    JavaOpts(String),
    #[error("invalid registry {0:?}: give a host and optional port such as 127.0.0.1:5555 or mirror.example.com")]
    Registry(String),
    #[error(
        "invalid --xstream-allow pattern {0:?}: give class names or xstream wildcards made of letters, digits, '_', '$' \
         and '.', such as com.example.Cart, com.example.* (a package) or com.example.** (and its sub-packages)"
    )]
    XstreamPattern(String),
    #[error("--xstream-allow applies to --serializer xstream only (the other serializers have no allow-list)")]
    XstreamAllowSerializer,
    #[error(
        "--xstream-allow needs msmlab's own images: the allow-list is compiled with the javac their JRE carries, \
         which official images lack; leave out --images official"
    )]
    XstreamAllowOfficial,
    #[error("invalid --locking-mode {0:?}: give none, all, auto, or uriPattern:REGEX (e.g. uriPattern:/cart/.*)")]
    LockingMode(String),
    #[error("{flag} {value}: {why}")]
    MsmOption { flag: String, value: String, why: String },
    #[error(
        "--locking-mode {0} applies to non-sticky mode only: in sticky mode a session stays on its Tomcat, \
         which serializes its requests; leave out --sticky or --locking-mode"
    )]
    LockingSticky(String),
    #[error("--context-xml {path}: {why}")]
    ContextXml { path: String, why: String },
}

/// A lab name: part of every container, network and label msmlab creates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct LabName(String);

impl LabName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for LabName {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, SpecError> {
        let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        let valid = !s.is_empty()
            && s.len() <= MAX_NAME_LEN
            && s.chars().all(ok_char)
            && !s.starts_with('-')
            && !s.ends_with('-');
        if valid {
            Ok(LabName(s.to_string()))
        } else {
            Err(SpecError::Name(s.to_string()))
        }
    }
}

impl fmt::Display for LabName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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

/// The Java runtime of the Tomcat image: each is the OpenJDK of one Debian release, so the
/// image needs nothing but Debian's mirror.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum, Serialize)]
pub enum Jre {
    /// OpenJDK 11, from Debian 11 (bullseye).
    #[value(name = "11")]
    #[serde(rename = "11")]
    Jre11,
    /// OpenJDK 17, from Debian 12 (bookworm).
    #[value(name = "17")]
    #[serde(rename = "17")]
    Jre17,
    /// OpenJDK 21, from Debian 13 (trixie).
    #[value(name = "21")]
    #[serde(rename = "21")]
    Jre21,
}

impl Jre {
    pub const ALL: [Jre; 3] = [Jre::Jre11, Jre::Jre17, Jre::Jre21];

    pub fn version(self) -> u8 {
        match self {
            Jre::Jre11 => 11,
            Jre::Jre17 => 17,
            Jre::Jre21 => 21,
        }
    }

    /// The Debian release that ships this OpenJDK.
    pub fn debian_suite(self) -> &'static str {
        match self {
            Jre::Jre11 => "bullseye",
            Jre::Jre17 => "bookworm",
            Jre::Jre21 => "trixie",
        }
    }

    /// The base image of the Tomcat image (`scripts/base-image.sh <suite>` builds it offline).
    pub fn base_image(self) -> String {
        format!("debian:{}-slim", self.debian_suite())
    }

    /// Debian's package of this runtime.
    pub fn package(self) -> String {
        format!("openjdk-{}-jre-headless", self.version())
    }
}

impl fmt::Display for Jre {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.version())
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

/// msm's `memcachedProtocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Text,
    Binary,
}

/// The `<Manager>` attributes a team tunes, beyond the nodes, stickiness, locking and the
/// serializer; `None` (or `false`) leaves msm's default, except where the lab sets its own
/// (`plan::msm_settings`, `docs/msm-options.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct MsmOptions {
    pub session_backup_async: bool,
    pub backup_thread_count: Option<u16>,
    pub session_backup_timeout: Option<u32>,
    pub operation_timeout: Option<u32>,
    pub memcached_protocol: Option<Protocol>,
    pub request_uri_ignore_pattern: Option<String>,
    pub session_attribute_filter: Option<String>,
    pub storage_key_prefix: Option<String>,
    pub copy_collections_for_serialization: bool,
    pub enable_statistics: Option<bool>,
    /// msm's `failoverNodes` (sticky, memcached): node ids a Tomcat writes to only when the
    /// others are gone.
    pub failover_nodes: Vec<String>,
    /// Any other attribute msm's Manager has (`--msm-option KEY=VALUE`), checked against the
    /// jar in use by `jars::attributes` once the jars are fetched.
    pub custom: std::collections::BTreeMap<String, String>,
}

/// Attributes a lab sets itself or through a flag of their own, so `--msm-option` refuses
/// them with the flag to use (`None`: the lab owns it).
pub const MANAGED_ATTRIBUTES: &[(&str, Option<&str>)] = &[
    ("className", None),
    ("memcachedNodes", None),
    ("sticky", Some("--sticky")),
    ("lockingMode", Some("--locking-mode")),
    ("transcoderFactoryClass", Some("--serializer")),
    ("failoverNodes", Some("--failover-nodes")),
    ("sessionBackupAsync", Some("--session-backup-async")),
    ("backupThreadCount", Some("--backup-thread-count")),
    ("sessionBackupTimeout", Some("--session-backup-timeout")),
    ("operationTimeout", Some("--operation-timeout")),
    ("memcachedProtocol", Some("--memcached-protocol")),
    ("requestUriIgnorePattern", Some("--request-uri-ignore-pattern")),
    ("sessionAttributeFilter", Some("--session-attribute-filter")),
    ("storageKeyPrefix", Some("--storage-key-prefix")),
    ("copyCollectionsForSerialization", Some("--copy-collections-for-serialization")),
    ("enableStatistics", Some("--enable-statistics")),
];

/// One `--msm-option KEY=VALUE`, split and checked for what can be checked without msm's jar.
pub fn parse_msm_option(s: &str) -> Result<(String, String), SpecError> {
    let bad = |why: String| SpecError::MsmOption { flag: "--msm-option".into(), value: s.into(), why };
    let (key, value) = s.split_once('=').ok_or_else(|| bad("give KEY=VALUE, e.g. lockExpiration=10".into()))?;
    let key_ok = key.starts_with(|c: char| c.is_ascii_lowercase()) && key.chars().all(|c| c.is_ascii_alphanumeric());
    if !key_ok {
        return Err(bad(format!("{key:?} is not an attribute name (letters and digits, starting lowercase, as msm spells them)")));
    }
    if let Some((_, flag)) = MANAGED_ATTRIBUTES.iter().find(|(k, _)| *k == key) {
        return Err(bad(match flag {
            Some(flag) => format!("{key} has a flag of its own: use {flag}"),
            None => format!("the lab sets {key} itself"),
        }));
    }
    if value.len() > 500 || value.chars().any(char::is_control) {
        return Err(bad("give a value of at most 500 printable characters".into()));
    }
    Ok((key.into(), value.into()))
}

/// The tokens msm's `storageKeyPrefix` takes.
const KEY_PREFIX_TOKENS: &[&str] = &["host", "host.hash", "context", "context.hash", "webappVersion"];

/// The key msm stores a session under (`StorageKeyFormat`): the `storageKeyPrefix` tokens'
/// values joined by ':', then '_', then the session id; no prefix when every value is empty.
/// `host` is Tomcat's Host (`localhost` in a lab), `context` the webapp's path (`/ShareSession`);
/// a lab's webapps carry no version, so `webappVersion` adds nothing.
pub fn storage_key(prefix: Option<&str>, host: &str, context: &str, id: &str) -> String {
    use sha2::Digest;
    let hash = |s: &str| hex::encode(&sha2::Sha256::digest(s.as_bytes())[..4]);
    let values: Vec<String> = prefix
        .unwrap_or("")
        .split(',')
        .filter_map(|t| match t {
            "host" => Some(host.to_string()),
            "host.hash" => Some(hash(host)),
            "context" => Some(context.to_string()),
            "context.hash" => Some(hash(context)),
            _ => t.strip_prefix("static:").map(str::to_string),
        })
        .filter(|v| !v.trim().is_empty())
        .collect();
    if values.is_empty() {
        id.to_string()
    } else {
        format!("{}_{id}", values.join(":"))
    }
}

impl MsmOptions {
    /// What msm would refuse, or silently not do, refused here with the reason.
    fn validate(&self, serializer: Serializer, store: Store) -> Result<(), SpecError> {
        let bad = |flag: &str, value: String, why: &str| Err(SpecError::MsmOption { flag: flag.into(), value, why: why.into() });
        if let Some(n) = self.backup_thread_count {
            if !self.session_backup_async {
                return bad("--backup-thread-count", n.to_string(), "it applies to asynchronous backups only: add --session-backup-async");
            }
            if !(1..=64).contains(&n) {
                return bad("--backup-thread-count", n.to_string(), "give 1 to 64 threads");
            }
        }
        for (flag, ms) in [("--session-backup-timeout", self.session_backup_timeout), ("--operation-timeout", self.operation_timeout)] {
            if let Some(ms) = ms.filter(|ms| !(1..=600_000).contains(ms)) {
                return bad(flag, ms.to_string(), "give milliseconds from 1 to 600000");
            }
        }
        if self.memcached_protocol == Some(Protocol::Binary) && store == Store::Redis {
            return bad("--memcached-protocol", "binary".into(), "it is memcached's; Redis speaks its own protocol");
        }
        for (flag, re) in [("--request-uri-ignore-pattern", &self.request_uri_ignore_pattern), ("--session-attribute-filter", &self.session_attribute_filter)] {
            if let Some(re) = re.as_ref().filter(|re| re.is_empty() || re.len() > 500 || re.chars().any(char::is_control)) {
                return bad(flag, re.clone(), "give a Java regular expression of 1 to 500 printable characters");
            }
        }
        if let Some(prefix) = &self.storage_key_prefix {
            let ok = prefix.split(',').all(|t| {
                KEY_PREFIX_TOKENS.contains(&t)
                    || t.strip_prefix("static:").is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)))
            });
            if !ok {
                return bad("--storage-key-prefix", prefix.clone(), "give comma-separated tokens: static:NAME, host, host.hash, context, context.hash, webappVersion");
            }
        }
        for (key, value) in &self.custom {
            parse_msm_option(&format!("{key}={value}"))?;
        }
        if self.copy_collections_for_serialization && serializer == Serializer::Xstream {
            return bad("--copy-collections-for-serialization", "true".into(), "msm's xstream transcoder refuses it (UnsupportedOperationException)");
        }
        Ok(())
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

/// Everything that decides what a lab looks like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabSpec {
    pub name: LabName,
    pub tomcat: TomcatLine,
    pub serializer: Serializer,
    pub jre: Jre,
    pub store: Store,
    /// Store nodes: memcached `n1..nN` (msm fails a session over between them).
    pub store_nodes: u8,
    pub session_manager: SessionManager,
    pub tomcats: u8,
    pub port: u16,
    pub base_image: String,
    pub maven_repo: String,
    /// Extra JVM options for every Tomcat (`CATALINA_OPTS`), e.g. `-Xmx256m`.
    pub java_opts: String,
    /// Host address nginx is published on (127.0.0.1 unless the user says otherwise).
    pub listen: std::net::IpAddr,
    pub images: ImageSource,
    /// Registry host (and port) official images are pulled from; `None`: Docker Hub.
    pub registry: Option<String>,
    /// Types xstream may read back besides its defaults (`--xstream-allow`): msmlab's
    /// allow-list transcoder factory replaces msm's.
    pub xstream_allow: Vec<String>,
    /// msm's `lockingMode` (non-sticky only).
    pub locking_mode: LockingMode,
    /// The other `<Manager>` attributes a team tunes.
    #[serde(flatten)]
    pub options: MsmOptions,
    /// msm's sticky mode: each Tomcat gets a jvmRoute, nginx routes a session to its owner.
    pub sticky: bool,
    /// The user's own webapp, deployed next to the test page.
    pub webapp: Option<WebappSpec>,
    /// On the swarm the engine manages (`--swarm`), not on the engine alone.
    pub swarm: Option<SwarmSpec>,
}

/// A lab on Docker Swarm (`docs/scaling.md`): services spread over the nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwarmSpec {
    /// The registry msmlab pushes the lab's images to and every node pulls them from
    /// (`--push-to HOST:PORT`); a swarm of one node needs none.
    pub push_to: Option<String>,
}

/// The msm choices a lab and a bundle for real servers share: what decides the jars and the
/// rendered `context.xml`, and where the images and jars come from. `render` needs no more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsmChoice {
    pub tomcat: TomcatLine,
    pub serializer: Serializer,
    pub store: Store,
    pub session_manager: SessionManager,
    pub base_image: String,
    pub maven_repo: String,
    pub images: ImageSource,
    /// Registry host (and port) official images are pulled from; `None`: Docker Hub.
    pub registry: Option<String>,
    /// Types xstream may read back besides its defaults (`--xstream-allow`).
    pub xstream_allow: Vec<String>,
    /// msm's `lockingMode` (non-sticky only).
    pub locking_mode: LockingMode,
    /// The other `<Manager>` attributes a team tunes.
    pub options: MsmOptions,
}

impl MsmChoice {
    /// Checks the values that are not checked by their types.
    pub fn validate(self) -> Result<Self, SpecError> {
        validate_sources(&self.maven_repo, &self.base_image, self.registry.as_deref())?;
        validate_xstream_allow(&self.xstream_allow, self.serializer, self.images)?;
        self.options.validate(self.serializer, self.store)?;
        Ok(self)
    }
}

/// `--xstream-allow`: patterns that cannot break out of the Java string they become, for
/// xstream only, and only where msmlab can compile them.
fn validate_xstream_allow(patterns: &[String], serializer: Serializer, images: ImageSource) -> Result<(), SpecError> {
    if patterns.is_empty() {
        return Ok(());
    }
    for p in patterns {
        let ok = !p.is_empty()
            && p.len() <= 200
            && p.chars().all(|c| c.is_ascii_alphanumeric() || "_$.*".contains(c))
            && !p.starts_with('.')
            && p.chars().any(|c| c.is_ascii_alphanumeric());
        if !ok {
            return Err(SpecError::XstreamPattern(p.clone()));
        }
    }
    if serializer != Serializer::Xstream {
        return Err(SpecError::XstreamAllowSerializer);
    }
    if images == ImageSource::Official {
        return Err(SpecError::XstreamAllowOfficial);
    }
    Ok(())
}

/// What only a lab has: its name and size, the Tomcats' JVM, where nginx is published.
#[derive(Debug, Clone)]
pub struct LabShape {
    pub name: LabName,
    pub jre: Jre,
    pub store_nodes: u8,
    pub tomcats: u8,
    pub port: u16,
    pub java_opts: String,
    pub listen: std::net::IpAddr,
    pub sticky: bool,
    pub webapp: Option<WebappSpec>,
    pub swarm: Option<SwarmSpec>,
}

impl LabSpec {
    /// A lab of these msm choices and this shape, validated: how every verb makes its spec.
    pub fn new(choice: MsmChoice, shape: LabShape) -> Result<LabSpec, SpecError> {
        let MsmChoice { tomcat, serializer, store, session_manager, base_image, maven_repo, images, registry, xstream_allow, locking_mode, options } = choice;
        let LabShape { name, jre, store_nodes, tomcats, port, java_opts, listen, sticky, webapp, swarm } = shape;
        LabSpec {
            name,
            tomcat,
            serializer,
            jre,
            store,
            store_nodes,
            session_manager,
            tomcats,
            port,
            base_image,
            maven_repo,
            java_opts,
            listen,
            images,
            registry,
            xstream_allow,
            locking_mode,
            options,
            sticky,
            webapp,
            swarm,
        }
        .validate()
    }

    /// The lab of one serializer, in a run that tries several (`bench`, `compat`): this spec,
    /// named `<name>-<serializer>`; `None` when that name would be too long.
    pub fn per_serializer(&self, serializer: Serializer) -> Option<LabSpec> {
        let name = format!("{}-{serializer}", self.name).parse().ok()?;
        Some(LabSpec { name, serializer, ..self.clone() })
    }

    /// This lab's msm choices.
    pub fn choice(&self) -> MsmChoice {
        MsmChoice {
            tomcat: self.tomcat.clone(),
            serializer: self.serializer,
            store: self.store,
            session_manager: self.session_manager,
            base_image: self.base_image.clone(),
            maven_repo: self.maven_repo.clone(),
            images: self.images,
            registry: self.registry.clone(),
            xstream_allow: self.xstream_allow.clone(),
            locking_mode: self.locking_mode.clone(),
            options: self.options.clone(),
        }
    }

    /// Checks the values that are not checked by their types.
    pub fn validate(self) -> Result<Self, SpecError> {
        if !(2..=MAX_TOMCATS).contains(&self.tomcats) {
            return Err(SpecError::TomcatCount(self.tomcats));
        }
        if !(1..=MAX_STORE_NODES).contains(&self.store_nodes) {
            return Err(SpecError::StoreNodes(self.store_nodes));
        }
        if self.store == Store::Redis && self.store_nodes != 1 {
            return Err(SpecError::RedisNodes(self.store_nodes));
        }
        validate_sources(&self.maven_repo, &self.base_image, self.registry.as_deref())?;
        validate_xstream_allow(&self.xstream_allow, self.serializer, self.images)?;
        self.options.validate(self.serializer, self.store)?;
        if self.sticky && self.locking_mode != LockingMode::None {
            return Err(SpecError::LockingSticky(self.locking_mode.to_string()));
        }
        validate_failover_nodes(&self.options.failover_nodes, self.sticky, self.store, self.store_nodes)?;
        validate_java_opts(&self.java_opts)?;
        if let Some(swarm) = &self.swarm {
            validate_swarm(swarm, &self)?;
        }
        Ok(self)
    }
}

/// What a lab on a swarm can be: its Tomcats are one service whose tasks nginx finds by DNS,
/// so nginx cannot send a session back to one of them by route, and its port is published on
/// the node nginx runs on, so it must be a known one.
fn validate_swarm(swarm: &SwarmSpec, spec: &LabSpec) -> Result<(), SpecError> {
    if spec.sticky {
        return Err(SpecError::Swarm(
            "--sticky: nginx finds the Tomcats of a swarm by DNS round-robin and cannot route a session to one of them by its jvmRoute; \
             leave out --sticky (docs/scaling.md says how sticky routing maps onto a cluster)"
                .into(),
        ));
    }
    if spec.port == 0 {
        return Err(SpecError::Swarm("--port 0: on a swarm nginx publishes a port of its node in host mode; give the port, e.g. --port 13355".into()));
    }
    if let Some(registry) = &swarm.push_to {
        validate_registry(registry).map_err(|_| SpecError::Swarm(format!("--push-to {registry}: give the registry as HOST or HOST:PORT, e.g. registry.example:5000")))?;
    }
    Ok(())
}

/// msm's `failoverNodes`: sticky memcached only, ids of the lab's nodes (`n1..nN`), and at
/// least one node left to write to first.
fn validate_failover_nodes(ids: &[String], sticky: bool, store: Store, store_nodes: u8) -> Result<(), SpecError> {
    if ids.is_empty() {
        return Ok(());
    }
    let value = ids.join(",");
    let bad = |why: String| Err(SpecError::MsmOption { flag: "--failover-nodes".into(), value: value.clone(), why });
    if !sticky {
        return bad("msm uses failover nodes in sticky mode only (non-sticky sessions go to every node in turn): add --sticky".into());
    }
    if store != Store::Memcached || store_nodes < 2 {
        return bad("failover needs two or more memcached nodes: add --store-nodes 2".into());
    }
    let lab_ids: Vec<String> = (1..=store_nodes).map(|i| format!("n{i}")).collect();
    if let Some(id) = ids.iter().find(|id| !lab_ids.contains(id)) {
        return bad(format!("{id} is not a node of this lab; its nodes are {}", lab_ids.join(", ")));
    }
    let mut distinct = ids.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct.len() >= lab_ids.len() {
        return bad("leave at least one node that is not a failover node, for sessions to be written to first".into());
    }
    Ok(())
}

/// Where a lab's jars and images come from: the repository, the base image, the registry.
fn validate_sources(maven_repo: &str, base_image: &str, registry: Option<&str>) -> Result<(), SpecError> {
    validate_repo_url(maven_repo)?;
    validate_image_ref(base_image)?;
    registry.map_or(Ok(()), validate_registry)
}

fn validate_repo_url(url: &str) -> Result<(), SpecError> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| SpecError::MavenRepo(url.to_string()))?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(SpecError::MavenRepo(url.to_string()));
    }
    Ok(())
}

fn validate_image_ref(image: &str) -> Result<(), SpecError> {
    let ok = !image.is_empty()
        && image.len() <= 255
        && image
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/:@".contains(c))
        && !image.starts_with(['-', '.', '/', ':']);
    if ok {
        Ok(())
    } else {
        Err(SpecError::BaseImage(image.to_string()))
    }
}

/// A registry as a host with an optional port: it becomes the first part of image names.
pub fn validate_registry(registry: &str) -> Result<(), SpecError> {
    let (host, port) = registry.rsplit_once(':').map_or((registry, None), |(h, p)| (h, Some(p)));
    let host_ok = !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
        && !host.starts_with(['-', '.']);
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    if host_ok && port_ok {
        Ok(())
    } else {
        Err(SpecError::Registry(registry.to_string()))
    }
}

fn validate_java_opts(opts: &str) -> Result<(), SpecError> {
    if opts.chars().all(|c| c.is_ascii_alphanumeric() || " -_.:=+/,%@".contains(c)) {
        Ok(())
    } else {
        Err(SpecError::JavaOpts(opts.to_string()))
    }
}

/// A valid lab (Tomcat 9, java, one memcached, 2 Tomcats on 13355): the unit tests of every
/// module start from it and change what they test, so a new field is added here once.
#[cfg(test)]
impl LabSpec {
    pub fn example() -> LabSpec {
        LabSpec {
            name: "default".parse().unwrap(),
            tomcat: "9".parse().unwrap(),
            serializer: Serializer::Java,
            jre: Jre::Jre17,
            store: Store::Memcached,
            store_nodes: 1,
            session_manager: SessionManager::Msm,
            tomcats: 2,
            port: 13355,
            base_image: "debian:bookworm-slim".into(),
            maven_repo: "https://repo1.maven.org/maven2".into(),
            java_opts: String::new(),
            listen: std::net::Ipv4Addr::LOCALHOST.into(),
            images: ImageSource::Built,
            registry: None,
            xstream_allow: Vec::new(),
            locking_mode: LockingMode::None,
            options: MsmOptions::default(),
            sticky: false,
            webapp: None,
            swarm: None,
        }
    }
}

impl Classified for SpecError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::BadInput
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> LabSpec {
        LabSpec::example()
    }

    /// The `io.msmlab.spec` label is this JSON (less `name` and `maven_repo`), and labs made by
    /// older msmlab carry it: `lab::health` compares it as a string, so any change to its keys or
    /// values makes every existing lab "other settings". serde_json's map is sorted (no
    /// `preserve_order`), which is the form the label takes.
    #[test]
    fn the_spec_label_json_is_pinned() {
        let label = |s: &LabSpec| serde_json::to_value(s).unwrap().to_string();
        let mut full = spec();
        full.options.session_backup_async = true;
        full.options.backup_thread_count = Some(4);
        full.options.memcached_protocol = Some(Protocol::Binary);
        full.options.storage_key_prefix = Some("static:shop,context".into());
        full.options.failover_nodes = vec!["n1".into()];
        full.options.custom.insert("lockExpiration".into(), "10".into());
        full.locking_mode = LockingMode::UriPattern("/cart/.*".into());
        full.registry = Some("127.0.0.1:5555".into());
        full.xstream_allow = vec!["com.example.**".into()];
        full.webapp = Some(WebappSpec { path: "shop.war".into(), context_path: None });
        full.swarm = Some(SwarmSpec { push_to: Some("registry.example:5000".into()) });
        assert_eq!(label(&spec()), PINNED_EXAMPLE);
        assert_eq!(label(&full), PINNED_FULL);
    }

    const PINNED_EXAMPLE: &str = r#"{"backup_thread_count":null,"base_image":"debian:bookworm-slim","copy_collections_for_serialization":false,"custom":{},"enable_statistics":null,"failover_nodes":[],"images":"built","java_opts":"","jre":"17","listen":"127.0.0.1","locking_mode":"none","maven_repo":"https://repo1.maven.org/maven2","memcached_protocol":null,"name":"default","operation_timeout":null,"port":13355,"registry":null,"request_uri_ignore_pattern":null,"serializer":"java","session_attribute_filter":null,"session_backup_async":false,"session_backup_timeout":null,"session_manager":"msm","sticky":false,"storage_key_prefix":null,"store":"memcached","store_nodes":1,"swarm":null,"tomcat":"9","tomcats":2,"webapp":null,"xstream_allow":[]}"#;
    const PINNED_FULL: &str = r#"{"backup_thread_count":4,"base_image":"debian:bookworm-slim","copy_collections_for_serialization":false,"custom":{"lockExpiration":"10"},"enable_statistics":null,"failover_nodes":["n1"],"images":"built","java_opts":"","jre":"17","listen":"127.0.0.1","locking_mode":"uriPattern:/cart/.*","maven_repo":"https://repo1.maven.org/maven2","memcached_protocol":"binary","name":"default","operation_timeout":null,"port":13355,"registry":"127.0.0.1:5555","request_uri_ignore_pattern":null,"serializer":"java","session_attribute_filter":null,"session_backup_async":true,"session_backup_timeout":null,"session_manager":"msm","sticky":false,"storage_key_prefix":"static:shop,context","store":"memcached","store_nodes":1,"swarm":{"push_to":"registry.example:5000"},"tomcat":"9","tomcats":2,"webapp":{"context_path":null,"path":"shop.war"},"xstream_allow":["com.example.**"]}"#;

    #[test]
    fn the_storage_key_is_msms() {
        assert_eq!(storage_key(None, "localhost", "/a", "ID-n1"), "ID-n1");
        assert_eq!(storage_key(Some("webappVersion"), "localhost", "/a", "ID-n1"), "ID-n1");
        assert_eq!(storage_key(Some("static:shop,context"), "localhost", "/cart", "ID-n1"), "shop:/cart_ID-n1");
        // SHA-256("localhost") starts 49960de5.
        assert_eq!(storage_key(Some("host.hash"), "localhost", "/a", "X"), "49960de5_X");
    }

    #[test]
    fn lab_names_become_dns_safe_container_names() {
        for good in ["default", "a", "ci-42", "x1"] {
            assert!(good.parse::<LabName>().is_ok(), "{good}");
        }
        for bad in ["", "-a", "a-", "Upper", "under_score", "dot.ted", "sp ace", "a/b", &"x".repeat(33)] {
            assert_eq!(bad.parse::<LabName>(), Err(SpecError::Name(bad.to_string())), "{bad}");
        }
    }

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

    #[test]
    fn a_lab_needs_two_to_sixteen_tomcats() {
        assert!(LabSpec { tomcats: 2, ..spec() }.validate().is_ok());
        assert!(LabSpec { tomcats: 16, ..spec() }.validate().is_ok());
        assert_eq!(LabSpec { tomcats: 1, ..spec() }.validate(), Err(SpecError::TomcatCount(1)));
        assert_eq!(LabSpec { tomcats: 17, ..spec() }.validate(), Err(SpecError::TomcatCount(17)));
    }

    #[test]
    fn port_zero_leaves_the_port_to_the_engine() {
        assert!(LabSpec { port: 0, ..spec() }.validate().is_ok());
    }

    #[test]
    fn maven_repo_must_be_an_http_url() {
        for bad in ["repo1.maven.org", "ftp://x", "https://", "https://a b"] {
            let s = LabSpec { maven_repo: bad.into(), ..spec() };
            assert_eq!(s.validate(), Err(SpecError::MavenRepo(bad.into())), "{bad}");
        }
        assert!(LabSpec { maven_repo: "http://127.0.0.1:8081/repo".into(), ..spec() }.validate().is_ok());
    }

    #[test]
    fn java_opts_cannot_smuggle_shell_syntax() {
        assert!(LabSpec { java_opts: "-Xmx256m -Dmsm.foo=a,b".into(), ..spec() }.validate().is_ok());
        for bad in ["-Dx=$(id)", "-Xmx1g; rm -rf /", "`id`", "-Da=\"b\"", "a\nb"] {
            let s = LabSpec { java_opts: bad.into(), ..spec() };
            assert_eq!(s.validate(), Err(SpecError::JavaOpts(bad.into())), "{bad}");
        }
    }

    #[test]
    fn a_registry_is_a_host_and_an_optional_port() {
        for good in ["127.0.0.1:5555", "mirror.example.com", "reg-1.local:443"] {
            assert!(LabSpec { registry: Some(good.into()), ..spec() }.validate().is_ok(), "{good}");
        }
        for bad in ["", "http://x", "a/b", "host:0", "host:port", "-x"] {
            let s = LabSpec { registry: Some(bad.into()), ..spec() };
            assert_eq!(s.validate(), Err(SpecError::Registry(bad.into())), "{bad}");
        }
    }

    #[test]
    fn base_image_must_be_an_image_reference() {
        for bad in ["", "debian bookworm", "-x", "a;rm -rf /"] {
            let s = LabSpec { base_image: bad.into(), ..spec() };
            assert_eq!(s.validate(), Err(SpecError::BaseImage(bad.into())), "{bad}");
        }
        assert!(LabSpec { base_image: "registry.local:5000/debian@sha256:abc".into(), ..spec() }.validate().is_ok());
    }
}
