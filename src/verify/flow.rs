//! What a walk sends: URL paths (`--path`), and the steps of a flow file (`--flow`, for verify
//! and compat alike).
//!
//! A flow file has one step per line, `[once] METHOD PATH [FORM-BODY]`; `#` starts a comment:
//!
//! ```text
//! once POST /shop/login user=alice&password=secret
//! GET  /shop/cart.jsp?item=book
//! POST /shop/cart.jsp item=pen&submit=add
//! ```
//!
//! `once` steps run first, in order, once (a login); the others are walked in rounds
//! (`Schedule`): compat's until every Tomcat has served each of them at least twice, verify's
//! until `--requests`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;

use crate::exit::{Classified, ExitStatus};
use crate::verify::errors::VerifyError;

/// A URL path on the lab's nginx (`verify --path`), e.g. `/my/`; in JSON, the path itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
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

impl AsRef<str> for UrlPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Requests a compat run sends at most per serializer (redirect hops included), whatever
/// coverage is still missing.
pub const MAX_REQUESTS: usize = 400;
/// Times each Tomcat must serve each step.
pub const SERVES_EACH: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn http(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

/// One request of the flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowStep {
    pub once: bool,
    pub method: Method,
    pub path: UrlPath,
    /// A form body (`application/x-www-form-urlencoded`), for POST and PUT.
    pub form: Option<String>,
}

impl FlowStep {
    pub fn get(path: UrlPath) -> FlowStep {
        FlowStep { once: false, method: Method::Get, path, form: None }
    }

    /// `GET /shop/cart.jsp`, for messages.
    pub fn describe(&self) -> String {
        format!("{} {}", self.method.http(), self.path)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("cannot read the flow file {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {why}\n  {text}\n  a step is `[once] METHOD PATH [FORM-BODY]`, e.g. `once POST /shop/login user=alice&password=secret`")]
    Step { path: PathBuf, line: usize, text: String, why: String },
    #[error("{0}: the flow has no step that is walked in rounds (every step says `once`): add a step without `once`, or a --path")]
    OnlyOnce(PathBuf),
    #[error("give compat something to walk: --path URL_PATH (several allowed) or --flow FILE")]
    Nothing,
    #[error("{0}: the flow has no step: write one per line, `[once] METHOD PATH [FORM-BODY]`")]
    Empty(PathBuf),
    #[error("--path and --flow are one or the other: --path walks one page, --flow the steps of a file (put the page in the file as a step)")]
    PathAndFlow,
}

impl Classified for FlowError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::BadInput
    }
}

/// Reads a flow file.
pub fn read(path: &Path) -> Result<Vec<FlowStep>, FlowError> {
    let text = std::fs::read_to_string(path).map_err(|source| FlowError::Read { path: path.to_path_buf(), source })?;
    parse(path, &text)
}

pub fn parse(path: &Path, text: &str) -> Result<Vec<FlowStep>, FlowError> {
    let mut steps = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split_once('#').map_or(raw, |(before, _)| before).trim();
        if line.is_empty() {
            continue;
        }
        let bad = |why: &str| FlowError::Step { path: path.to_path_buf(), line: i + 1, text: raw.trim().to_string(), why: why.into() };
        let mut words = line.split_whitespace().peekable();
        let once = words.next_if(|w| w.eq_ignore_ascii_case("once")).is_some();
        let method = match words.next().map(str::to_ascii_uppercase).as_deref() {
            Some("GET") => Method::Get,
            Some("POST") => Method::Post,
            Some("PUT") => Method::Put,
            Some("DELETE") => Method::Delete,
            Some(other) => return Err(bad(&format!("{other:?} is not a method: use GET, POST, PUT or DELETE"))),
            None => return Err(bad("a method and a path are missing")),
        };
        let path: UrlPath = words.next().ok_or_else(|| bad("the path is missing"))?.parse().map_err(|_| bad("the path must start with / and hold no spaces"))?;
        let form = words.next().map(str::to_string);
        if words.next().is_some() {
            return Err(bad("a form body holds no spaces: encode them as + or %20"));
        }
        if form.is_some() && !matches!(method, Method::Post | Method::Put) {
            return Err(bad("only POST and PUT take a form body"));
        }
        steps.push(FlowStep { once, method, path, form });
    }
    if !steps.is_empty() && steps.iter().all(|s| s.once) {
        return Err(FlowError::OnlyOnce(path.to_path_buf()));
    }
    Ok(steps)
}

/// What the walk does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Send the repeated step of this index (a page load: its redirect hops follow).
    Step(usize),
    /// Send one request outside the walk (`Walker::shift`), to move round robin on by one.
    Shift,
}

/// When the rounds end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Goal {
    /// compat: every Tomcat served every step `SERVES_EACH` times, or `MAX_REQUESTS`.
    Coverage,
    /// verify: this many requests.
    Requests(usize),
}

/// The order of the repeated steps, in rounds. nginx's round robin is strict, so when a round
/// takes a multiple of the Tomcats' number of requests (redirect hops count: a page that
/// always redirects takes two), each step would always land on the same Tomcat; after such a
/// round, one request outside the walk (`Turn::Shift`) moves the phase on.
pub struct Schedule {
    steps: usize,
    tomcats: usize,
    goal: Goal,
    served: HashMap<(usize, String), usize>,
    queue: Vec<usize>,
    /// Requests of the round under way, and whether a round began at all.
    round: Option<usize>,
    at_limit: bool,
}

impl Schedule {
    /// compat's: until every Tomcat served each step twice, or `MAX_REQUESTS`.
    pub fn coverage(steps: usize, tomcats: usize) -> Schedule {
        Schedule::with(steps, tomcats, Goal::Coverage)
    }

    /// verify's: until `requests` were sent.
    pub fn requests(steps: usize, tomcats: usize, requests: usize) -> Schedule {
        Schedule::with(steps, tomcats, Goal::Requests(requests))
    }

    fn with(steps: usize, tomcats: usize, goal: Goal) -> Schedule {
        Schedule { steps, tomcats, goal, served: HashMap::new(), queue: Vec::new(), round: None, at_limit: false }
    }

    /// Notes that step `i` was answered by `tomcat` (its first request's), in `hops` requests.
    pub fn served(&mut self, i: usize, tomcat: Option<&str>, hops: usize) {
        if let Some(t) = tomcat {
            *self.served.entry((i, t.to_string())).or_default() += 1;
        }
        self.round = Some(self.round.unwrap_or(0) + hops);
    }

    pub fn covered(&self) -> bool {
        (0..self.steps).all(|i| self.served_by(i).values().filter(|n| **n >= SERVES_EACH).count() >= self.tomcats)
    }

    /// The Tomcats that served step `i`, and how often.
    pub fn served_by(&self, i: usize) -> BTreeMap<String, usize> {
        self.served.iter().filter(|((s, _), _)| *s == i).map(|((_, t), n)| (t.clone(), *n)).collect()
    }

    /// Whether the walk ended at its request limit with coverage still missing (compat).
    pub fn stopped_at_limit(&self) -> bool {
        self.at_limit
    }

    /// What to send next, or `None` when the goal is reached or `sent` (every request of the
    /// walk so far) reached the limit.
    pub fn next(&mut self, sent: usize) -> Option<Turn> {
        let limit = match self.goal {
            Goal::Coverage => MAX_REQUESTS,
            Goal::Requests(n) => n,
        };
        if self.steps == 0 || (self.goal == Goal::Coverage && self.queue.is_empty() && self.covered()) {
            return None;
        }
        if sent >= limit {
            self.at_limit = self.goal == Goal::Coverage;
            return None;
        }
        if self.queue.is_empty() {
            self.queue = (0..self.steps).rev().collect();
            let in_phase = self.round.is_some_and(|r| self.tomcats > 1 && r % self.tomcats == 0);
            self.round = Some(0);
            if in_phase {
                return Some(Turn::Shift);
            }
        }
        self.queue.pop().map(Turn::Step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_must_be_paths() {
        assert!("/my/".parse::<UrlPath>().is_ok());
        assert!("/my/cart?id=1".parse::<UrlPath>().is_ok());
        for bad in ["my/", "http://x/", "//evil/", "/a b", "/a#b", ""] {
            assert!(bad.parse::<UrlPath>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_flow_file_has_once_steps_methods_and_form_bodies() {
        let text = "# log in first\nonce POST /shop/login user=alice&password=secret\nGET /shop/cart.jsp?item=book\npost /shop/cart.jsp item=pen # add\n";
        let steps = parse(Path::new("flow.txt"), text).unwrap();
        assert_eq!(steps.len(), 3);
        assert!(steps[0].once && steps[0].method == Method::Post && steps[0].form.as_deref() == Some("user=alice&password=secret"));
        assert_eq!(steps[1].describe(), "GET /shop/cart.jsp?item=book");
        assert_eq!(steps[2].form.as_deref(), Some("item=pen"));
    }

    #[test]
    fn a_bad_step_names_the_file_the_line_and_the_form() {
        let err = parse(Path::new("flow.txt"), "GET /a\nFETCH /b\n").unwrap_err().to_string();
        assert!(err.starts_with("flow.txt:2: \"FETCH\" is not a method: use GET, POST, PUT or DELETE\n  FETCH /b\n  a step is `[once] METHOD PATH [FORM-BODY]`"), "{err}");
        let err = parse(Path::new("f"), "GET /a x=1").unwrap_err().to_string();
        assert!(err.contains("only POST and PUT take a form body"), "{err}");
        assert!(matches!(parse(Path::new("f"), "once GET /login").unwrap_err(), FlowError::OnlyOnce(_)));
    }

    /// nginx's strict round robin, as the schedule meets it: each step's load takes `hops[i]`
    /// requests, a shift one.
    fn walk(hops: &[usize], tomcats: usize) -> (usize, Schedule) {
        let mut s = Schedule::coverage(hops.len(), tomcats);
        let (mut sent, mut upstream) = (0, 0);
        while let Some(turn) = s.next(sent) {
            match turn {
                Turn::Shift => upstream += 1,
                Turn::Step(i) => {
                    s.served(i, Some(&format!("tc-{}", upstream % tomcats)), hops[i]);
                    upstream += hops[i];
                    sent += hops[i];
                }
            }
        }
        (sent, s)
    }

    #[test]
    fn every_tomcat_serves_every_step_twice_even_when_round_robin_is_in_phase() {
        for (hops, tomcats) in [(&[1][..], 2), (&[1, 1], 2), (&[1, 1, 1], 2), (&[1, 1, 1, 1], 2), (&[1, 1], 3), (&[2], 2), (&[2, 1, 1], 2), (&[3], 3), (&[2, 2], 2)] {
            let (sent, s) = walk(hops, tomcats);
            assert!(s.covered() && !s.stopped_at_limit(), "{hops:?} on {tomcats} Tomcats: not covered after {sent}");
            assert!(sent < 8 * hops.iter().sum::<usize>() * tomcats, "{hops:?} on {tomcats} Tomcats took {sent}");
        }
        assert_eq!(walk(&[1], 2).0, 4);
        // A page that always redirects once: two requests per load.
        assert_eq!(walk(&[2], 2).0, 8);
    }

    #[test]
    fn a_walk_that_cannot_cover_stops_at_the_limit_and_says_so() {
        // A Tomcat that never answers: coverage never comes.
        let mut s = Schedule::coverage(1, 2);
        let mut sent = 0;
        while let Some(turn) = s.next(sent) {
            assert_eq!(turn, Turn::Step(0));
            s.served(0, Some("tc-1"), 1);
            sent += 1;
        }
        assert_eq!(sent, MAX_REQUESTS);
        assert!(s.stopped_at_limit());
        assert_eq!(s.served_by(0), BTreeMap::from([("tc-1".to_string(), MAX_REQUESTS)]));
    }

    #[test]
    fn verifys_rounds_end_at_its_request_count() {
        let mut s = Schedule::requests(2, 2, 5);
        let mut sent = 0;
        let mut turns = Vec::new();
        while let Some(t) = s.next(sent) {
            turns.push(t);
            if let Turn::Step(i) = t {
                s.served(i, Some("tc-1"), 1);
                sent += 1;
            }
        }
        assert_eq!(turns, [Turn::Step(0), Turn::Step(1), Turn::Shift, Turn::Step(0), Turn::Step(1), Turn::Shift, Turn::Step(0)]);
        assert!(!s.stopped_at_limit());
    }
}
