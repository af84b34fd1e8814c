//! msm's other `<Manager>` attributes (`--session-backup-async` … `--msm-option`), each checked
//! without msm's jar, and `storage_key`, the key msm stores a session under.

use clap::ValueEnum;
use serde::Serialize;

use crate::labspec::errors::SpecError;
use crate::labspec::msm_kinds::{Serializer, Store};

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
    pub(super) fn validate(&self, serializer: Serializer, store: Store) -> Result<(), SpecError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_storage_key_is_msms() {
        assert_eq!(storage_key(None, "localhost", "/a", "ID-n1"), "ID-n1");
        assert_eq!(storage_key(Some("webappVersion"), "localhost", "/a", "ID-n1"), "ID-n1");
        assert_eq!(storage_key(Some("static:shop,context"), "localhost", "/cart", "ID-n1"), "shop:/cart_ID-n1");
        // SHA-256("localhost") starts 49960de5.
        assert_eq!(storage_key(Some("host.hash"), "localhost", "/a", "X"), "49960de5_X");
    }
}
