//! What `compat` sends: the `--path`s, and the steps of a `--flow` file.
//!
//! A flow file has one step per line, `[once] METHOD PATH [FORM-BODY]`; `#` starts a comment:
//!
//! ```text
//! once POST /shop/login user=alice&password=secret
//! GET  /shop/cart.jsp?item=book
//! POST /shop/cart.jsp item=pen&submit=add
//! ```
//!
//! `once` steps run first, in order, once (a login); the others are walked in rounds until
//! every Tomcat has served each of them at least twice (`Schedule`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::verify::UrlPath;

/// Requests a compat run sends at most per serializer, whatever coverage is still missing.
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

/// The order of the repeated steps: rounds over them until each was served by every Tomcat
/// `SERVES_EACH` times. nginx's round robin is strict, so when the number of steps is a
/// multiple of the number of Tomcats each step would always land on the same Tomcat; after a
/// round that left coverage missing, one extra request of the first step shifts the phase.
pub struct Schedule {
    steps: usize,
    tomcats: usize,
    served: HashMap<(usize, String), usize>,
    queue: Vec<usize>,
}

impl Schedule {
    pub fn new(steps: usize, tomcats: usize) -> Schedule {
        Schedule { steps, tomcats, served: HashMap::new(), queue: Vec::new() }
    }

    /// Notes that step `i` was answered by `tomcat`.
    pub fn served(&mut self, i: usize, tomcat: Option<&str>) {
        if let Some(t) = tomcat {
            *self.served.entry((i, t.to_string())).or_default() += 1;
        }
    }

    pub fn covered(&self) -> bool {
        let per_step = |i: usize| self.served.iter().filter(|((s, _), n)| *s == i && **n >= SERVES_EACH).count();
        (0..self.steps).all(|i| per_step(i) >= self.tomcats)
    }

    /// The next repeated step to send, or `None` when coverage is complete or `sent` reached
    /// the limit.
    pub fn next(&mut self, sent: usize) -> Option<usize> {
        if sent >= MAX_REQUESTS || self.steps == 0 {
            return None;
        }
        if self.queue.is_empty() {
            if self.covered() {
                return None;
            }
            self.queue = (0..self.steps).rev().collect();
            if sent > 0 && self.steps.is_multiple_of(self.tomcats) {
                self.queue.push(0);
            }
        }
        self.queue.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// nginx's strict round robin over 2 Tomcats, as the schedule meets it.
    fn walk(steps: usize, tomcats: usize) -> (usize, Schedule) {
        let mut s = Schedule::new(steps, tomcats);
        let mut sent = 0;
        while let Some(i) = s.next(sent) {
            s.served(i, Some(&format!("tc-{}", sent % tomcats)));
            sent += 1;
        }
        (sent, s)
    }

    #[test]
    fn every_tomcat_serves_every_step_twice_even_when_round_robin_is_in_phase() {
        for (steps, tomcats) in [(1, 2), (2, 2), (3, 2), (4, 2), (2, 3)] {
            let (sent, s) = walk(steps, tomcats);
            assert!(s.covered(), "{steps} steps on {tomcats} Tomcats: not covered after {sent}");
            assert!(sent < 8 * steps * tomcats, "{steps} steps on {tomcats} Tomcats took {sent}");
        }
        assert_eq!(walk(1, 2).0, 4);
    }
}
