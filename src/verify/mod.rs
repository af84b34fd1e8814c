//! Checks, with real HTTP traffic through nginx, that the session is really shared.
//!
//! Verify never trusts the lab's own story: it walks a page with one cookie jar, judges the
//! answers, reads the store over its own protocol, and reads the Tomcats' logs for msm errors.
//! The drills (`drill`) reuse the walker to see what a user sees while parts of the lab fail.

pub mod drill;


use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::cookie::CookieStore;
use serde::{Deserialize, Serialize};

use crate::verify::drill::DrillReport;
use crate::engine::{ContainerInfo, Engine, EngineError};
use crate::lab;
use crate::spec::names::{self, Role};
use crate::plan::page_url_at;
use crate::lab::store::{self, ProbeError};
use crate::exit::{Classified, ExitStatus};

/// The cookie Tomcat keeps its session id in.
pub const SESSION_COOKIE: &str = "JSESSIONID";

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("no lab named {0:?} is running; start one with `msmlab up --name {0}`")]
    NoLab(String),
    #[error("lab {lab:?} is incomplete: {what}; recreate it with `msmlab down --name {lab} && msmlab up --name {lab}`")]
    Incomplete { lab: String, what: String },
    #[error("invalid --path {0:?}: give a URL path on the lab such as /my/ or /my/cart?id=1")]
    Path(String),
    #[error("cannot write the JUnit report to {path}: {message}")]
    Junit { path: String, message: String },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// A URL path on the lab's nginx (`verify --path`), e.g. `/my/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlPath(String);

impl FromStr for UrlPath {
    type Err = VerifyError;
    fn from_str(s: &str) -> Result<Self, VerifyError> {
        let ok = s.starts_with('/')
            && !s.starts_with("//")
            && s.len() <= 2000
            && s.chars().all(|c| c.is_ascii_graphic() && c != '#' && c != '\\');
        if ok {
            Ok(UrlPath(s.into()))
        } else {
            Err(VerifyError::Path(s.into()))
        }
    }
}

impl fmt::Display for UrlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What verify walks: msmlab's test page (which reports its backend and a visit counter), or
/// any page of the user's (judged by status, session cookie and nginx's upstream header).
#[derive(Debug, Clone)]
pub enum Page {
    Test,
    User(UrlPath),
}

impl Page {
    /// The page's URL through nginx published on `host:port`.
    pub fn url(&self, host: &str, port: u16) -> String {
        let test_page = page_url_at(host, port);
        match self {
            Page::Test => format!("{test_page}?format=json"),
            Page::User(path) => format!("{}{path}", test_page.trim_end_matches(crate::plan::TEST_PAGE_PATH)),
        }
    }

    pub fn is_test(&self) -> bool {
        matches!(self, Page::Test)
    }
}

/// The lab as found on the engine.
#[derive(Debug, Clone)]
pub struct Target {
    pub lab: String,
    /// The address nginx is published on, as reached from here (loopback for 0.0.0.0).
    pub host: String,
    pub port: u16,
    pub nginx: String,
    pub tomcats: Vec<ContainerInfo>,
    /// Every node of the session store (memcached or Redis), running or not: a stopped store
    /// is a failed check or a drill's finding, not an error.
    pub stores: Vec<ContainerInfo>,
}

impl Target {
    /// The store node that holds a session: the one its node id (`-n2`) names, else the first.
    pub fn store_for(&self, session_id: &str) -> Option<&ContainerInfo> {
        let index = node_of(session_id).unwrap_or(1);
        self.stores.iter().find(|m| m.index == index).or(self.stores.first())
    }
}

pub async fn target(engine: &Engine, lab: &str) -> Result<Target, VerifyError> {
    let found = lab::find(engine, lab).await?;
    if found.containers.is_empty() {
        return Err(VerifyError::NoLab(lab.into()));
    }
    let incomplete = |what: &str| VerifyError::Incomplete { lab: lab.into(), what: what.into() };
    let of = |role| found.containers.iter().filter(move |c| c.role == Some(role)).cloned().collect::<Vec<_>>();
    let nginx = of(Role::Nginx).into_iter().find(|c| c.state == "running").ok_or_else(|| incomplete("its nginx container is not running"))?;
    let port = nginx.published_port.ok_or_else(|| incomplete("nginx publishes no port"))?;
    let tomcats = of(Role::Tomcat);
    if tomcats.is_empty() {
        return Err(incomplete("it has no Tomcat container"));
    }
    // Reached where nginx is published: its address, or loopback for "every interface".
    let host = nginx.published.as_deref().and_then(|p| p.rsplit_once(':')).map_or("127.0.0.1", |(ip, _)| ip).to_string();
    let stores = found.containers.iter().filter(|c| c.role.is_some_and(|r| r.is_store())).cloned().collect();
    Ok(Target { lab: lab.into(), host, port, nginx: nginx.name, tomcats, stores })
}

/// The parts of a session id: `<base>-<node>.<route>`, e.g. `ACFA…B10E-n2.tomcat1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionId<'a> {
    pub base: &'a str,
    pub node: Option<&'a str>,
    pub route: Option<&'a str>,
}

impl<'a> SessionId<'a> {
    pub fn parse(id: &'a str) -> SessionId<'a> {
        let (rest, route) = match id.split_once('.') {
            Some((rest, route)) => (rest, Some(route)),
            None => (id, None),
        };
        let (base, node) = match rest.split_once('-') {
            Some((base, node)) => (base, Some(node)),
            None => (rest, None),
        };
        SessionId { base, node, route }
    }
}

/// One request and what came back.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Answer {
    pub n: usize,
    pub status: Option<u16>,
    /// The Tomcat that answered: the test page says so; otherwise nginx's upstream header.
    pub backend: Option<String>,
    /// nginx's `$upstream_addr`: every Tomcat it tried, the one that answered last.
    pub upstream: Option<String>,
    pub server_ip: Option<String>,
    /// The session cookie the client holds after this request.
    pub session_id: Option<String>,
    /// The test page's visit counter (none on the user's pages).
    pub counter: Option<i64>,
    pub millis: u64,
    pub error: Option<String>,
}

/// The JSON form of the test page (`?format=json`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TestPage {
    server_ip: String,
    backend: String,
    counter: i64,
}

/// A client with one cookie jar, as one user's browser.
pub struct Walker {
    client: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    url: reqwest::Url,
    test_page: bool,
    /// Lab address → container name, to name the Tomcat in nginx's upstream header.
    addresses: HashMap<String, String>,
    sent: usize,
}

impl Walker {
    pub fn new(target: &Target, page: &Page) -> Walker {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            // A new connection per request, as separate page loads may be: a connection kept
            // alive would stay with an nginx worker that a reload has retired.
            .pool_max_idle_per_host(0)
            .no_proxy()
            .timeout(Duration::from_secs(15))
            .build()
            .expect("a plain HTTP client builds");
        let url = reqwest::Url::parse(&page.url(&target.host, target.port)).expect("the page URL is built from checked parts");
        let mut walker = Walker { client, jar, url, test_page: page.is_test(), addresses: HashMap::new(), sent: 0 };
        walker.learn(&target.tomcats);
        walker
    }

    /// Learns the Tomcats' addresses again (a restarted container may get a new one).
    pub fn learn(&mut self, tomcats: &[ContainerInfo]) {
        for t in tomcats {
            if let Some(a) = &t.address {
                self.addresses.insert(a.clone(), t.name.clone());
            }
        }
    }

    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// The session id in the jar now.
    pub fn session_id(&self) -> Option<String> {
        let header = self.jar.cookies(&self.url)?;
        let header = header.to_str().ok()?;
        header.split(';').find_map(|kv| kv.trim().strip_prefix(SESSION_COOKIE)?.strip_prefix('=')).map(str::to_string)
    }

    pub async fn request(&mut self) -> Answer {
        self.sent += 1;
        let mut a = Answer {
            n: self.sent,
            status: None,
            backend: None,
            upstream: None,
            server_ip: None,
            session_id: None,
            counter: None,
            millis: 0,
            error: None,
        };
        let started = Instant::now();
        match self.client.get(self.url.clone()).send().await {
            Err(e) => a.error = Some(e.to_string()),
            Ok(r) => {
                a.status = Some(r.status().as_u16());
                a.upstream = r.headers().get("x-msmlab-upstream").and_then(|v| v.to_str().ok()).map(str::to_string);
                // The address that answered is the last one nginx tried.
                let last = a.upstream.as_deref().and_then(|u| u.rsplit(", ").next()).map(|u| u.rsplit_once(':').map_or(u, |(ip, _)| ip));
                a.backend = last.map(|ip| self.addresses.get(ip).cloned().unwrap_or_else(|| ip.to_string()));
                if self.test_page {
                    match r.json::<TestPage>().await {
                        Ok(p) => {
                            a.backend = Some(p.backend);
                            a.server_ip = Some(p.server_ip);
                            a.counter = Some(p.counter);
                        }
                        Err(e) => a.error = Some(format!("not the test page's JSON: {e}")),
                    }
                } else if let Err(e) = r.bytes().await {
                    a.error = Some(format!("reading the body: {e}"));
                }
            }
        }
        a.millis = started.elapsed().as_millis() as u64;
        a.session_id = self.session_id();
        a
    }

    pub async fn walk(&mut self, n: usize) -> Vec<Answer> {
        let mut answers = Vec::with_capacity(n);
        for _ in 0..n {
            answers.push(self.request().await);
        }
        answers
    }
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

/// Whether an answer is a success: 2xx, and on the test page its JSON.
pub fn answered(a: &Answer) -> bool {
    a.error.is_none() && a.status.is_some_and(|s| (200..300).contains(&s))
}

/// Whether the lab runs msm in sticky mode, judged from the evidence: session ids that carry
/// a jvmRoute (`….tomcat1`) come from Tomcats with a route, which only sticky mode gives.
pub fn is_sticky(ids: &[String]) -> bool {
    ids.iter().any(|id| SessionId::parse(id).route.is_some())
}

/// Judges the answers alone (the store and the logs are checked separately).
/// `ids` and `seen` are `session_ids(answers)` and `backends(answers)`.
pub fn judge(lab: &str, answers: &[Answer], ids: &[String], seen: &BTreeMap<String, usize>) -> Vec<Check> {
    let n = answers.len();
    let test_page = answers.iter().any(|a| a.counter.is_some());
    let failed: Vec<&Answer> = answers.iter().filter(|a| !answered(a)).collect();
    let http = match failed.first() {
        None if test_page => check("answers", true, format!("{n} of {n} requests answered 200 with the test page")),
        None => {
            let codes: std::collections::BTreeSet<u16> = answers.iter().filter_map(|a| a.status).collect();
            let codes = codes.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
            check("answers", true, format!("{n} of {n} requests answered {codes}"))
        }
        Some(a) => check(
            "answers",
            false,
            format!(
                "{} of {n} requests failed; first: request {}{} {}",
                failed.len(),
                a.n,
                a.backend.as_ref().map_or(String::new(), |b| format!(" on {b}")),
                a.error.clone().unwrap_or_else(|| format!("answered {}", a.status.map_or("nothing".into(), |s| s.to_string())))
            ),
        ),
    };

    let missing = answers.iter().find(|a| a.session_id.is_none());
    let same = match (ids, missing) {
        ([], _) => check("same-session", false, "no request got a session cookie (JSESSIONID): the page does not use a session".into()),
        ([id], None) => check("same-session", true, format!("every request carried session {id}")),
        ([_], Some(a)) => check("same-session", false, format!("request {} had no session cookie", a.n)),
        _ => {
            let changed = answers.windows(2).find(|w| w[0].session_id != w[1].session_id).map(|w| &w[1]);
            let at = changed.map_or(String::new(), |a| {
                format!("; it first changed at request {} on {}", a.n, a.backend.as_deref().unwrap_or("?"))
            });
            check("same-session", false, format!("{} different session ids in {n} requests{at}{}", ids.len(), no_msm_hint(answers)))
        }
    };

    let list = seen.iter().map(|(b, c)| format!("{b} ({c})")).collect::<Vec<_>>().join(", ");
    let spread = if is_sticky(ids) {
        sticky_check(lab, answers, ids, &list)
    } else if seen.len() >= 2 {
        check("backends", true, format!("{} Tomcats answered: {list}", seen.len()))
    } else {
        check(
            "backends",
            false,
            format!("only {} Tomcat answered ({list}): not enough evidence that the session is shared", seen.len()),
        )
    };

    let mut checks = vec![http, same, spread];
    if test_page {
        let wrong = answers.iter().find(|a| a.counter != Some(a.n as i64));
        checks.push(match wrong {
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
        });
    }
    checks
}

/// msm adds its node id to the session ids it hands out (`-n1`); Tomcat's own manager does
/// not. When some Tomcats' answers carry ids with a node id and others' without, those others
/// are not running msm.
fn no_msm_hint(answers: &[Answer]) -> String {
    let by_suffix = |with: bool| -> std::collections::BTreeSet<&str> {
        answers
            .iter()
            .filter(|a| a.session_id.as_deref().is_some_and(|id| SessionId::parse(id).node.is_some() == with))
            .filter_map(|a| a.backend.as_deref())
            .collect()
    };
    let (with, without) = (by_suffix(true), by_suffix(false));
    let suspects: Vec<&str> = without.difference(&with).copied().collect();
    if with.is_empty() || suspects.is_empty() {
        return String::new();
    }
    format!(
        "; {} handed out session ids without msm's node id (-n1), as Tomcat's own manager does: is msm its session manager (context.xml)?",
        suspects.join(", ")
    )
}

/// Sticky mode: while every Tomcat is alive, a session stays on the Tomcat its route names.
fn sticky_check(lab: &str, answers: &[Answer], ids: &[String], list: &str) -> Check {
    let route = ids.last().and_then(|id| SessionId::parse(id).route).unwrap_or("?");
    let owner = names::route_index(route).and_then(|i| lab.parse().ok().map(|l| names::container_name(&l, Role::Tomcat, i)));
    let Some(owner) = owner else {
        return check("sticky", false, format!("the session's route .{route} names no Tomcat of this lab"));
    };
    // The first request has no cookie yet: nginx picks any Tomcat, which becomes the owner.
    let strays: Vec<&Answer> = answers.iter().filter(|a| a.session_id.is_some() && a.backend.as_deref() != Some(owner.as_str())).collect();
    match strays.first() {
        None => check("sticky", true, format!("all {} requests stayed on {owner}, the Tomcat named by the session's route .{route}", answers.len())),
        Some(a) => check(
            "sticky",
            false,
            format!(
                "request {} went to {} although the session's route .{route} names {owner}, which was alive ({list}); \
                 is nginx routing on the route?",
                a.n,
                a.backend.as_deref().unwrap_or("?")
            ),
        ),
    }
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

/// Reads a session from the store node its id names: `Ok((node, bytes))`, or why it is not
/// there. An engine that fails is an error, not a check that failed: it says nothing about
/// the lab.
pub async fn store_has(engine: &Engine, target: &Target, id: &str) -> Result<Result<(String, u64), String>, VerifyError> {
    let Some(node) = target.store_for(id) else {
        return Ok(Err("the lab has no session store container".into()));
    };
    let (name, role) = (node.name.clone(), node.role.unwrap_or(Role::Memcached));
    if node.state != "running" {
        return Ok(Err(format!("{role} ({name}) is {}, so nothing can be stored there", node.state)));
    }
    // msm keys a session by its whole id, jvmRoute included.
    Ok(match store::stored_size(engine, role, &name, id).await {
        Ok(Some(len)) => Ok((name, len)),
        Ok(None) => Err(format!("session {id} is not in {role} ({name}): nothing wrote it there")),
        Err(ProbeError::Engine(e)) if e.is_unreachable() => return Err(e.into()),
        // The engine answered but the exec failed: a store that stopped since the lab was
        // found is a failed check of the lab, not an engine error.
        Err(ProbeError::Engine(e)) => match engine.state(&name).await {
            Ok((state, exit_code)) if state != "running" => {
                Err(format!("{role} ({name}) is {state} (exit code {exit_code}): the session cannot be read"))
            }
            _ => return Err(e.into()),
        },
        Err(e) => Err(format!("could not read {role} ({name}): {e}")),
    })
}

pub async fn check_store(engine: &Engine, target: &Target, answers: &[Answer]) -> Result<Check, VerifyError> {
    let Some(id) = answers.iter().rev().find_map(|a| a.session_id.clone()) else {
        return Ok(check("store", false, "no session id to look up".into()));
    };
    let role = target.store_for(&id).and_then(|n| n.role).unwrap_or(Role::Memcached);
    Ok(match store_has(engine, target, &id).await? {
        Ok((name, bytes)) => check("store", true, format!("session {id} is in {role} ({name}), {bytes} bytes")),
        Err(why) => check("store", false, why),
    })
}

/// One msm complaint found in a Tomcat's log.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LogFinding {
    pub container: String,
    pub line: String,
    /// The first exception line that follows, if any (`java.io.NotSerializableException: java.lang.Thread`).
    pub cause: Option<String>,
    pub kind: FindingKind,
}

/// What an msm complaint is about.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// The serializer could not write or read a session: the application's session objects
    /// do not work with this serializer.
    Serialization,
    /// A write to the store failed or took longer than msm's `sessionBackupTimeout` /
    /// `operationTimeout`: a loaded machine or a slow store. A session it loses fails the
    /// other checks (`counter`, `same-session`, `store`).
    Store,
    /// Anything else msm warned about (a store it cannot reach, …).
    Other,
}

/// Words in a record or its stack trace that say a serializer failed.
const SERIALIZATION_SIGNS: &[&str] = &[
    "NotSerializableException",
    "TranscoderDeserializationException",
    "ClassNotFoundException",
    "InvalidClassException",
    "KryoException",
    "SerializationException",
    "ConversionException",
    "Cannot serialize",
    "Could not deserialize",
    "Caught CNFE",
    "Caught IOException decoding",
    "does not implement Serializable",
];
/// Words that say a store write failed or was slow.
const STORE_SIGNS: &[&str] = &["TimeoutException", "Timed out", "timed out", "Could not store session"];

/// msm's warnings and errors in a Tomcat log: JUL records at WARNING or SEVERE from
/// `de.javakaffee.web.msm` (a `Serializable` value holding something that is not, a class
/// the other Tomcat cannot load, a store that fails or is slow), and msm's note that it
/// dropped a value that is not `Serializable`, which msm logs only at FINE (seen when the user
/// turns that on: at FINE msm also logs every attribute it stores, so the lab does not).
/// Each is classified from the record and the stack trace below it.
pub fn msm_errors(container: &str, log: &str) -> Vec<LogFinding> {
    let lines: Vec<&str> = log.lines().collect();
    let is_record = |l: &str| [" SEVERE [", " WARNING [", " INFO [", " FINE ["].iter().any(|lvl| l.contains(lvl));
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let record = [" SEVERE [", " WARNING ["].iter().any(|lvl| {
            line.find(lvl).is_some_and(|at| line[at..].split_once("] ").is_some_and(|(_, rest)| rest.starts_with("de.javakaffee.web.msm")))
        });
        let dropped = line.contains("de.javakaffee.web.msm") && line.contains("as it does not implement Serializable");
        if !(record || dropped) {
            continue;
        }
        // The stack trace: the lines up to the next log record, at most 200.
        let trace = |at: usize| -> Vec<&str> { lines[at + 1..].iter().take(200).take_while(|l| !is_record(l)).map(|l| l.trim()).collect() };
        let own = trace(i);
        let cause = own.iter().find(|l| !l.starts_with("at ") && l.contains("Exception")).map(|l| l.to_string());
        let mut text = std::iter::once(*line).chain(own.iter().filter(|l| !l.starts_with("at ")).copied()).collect::<Vec<_>>().join("\n");
        // msm logs why a backup failed at INFO, with the exception, and then that it failed at
        // WARNING, without: read the same thread's msm record just before.
        let thread = line.split_once(" [").and_then(|(_, rest)| rest.split_once("] ")).map(|(t, _)| format!("[{t}] de.javakaffee.web.msm"));
        if let Some(earlier) = thread.and_then(|t| (i.saturating_sub(400)..i).rev().find(|&j| lines[j].contains(&t))) {
            text.push('\n');
            text.push_str(&trace(earlier).join("\n"));
        }
        let kind = if SERIALIZATION_SIGNS.iter().any(|s| text.contains(s)) {
            FindingKind::Serialization
        } else if STORE_SIGNS.iter().any(|s| text.contains(s)) {
            FindingKind::Store
        } else {
            FindingKind::Other
        };
        found.push(LogFinding { container: container.into(), line: line.trim().to_string(), cause, kind });
    }
    found
}

/// `msm-errors`: fails on what msm logged since the walk began, except failed or slow store
/// writes: on a loaded machine msm's backup timeout can be missed. Those are counted
/// in the detail, and a session they cost fails the other checks.
pub fn judge_logs(tomcats: usize, found: &[LogFinding]) -> Check {
    let slow = found.iter().filter(|f| f.kind == FindingKind::Store).count();
    let timeout_note = match slow {
        0 => String::new(),
        n => format!(
            "; {n} store write{} failed or timed out (msm's sessionBackupTimeout / operationTimeout: a loaded machine or a slow store)",
            if n == 1 { "" } else { "s" }
        ),
    };
    let errors: Vec<&LogFinding> = found.iter().filter(|f| f.kind != FindingKind::Store).collect();
    match errors.first() {
        None => check("msm-errors", true, format!("no msm error in the logs of {tomcats} Tomcats{timeout_note}")),
        Some(f) => {
            let what = f.cause.as_ref().map_or(f.line.clone(), |c| format!("{} ({c})", f.line));
            let about = if errors.iter().any(|f| f.kind == FindingKind::Serialization) {
                " (the serializer cannot handle what the application keeps in its session)"
            } else {
                ""
            };
            check(
                "msm-errors",
                false,
                format!("{} msm warnings/errors in the Tomcat logs{about}; first, in {}: {what}{timeout_note}", errors.len(), f.container),
            )
        }
    }
}

pub async fn check_logs(engine: &Engine, target: &Target, since: i64) -> Result<(Check, Vec<LogFinding>), VerifyError> {
    let mut found = Vec::new();
    for t in target.tomcats.iter().filter(|t| t.state == "running") {
        found.extend(msm_errors(&t.name, &engine.logs_since(&t.name, since).await?));
    }
    Ok((judge_logs(target.tomcats.len(), &found), found))
}

/// The whole result of a verify run.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub ok: bool,
    pub lab: String,
    pub url: String,
    /// `sticky` or `non-sticky`, as the session ids show.
    pub mode: &'static str,
    pub requests: Vec<Answer>,
    pub backends: BTreeMap<String, usize>,
    pub session_ids: Vec<String>,
    pub checks: Vec<Check>,
    pub msm_log_findings: Vec<LogFinding>,
    pub drills: Vec<DrillReport>,
}

impl Verdict {
    /// Every check passed and no drill failed (a drill's finding does not fail the run).
    pub fn settle(&mut self) {
        self.ok = self.checks.iter().all(|c| c.ok) && self.drills.iter().all(|d| !d.failed());
    }
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// The checks, without drills.
pub async fn run(engine: &Engine, lab: &str, page: &Page, requests: usize) -> Result<(Target, Verdict), VerifyError> {
    let target = target(engine, lab).await?;
    let since = unix_now();
    let mut walker = Walker::new(&target, page);
    let answers = walker.walk(requests).await;
    let (session_ids, backends) = (session_ids(&answers), backends(&answers));
    let mut checks = judge(lab, &answers, &session_ids, &backends);
    checks.push(check_store(engine, &target, &answers).await?);
    let (logs, msm_log_findings) = check_logs(engine, &target, since).await?;
    checks.push(logs);
    let mut verdict = Verdict {
        ok: false,
        lab: target.lab.clone(),
        url: walker.url().to_string(),
        mode: if is_sticky(&session_ids) { "sticky" } else { "non-sticky" },
        requests: answers,
        backends,
        session_ids,
        checks,
        msm_log_findings,
        drills: Vec::new(),
    };
    verdict.settle();
    Ok((target, verdict))
}

impl Classified for VerifyError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            VerifyError::NoLab(_) | VerifyError::Incomplete { .. } | VerifyError::Path(_) | VerifyError::Junit { .. } => ExitStatus::BadInput,
            VerifyError::Engine(e) => e.exit_status(),
        }
    }
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
            upstream: None,
            server_ip: Some("172.18.0.3".into()),
            session_id: Some(id.into()),
            counter: Some(counter),
            millis: 3,
            error: None,
        }
    }

    fn judge(answers: &[Answer]) -> Vec<Check> {
        super::judge("lab", answers, &session_ids(answers), &backends(answers))
    }

    fn by_name(checks: &[Check], name: &str) -> Check {
        checks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no check {name}: {checks:#?}")).clone()
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
    fn a_tomcat_without_msm_is_named() {
        let a = vec![answer(1, "tc-1", "A-n1", 1), answer(2, "tc-2", "B", 1), answer(3, "tc-1", "C-n1", 1), answer(4, "tc-2", "D", 1)];
        let same = by_name(&judge(&a), "same-session");
        assert!(same.detail.ends_with("; tc-2 handed out session ids without msm's node id (-n1), as Tomcat's own manager does: is msm its session manager (context.xml)?"), "{}", same.detail);
        // Without msm anywhere (the control lab) there is nothing to compare with.
        let b = vec![answer(1, "tc-1", "A", 1), answer(2, "tc-2", "B", 1)];
        assert!(!by_name(&judge(&b), "same-session").detail.contains("handed out"));
    }

    #[test]
    fn failed_requests_are_reported_with_the_first_one() {
        let mut a = vec![answer(1, "tc-1", "S", 1), answer(2, "tc-2", "S", 2)];
        a[1].status = Some(502);
        let c = by_name(&judge(&a), "answers");
        assert!(!c.ok);
        assert_eq!(c.detail, "1 of 2 requests failed; first: request 2 on tc-2 answered 502");
    }

    #[test]
    fn sticky_sessions_must_stay_on_the_tomcat_their_route_names() {
        let owner = "msmlab-lab-tomcat-2";
        let a: Vec<Answer> = (1..=3).map(|i| answer(i, owner, "S-n1.tomcat2", i as i64)).collect();
        let checks = judge(&a);
        assert!(checks.iter().all(|c| c.ok), "{checks:#?}");
        assert!(checks.iter().all(|c| c.name != "backends"));
        assert_eq!(by_name(&checks, "sticky").detail, format!("all 3 requests stayed on {owner}, the Tomcat named by the session's route .tomcat2"));

        let mut b = a.clone();
        b[2].backend = Some("msmlab-lab-tomcat-1".into());
        let c = by_name(&judge(&b), "sticky");
        assert!(!c.ok);
        assert!(c.detail.starts_with("request 3 went to msmlab-lab-tomcat-1"), "{}", c.detail);
    }

    #[test]
    fn the_users_pages_are_judged_without_a_counter() {
        let mut a: Vec<Answer> = (1..=2).map(|i| answer(i, if i == 1 { "tc-1" } else { "tc-2" }, "S-n1", 0)).collect();
        for x in &mut a {
            x.counter = None;
        }
        let checks = judge(&a);
        assert_eq!(checks.iter().map(|c| c.name).collect::<Vec<_>>(), ["answers", "same-session", "backends"]);
        assert_eq!(by_name(&checks, "answers").detail, "2 of 2 requests answered 200");
        a[1].status = Some(500);
        assert!(!by_name(&judge(&a), "answers").ok);
    }

    #[test]
    fn session_ids_split_into_base_node_and_route() {
        assert_eq!(SessionId::parse("ABC-n2.tomcat1"), SessionId { base: "ABC", node: Some("n2"), route: Some("tomcat1") });
        assert_eq!(SessionId::parse("ABC"), SessionId { base: "ABC", node: None, route: None });
    }

    #[test]
    fn msm_errors_are_found_in_tomcat_logs_with_their_cause() {
        let log = "\
25-Nov-2026 17:18:28.752 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1347] milliseconds
25-Nov-2026 17:20:01.100 WARNING [http-nio-8080-exec-3] de.javakaffee.web.msm.JavaSerializationTranscoder.writeAttributes Cannot serialize session attribute [threads] for session [ABC-n1]
\tjava.io.NotSerializableException: java.lang.Thread
\t\tat java.base/java.io.ObjectOutputStream.writeObject0(ObjectOutputStream.java:1197)
25-Nov-2026 17:20:02.100 WARNING [http-nio-8080-exec-4] org.apache.catalina.core.Other something unrelated
25-Nov-2026 17:20:03.100 FINE [http-nio-8080-exec-5] de.javakaffee.web.msm.JavaSerializationTranscoder.writeAttributes Ignoring attribute 'x' as it does not implement Serializable
2026-11-25 17:18:37.298 INFO net.spy.memcached.MemcachedConnection:  Reconnecting";
        let found = msm_errors("tc-1", log);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].cause.as_deref(), Some("java.io.NotSerializableException: java.lang.Thread"));
        assert!(found[1].line.contains("Ignoring attribute 'x'"));
        assert!(found.iter().all(|f| f.kind == FindingKind::Serialization));
        let check = judge_logs(2, &found);
        assert!(!check.ok);
        assert!(check.detail.starts_with("2 msm warnings/errors in the Tomcat logs (the serializer cannot handle"), "{}", check.detail);
    }

    #[test]
    fn failed_store_writes_are_counted_but_do_not_fail_the_log_check() {
        let log = "\
25-Nov-2026 17:46:01.671 WARNING [http-nio-8080-exec-7] de.javakaffee.web.msm.LockingStrategy.onAfterBackupSession An error occurred during onAfterBackupSession.
\tnet.spy.memcached.internal.CheckedOperationTimeoutException: Timed out waiting for operation - failing node: m-1/172.20.0.2:11211
\t\tat net.spy.memcached.internal.OperationFuture.get(OperationFuture.java:167)
25-Nov-2026 17:46:02.000 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1] milliseconds";
        let found = msm_errors("tc-1", log);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, FindingKind::Store);
        let check = judge_logs(2, &found);
        assert!(check.ok, "{check:?}");
        // msm's WARNING that a backup failed comes without a stack trace; the reason is in the
        // INFO record the same thread logged just before.
        let log = "\
25-Nov-2026 17:45:07.010 INFO [http-nio-8080-exec-3] de.javakaffee.web.msm.BackupSessionTask.storeSessionInMemcached Could not store session 23AE in memcached.
\tjava.util.concurrent.TimeoutException
\t\tat java.base/java.util.concurrent.FutureTask.get(FutureTask.java:204)
25-Nov-2026 17:45:07.011 INFO [http-nio-8080-exec-4] org.apache.Other something else
25-Nov-2026 17:45:07.114 WARNING [http-nio-8080-exec-3] de.javakaffee.web.msm.BackupSessionTask.handleException Could not store session 23AE in memcached.";
        let found = msm_errors("tc-1", log);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, FindingKind::Store);
        assert!(check.detail.ends_with("; 1 store write failed or timed out (msm's sessionBackupTimeout / operationTimeout: a loaded machine or a slow store)"), "{}", check.detail);
    }

    #[test]
    fn url_paths_must_be_paths() {
        assert!("/my/".parse::<UrlPath>().is_ok());
        assert!("/my/cart?id=1".parse::<UrlPath>().is_ok());
        for bad in ["my/", "http://x/", "//evil/", "/a b", "/a#b", ""] {
            assert!(bad.parse::<UrlPath>().is_err(), "{bad}");
        }
    }
}
