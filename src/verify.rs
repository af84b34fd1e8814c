//! Checks, with real HTTP traffic through nginx, that the session is really shared.
//!
//! Verify never trusts the lab's own story: it walks the test page with one cookie jar,
//! judges the answers, and reads the store over its own protocol.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::engine::{Engine, EngineError};
use crate::lab;
use crate::names::Role;
use crate::plan::page_url_at;
use crate::store::{self, ProbeError};

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("no lab named {0:?} is running; start one with `msmlab up --name {0}`")]
    NoLab(String),
    #[error("lab {lab:?} is incomplete: {what}; recreate it with `msmlab down --name {lab} && msmlab up --name {lab}`")]
    Incomplete { lab: String, what: String },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Where the lab answers, as found on the engine.
#[derive(Debug, Clone)]
pub struct Target {
    pub lab: String,
    pub url: String,
    /// The store's running nodes: role, index (memcached `nK`), container name.
    pub stores: Vec<(Role, u8, String)>,
}

pub async fn target(engine: &Engine, lab: &str) -> Result<Target, VerifyError> {
    let found = lab::find(engine, lab).await?;
    if found.containers.is_empty() {
        return Err(VerifyError::NoLab(lab.into()));
    }
    let incomplete = |what: &str| VerifyError::Incomplete { lab: lab.into(), what: what.into() };
    let running = |role| found.containers.iter().filter(move |c| c.role == Some(role) && c.state == "running");
    let nginx = running(Role::Nginx).next().ok_or_else(|| incomplete("its nginx container is not running"))?;
    let port = nginx.published_port.ok_or_else(|| incomplete("nginx publishes no port"))?;
    let stores: Vec<(Role, u8, String)> = found
        .containers
        .iter()
        .filter(|c| c.state == "running")
        .filter_map(|c| c.role.filter(|r| r.is_store()).map(|r| (r, c.index, c.name.clone())))
        .collect();
    if stores.is_empty() {
        return Err(incomplete("no session store container is running"));
    }
    let host_ip = nginx.published.as_deref().and_then(|p| p.rsplit_once(':')).map_or("127.0.0.1", |(ip, _)| ip);
    Ok(Target { lab: lab.into(), url: page_url_at(host_ip, port), stores })
}

/// One request and what the page said.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Answer {
    pub n: usize,
    pub status: Option<u16>,
    pub backend: Option<String>,
    pub server_ip: Option<String>,
    pub session_id: Option<String>,
    pub counter: Option<i64>,
    pub error: Option<String>,
}

/// The JSON form of the test page (`?format=json`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    session_id: Option<String>,
    server_ip: String,
    backend: String,
    counter: i64,
}

/// Sends `n` requests to the page with one cookie jar, one after another.
pub async fn walk(url: &str, n: usize) -> Vec<Answer> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a plain HTTP client builds");
    let mut answers = Vec::with_capacity(n);
    for i in 1..=n {
        let mut a = Answer { n: i, status: None, backend: None, server_ip: None, session_id: None, counter: None, error: None };
        match client.get(format!("{url}?format=json")).send().await {
            Err(e) => a.error = Some(e.to_string()),
            Ok(r) => {
                a.status = Some(r.status().as_u16());
                match r.json::<Page>().await {
                    Ok(p) => {
                        a.backend = Some(p.backend);
                        a.server_ip = Some(p.server_ip);
                        a.session_id = p.session_id;
                        a.counter = Some(p.counter);
                    }
                    Err(e) => a.error = Some(format!("not the test page's JSON: {e}")),
                }
            }
        }
        answers.push(a);
    }
    answers
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

fn check(name: &'static str, ok: bool, detail: String) -> Check {
    Check { name, ok, detail }
}

/// Judges the answers alone (the store is checked separately).
/// `ids` and `seen` are `session_ids(answers)` and `backends(answers)`.
pub fn judge(answers: &[Answer], ids: &[String], seen: &BTreeMap<String, usize>) -> Vec<Check> {
    let n = answers.len();
    let failed: Vec<&Answer> = answers.iter().filter(|a| a.status != Some(200) || a.error.is_some()).collect();
    let http = match failed.first() {
        None => check("answers", true, format!("{n} of {n} requests answered 200 with the test page")),
        Some(a) => check(
            "answers",
            false,
            format!(
                "{} of {n} requests failed; first: request {} {}",
                failed.len(),
                a.n,
                a.error.clone().unwrap_or_else(|| format!("answered {}", a.status.map_or("nothing".into(), |s| s.to_string())))
            ),
        ),
    };

    let same = match ids {
        [id] if answers.iter().all(|a| a.session_id.as_deref() == Some(id)) => {
            check("same-session", true, format!("every request carried session {id}"))
        }
        [] => check("same-session", false, "no request got a session".into()),
        _ => {
            let changed = answers.windows(2).find(|w| w[0].session_id != w[1].session_id).map(|w| &w[1]);
            let at = changed.map_or(String::new(), |a| {
                format!("; it first changed at request {} on {}", a.n, a.backend.as_deref().unwrap_or("?"))
            });
            check("same-session", false, format!("{} different session ids in {n} requests{at}", ids.len()))
        }
    };

    let list = seen.iter().map(|(b, c)| format!("{b} ({c})")).collect::<Vec<_>>().join(", ");
    let backends_check = if seen.len() >= 2 {
        check("backends", true, format!("{} Tomcats answered: {list}", seen.len()))
    } else {
        check(
            "backends",
            false,
            format!("only {} Tomcat answered ({list}): not enough evidence that the session is shared", seen.len()),
        )
    };

    let wrong = answers.iter().find(|a| a.counter != Some(a.n as i64));
    let counter = match wrong {
        None => check("counter", true, format!("went 1 → {n}, up by one on every request, whichever Tomcat answered")),
        Some(a) => check(
            "counter",
            false,
            format!(
                "request {} on {} showed {}, expected {}: the session's state did not follow the request",
                a.n,
                a.backend.as_deref().unwrap_or("?"),
                a.counter.map_or("nothing".into(), |c| c.to_string()),
                a.n
            ),
        ),
    };
    vec![http, same, backends_check, counter]
}

/// Distinct session ids, in order of first appearance.
pub fn session_ids(answers: &[Answer]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for id in answers.iter().filter_map(|a| a.session_id.clone()) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// Requests answered per Tomcat.
pub fn backends(answers: &[Answer]) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for b in answers.iter().filter_map(|a| a.backend.clone()) {
        *seen.entry(b).or_insert(0) += 1;
    }
    seen
}

/// The memcached node a session id names (`…-n2` → 2); msm adds no suffix for Redis or a
/// single node written without an id.
pub fn node_of(session_id: &str) -> Option<u8> {
    let suffix = session_id.rsplit_once('-')?.1;
    let suffix = suffix.split('.').next()?; // a jvmRoute may follow: `…-n1.tomcat1`
    suffix.strip_prefix('n')?.parse().ok()
}

/// Reads the last session from the store node its id names. An engine that fails is an
/// error, not a check that failed: it says nothing about the lab.
pub async fn check_store(engine: &Engine, stores: &[(Role, u8, String)], answers: &[Answer]) -> Result<Check, VerifyError> {
    let Some(id) = answers.iter().rev().find_map(|a| a.session_id.clone()) else {
        return Ok(check("store", false, "no session id to look up".into()));
    };
    let wanted = node_of(&id).unwrap_or(1);
    let Some((role, _, node)) = stores.iter().find(|(_, i, _)| *i == wanted) else {
        return Ok(check("store", false, format!("session {id} names store node n{wanted}, which is not running")));
    };
    let found = match role {
        Role::Redis => store::redis_strlen(engine, node, &id).await,
        _ => store::memcached_get(engine, node, &id).await.map(|v| v.map(|v| v.len() as u64)),
    };
    Ok(match found {
        Ok(Some(len)) => check("store", true, format!("session {id} is in {role} ({node}), {len} bytes")),
        Ok(None) => check("store", false, format!("session {id} is not in {role} ({node}): nothing wrote it there")),
        Err(ProbeError::Engine(e)) if e.is_unreachable() => return Err(e.into()),
        // The engine answered but the exec failed: a store that stopped is a failed check of the
        // lab, not an engine error.
        Err(ProbeError::Engine(e)) => match engine.state(node).await {
            Ok((state, exit_code)) if state != "running" => {
                check("store", false, format!("{role} ({node}) is {state} (exit code {exit_code}): the session cannot be read"))
            }
            _ => return Err(e.into()),
        },
        Err(e) => check("store", false, format!("could not read {role} ({node}): {e}")),
    })
}

/// The whole result of a verify run.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub ok: bool,
    pub lab: String,
    pub url: String,
    pub requests: Vec<Answer>,
    pub backends: BTreeMap<String, usize>,
    pub session_ids: Vec<String>,
    pub checks: Vec<Check>,
}

pub async fn run(engine: &Engine, lab: &str, requests: usize) -> Result<Verdict, VerifyError> {
    let target = target(engine, lab).await?;
    let answers = walk(&target.url, requests).await;
    let (session_ids, backends) = (session_ids(&answers), backends(&answers));
    let mut checks = judge(&answers, &session_ids, &backends);
    checks.push(check_store(engine, &target.stores, &answers).await?);
    Ok(Verdict { ok: checks.iter().all(|c| c.ok), lab: target.lab, url: target.url, requests: answers, backends, session_ids, checks })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_id_names_its_memcached_node() {
        assert_eq!(node_of("4D23A1B2C3D4E5F6-n2"), Some(2));
        assert_eq!(node_of("4D23A1B2C3D4E5F6-n1.tomcat1"), Some(1));
        assert_eq!(node_of("4D23A1B2C3D4E5F6"), None);
    }

    fn answer(n: usize, backend: &str, id: &str, counter: i64) -> Answer {
        Answer {
            n,
            status: Some(200),
            backend: Some(backend.into()),
            server_ip: Some("172.18.0.3".into()),
            session_id: Some(id.into()),
            counter: Some(counter),
            error: None,
        }
    }

    fn judge(answers: &[Answer]) -> Vec<Check> {
        super::judge(answers, &session_ids(answers), &backends(answers))
    }

    fn by_name(checks: &[Check], name: &str) -> Check {
        checks.iter().find(|c| c.name == name).unwrap().clone()
    }

    #[test]
    fn a_shared_session_passes_every_check() {
        let a: Vec<Answer> = (1..=4).map(|i| answer(i, if i % 2 == 1 { "tc-1" } else { "tc-2" }, "S-n1", i as i64)).collect();
        let checks = judge(&a);
        assert!(checks.iter().all(|c| c.ok), "{checks:#?}");
        assert_eq!(by_name(&checks, "backends").detail, "2 Tomcats answered: tc-1 (2), tc-2 (2)");
    }

    #[test]
    fn one_backend_is_not_enough_evidence() {
        let a: Vec<Answer> = (1..=4).map(|i| answer(i, "tc-1", "S-n1", i as i64)).collect();
        let c = by_name(&judge(&a), "backends");
        assert!(!c.ok);
        assert!(c.detail.contains("not enough evidence"), "{}", c.detail);
    }

    #[test]
    fn unshared_sessions_fail_on_id_and_counter() {
        // What Tomcat's default manager does behind round robin: a new session per switch.
        let a = vec![answer(1, "tc-1", "A", 1), answer(2, "tc-2", "B", 1), answer(3, "tc-1", "C", 1)];
        let checks = judge(&a);
        let same = by_name(&checks, "same-session");
        assert!(!same.ok);
        assert_eq!(same.detail, "3 different session ids in 3 requests; it first changed at request 2 on tc-2");
        let counter = by_name(&checks, "counter");
        assert!(!counter.ok);
        assert!(counter.detail.starts_with("request 2 on tc-2 showed 1, expected 2"), "{}", counter.detail);
    }

    #[test]
    fn failed_requests_are_reported_with_the_first_one() {
        let mut a = vec![answer(1, "tc-1", "S", 1), answer(2, "tc-2", "S", 2)];
        a[1].status = Some(502);
        let c = by_name(&judge(&a), "answers");
        assert!(!c.ok);
        assert_eq!(c.detail, "1 of 2 requests failed; first: request 2 answered 502");
    }
}
