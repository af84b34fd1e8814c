//! The session probe's reports: what the session held, attribute by attribute, before and after
//! each request, as the Tomcat that served it saw it.
//!
//! msmlab's Tomcat images carry a lab-only servlet filter, put in front of every webapp's own
//! filters (`templates/probe/`). For a request with the header `X-Msmlab-Probe: <token>` it
//! writes one line to the container's log: `msmlab-probe <token> {"before": …, "after": …,
//! "context": …}`. The walker sends a token per request; this module reads the lines back and
//! hands each answer its `Sighting`.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::{ContainerInfo, Engine};
use crate::verify::errors::VerifyError;

/// The request header that asks a lab Tomcat for a report.
pub const PROBE_HEADER: &str = "X-Msmlab-Probe";
/// How each report line starts in a Tomcat's log.
const PREFIX: &str = "msmlab-probe ";
/// How long to wait for the last report lines to reach the engine's log.
const SETTLE: Duration = Duration::from_secs(3);

/// One session attribute as the probe saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub name: String,
    /// The value's class; `None` for a null value.
    pub class: Option<String>,
    /// The size of the value's Java-serialized form (for `Serializable` values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// A CRC-32 of that form, as evidence: an equal value can have another form after a round
    /// trip, so `state` never compares checksums.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crc32: Option<String>,
    /// Why there is no size: `not Serializable`, or the exception Java serialization threw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A digest of the value's content (`templates/probe/ValueDigest.java`): equal values have
    /// equal digests on any JVM and after any round trip. `None`: a probe of an older msmlab,
    /// or a value too large to walk (`digest_note`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_note: Option<String>,
    /// The value's first leaves in the digest's order, path (`level`, `items[2]`, empty for the
    /// value itself) and short text, from which `state` names what changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaves: Vec<(String, String)>,
    /// The value has more leaves than listed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cut: bool,
}

impl Attribute {
    /// `cart (state.Cart, not Serializable)`, for messages.
    pub fn describe(&self) -> String {
        let class = self.class.as_deref().unwrap_or("null");
        match (&self.note, self.bytes) {
            (Some(note), _) => format!("`{}` ({class}, {note})", self.name),
            (None, Some(b)) => format!("`{}` ({class}, {b} bytes)", self.name),
            (None, None) => format!("`{}` ({class})", self.name),
        }
    }
}

/// A session as the probe saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: String,
    pub attributes: Vec<Attribute>,
}

impl SessionView {
    pub fn get(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

/// One request as its Tomcat reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sighting {
    /// The Tomcat container whose log held the report.
    #[serde(default)]
    pub tomcat: String,
    /// The webapp that served the request.
    pub context: String,
    /// The session as the application found it (as msm loaded it); `None`: no session.
    pub before: Option<SessionView>,
    /// The session as the application left it; `None`: none, or invalidated.
    pub after: Option<SessionView>,
}

/// A run's tokens: `<run>-<n>`, where `run` is new for every walker, so reports of another
/// verify (or an earlier one) on the same lab are never mistaken for this one's.
#[derive(Debug, Clone)]
pub struct Tokens {
    run: String,
}

impl Tokens {
    pub fn new() -> Tokens {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let seed = format!("{}-{}-{:p}", now.as_nanos(), std::process::id(), &now);
        Tokens { run: hex::encode(&Sha256::digest(seed.as_bytes())[..6]) }
    }

    pub fn token(&self, n: usize) -> String {
        format!("{}-{n}", self.run)
    }

    /// The request number a token of this run carries.
    fn number(&self, token: &str) -> Option<usize> {
        token.strip_prefix(&self.run)?.strip_prefix('-')?.parse().ok()
    }
}

impl Default for Tokens {
    fn default() -> Self {
        Tokens::new()
    }
}

/// The reports of this run's requests found in one Tomcat's log, by request number.
pub fn parse_log(tokens: &Tokens, tomcat: &str, log: &str) -> Vec<(usize, Sighting)> {
    log.lines()
        .filter_map(|line| {
            let rest = &line[line.find(PREFIX)? + PREFIX.len()..];
            let (token, json) = rest.split_once(' ')?;
            let n = tokens.number(token)?;
            let mut s: Sighting = serde_json::from_str(json.trim()).ok()?;
            s.tomcat = tomcat.to_string();
            Some((n, s))
        })
        .collect()
}

/// Reads the reports of requests `1..=sent` from the `tomcats`' logs written since `since`,
/// waiting a moment for lines still on their way. Requests no Tomcat reported (nginx answered,
/// or the request never reached a webapp) are missing from the map.
pub async fn read(engine: &Engine, tomcats: &[ContainerInfo], tokens: &Tokens, since: i64, sent: usize) -> Result<HashMap<usize, Sighting>, VerifyError> {
    let deadline = tokio::time::Instant::now() + SETTLE;
    loop {
        let mut found = HashMap::new();
        for t in tomcats.iter().filter(|t| t.state.is_running()) {
            found.extend(parse_log(tokens, &t.name, &engine.logs_since_of(t, since).await?));
        }
        if found.len() >= sent || tokio::time::Instant::now() >= deadline {
            return Ok(found);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_read_back_by_request_number_and_only_for_this_run() {
        let tokens = Tokens { run: "ab12".into() };
        let log = r#"02-Dec-2026 05:26:27.606 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [385] milliseconds
msmlab-probe ab12-1 {"before":null,"after":{"id":"C1-n1","attributes":[{"name":"cart","class":"state.Cart","note":"not Serializable"}]},"context":"/state"}
msmlab-probe ff00-1 {"before":null,"after":null,"context":"/other-run"}
msmlab-probe ab12-3 {"before":{"id":"C1-n1","attributes":[]},"after":{"id":"C1-n1","attributes":[{"name":"counter","class":"java.lang.Integer","bytes":81,"crc32":"482e7043"}]},"context":"/state"}"#;
        let found = parse_log(&tokens, "tc-1", log);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0, 1);
        assert_eq!(found[0].1.tomcat, "tc-1");
        assert_eq!(found[0].1.after.as_ref().unwrap().get("cart").unwrap().describe(), "`cart` (state.Cart, not Serializable)");
        assert_eq!(found[1].0, 3);
        assert_eq!(found[1].1.before.as_ref().unwrap().attributes, vec![]);
        assert_eq!(found[1].1.after.as_ref().unwrap().get("counter").unwrap().describe(), "`counter` (java.lang.Integer, 81 bytes)");
        assert_eq!(tokens.token(7), "ab12-7");
    }

    #[test]
    fn a_values_digest_and_leaves_are_read_back() {
        let tokens = Tokens { run: "ab12".into() };
        let log = r#"msmlab-probe ab12-2 {"before":null,"after":{"id":"C1-n1","attributes":[{"name":"profile","class":"state.Profile","bytes":120,"crc32":"1f","digest":"6913042035316184","leaves":[["level","3"],["name","\"bob\""]],"cut":true},{"name":"big","class":"java.util.ArrayList","bytes":9000,"crc32":"2e","digest_note":"more than 20000 values"}]},"context":"/state"}"#;
        let after = parse_log(&tokens, "tc-1", log).remove(0).1.after.unwrap();
        let profile = after.get("profile").unwrap();
        assert_eq!(profile.digest.as_deref(), Some("6913042035316184"));
        assert_eq!(profile.leaves, [("level".to_string(), "3".to_string()), ("name".to_string(), "\"bob\"".to_string())]);
        assert!(profile.cut);
        let big = after.get("big").unwrap();
        assert_eq!((big.digest.as_deref(), big.digest_note.as_deref()), (None, Some("more than 20000 values")));
    }
}
