//! What the walk's answers say: every answer the page, one session, several Tomcats (or, in
//! sticky mode, one), and a counter that went up by one on every request.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::labspec::names::{self, Role};
use crate::verify::session_id::SessionId;
use crate::verify::walk::Answer;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

impl Check {
    pub fn new(name: &'static str, ok: bool, detail: String) -> Check {
        Check { name, ok, detail }
    }
}

/// On a swarm, the `backends` check also says the host each Tomcat ran on, and passes only if
/// the answering Tomcats ran on two hosts or more: sharing between processes on one host is
/// not what a lab of several hosts is there to show. `nodes` maps a Tomcat to its host.
pub fn judge_hosts(checks: &mut [Check], backends: &BTreeMap<String, usize>, nodes: &BTreeMap<String, String>) {
    let Some(check) = checks.iter_mut().find(|c| c.name == "backends") else { return };
    if nodes.is_empty() {
        return;
    }
    let hosts: std::collections::BTreeSet<&str> = backends.keys().filter_map(|b| nodes.get(b).map(String::as_str)).collect();
    let on: Vec<String> = backends.keys().map(|b| format!("{b} on {}", nodes.get(b).map_or("an unknown host", String::as_str))).collect();
    if hosts.len() >= 2 {
        check.detail = format!("{}; on {} hosts: {}", check.detail, hosts.len(), on.join(", "));
    } else {
        check.ok = false;
        check.detail = format!(
            "{}; but all on one host ({}): sharing across hosts was not tested (does the swarm have two nodes the Tomcats may run on?)",
            check.detail,
            hosts.iter().next().copied().unwrap_or("unknown")
        );
    }
}

/// Whether an answer is a success: 2xx (on the test page, with its JSON), or a redirect the
/// walk followed.
pub fn answered(a: &Answer) -> bool {
    a.error.is_none() && a.status.is_some_and(|s| (200..300).contains(&s) || (a.location.is_some() && (300..400).contains(&s)))
}

/// The first answer without a session after one had it: a session the client lost. Requests
/// before the application began a session (a login page that keeps none) are not that.
pub fn lost_session(answers: &[Answer]) -> Option<&Answer> {
    answers.iter().skip_while(|a| a.session_id.is_none()).find(|a| a.session_id.is_none())
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
        None if test_page => Check::new("answers", true, format!("{n} of {n} requests answered 200 with the test page")),
        None => {
            let codes: std::collections::BTreeSet<u16> = answers.iter().filter_map(|a| a.status).collect();
            let codes = codes.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
            Check::new("answers", true, format!("{n} of {n} requests answered {codes}"))
        }
        Some(a) => Check::new(
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

    let missing = lost_session(answers);
    let began = answers.iter().position(|a| a.session_id.is_some()).unwrap_or(0);
    let same = match (ids, missing) {
        ([], _) => Check::new("same-session", false, "no request got a session cookie (JSESSIONID): the page does not use a session".into()),
        ([id], None) if began == 0 => Check::new("same-session", true, format!("every request carried session {id}")),
        ([id], None) => Check::new("same-session", true, format!("every request from request {} on carried session {id} (the application began it there)", answers[began].n)),
        ([_], Some(a)) => Check::new("same-session", false, format!("request {} had no session cookie, after request {} had one: the client lost its session", a.n, answers[began].n)),
        _ => {
            let changed = answers.windows(2).find(|w| w[0].session_id != w[1].session_id).map(|w| &w[1]);
            let at = changed.map_or(String::new(), |a| {
                format!("; it first changed at request {} on {}", a.n, a.backend.as_deref().unwrap_or("?"))
            });
            Check::new("same-session", false, format!("{} different session ids in {n} requests{at}{}", ids.len(), no_msm_hint(answers)))
        }
    };

    let list = seen.iter().map(|(b, c)| format!("{b} ({c})")).collect::<Vec<_>>().join(", ");
    let spread = if is_sticky(ids) {
        sticky_check(lab, answers, ids, &list)
    } else if seen.len() >= 2 {
        Check::new("backends", true, format!("{} Tomcats answered: {list}", seen.len()))
    } else {
        Check::new(
            "backends",
            false,
            format!("only {} Tomcat answered ({list}): not enough evidence that the session is shared", seen.len()),
        )
    };

    let mut checks = vec![http, same, spread];
    if test_page {
        let wrong = answers.iter().find(|a| a.counter != Some(a.n as i64));
        checks.push(match wrong {
            None => Check::new("counter", true, format!("went 1 → {n}, up by one on every request, whichever Tomcat answered")),
            Some(a) => Check::new(
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
        return Check::new("sticky", false, format!("the session's route .{route} names no Tomcat of this lab"));
    };
    // The first request has no cookie yet: nginx picks any Tomcat, which becomes the owner.
    let strays: Vec<&Answer> = answers.iter().filter(|a| a.session_id.is_some() && a.backend.as_deref() != Some(owner.as_str())).collect();
    match strays.first() {
        None => Check::new("sticky", true, format!("all {} requests stayed on {owner}, the Tomcat named by the session's route .{route}", answers.len())),
        Some(a) => Check::new(
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::verify::sample_answer as answer;

    fn judge(answers: &[Answer]) -> Vec<Check> {
        super::judge("lab", answers, &session_ids(answers), &backends(answers))
    }

    fn by_name(checks: &[Check], name: &str) -> Check {
        checks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no check {name}: {checks:#?}")).clone()
    }

    #[test]
    fn on_a_swarm_the_tomcats_must_answer_from_two_hosts() {
        let backends = BTreeMap::from([("tc-1".to_string(), 2), ("tc-2".to_string(), 2)]);
        let mut checks = vec![Check::new("backends", true, "2 Tomcats answered".into())];
        let two = BTreeMap::from([("tc-1".to_string(), "node-2".to_string()), ("tc-2".to_string(), "node-3".to_string())]);
        judge_hosts(&mut checks, &backends, &two);
        assert!(checks[0].ok && checks[0].detail.ends_with("on 2 hosts: tc-1 on node-2, tc-2 on node-3"), "{}", checks[0].detail);
        let one = BTreeMap::from([("tc-1".to_string(), "node-2".to_string()), ("tc-2".to_string(), "node-2".to_string())]);
        judge_hosts(&mut checks, &backends, &one);
        assert!(!checks[0].ok && checks[0].detail.contains("all on one host (node-2)"), "{}", checks[0].detail);
    }

    #[test]
    fn a_shared_session_passes_every_check() {
        let a: Vec<Answer> = (1..=4).map(|i| answer(i, if i % 2 == 1 { "tc-1" } else { "tc-2" }, "S-n1", i as i64)).collect();
        let checks = judge(&a);
        assert!(checks.iter().all(|c| c.ok), "{checks:#?}");
        assert_eq!(by_name(&checks, "backends").detail, "2 Tomcats answered: tc-1 (2), tc-2 (2)");
    }

    #[test]
    fn a_session_the_application_begins_later_is_one_session_but_a_lost_one_fails() {
        // A login page that keeps no session, then the pages after the login.
        let mut a: Vec<Answer> = (1..=4).map(|i| answer(i, if i % 2 == 1 { "tc-1" } else { "tc-2" }, "S-n1", i as i64)).collect();
        a[0].session_id = None;
        let ids = session_ids(&a);
        let c = by_name(&super::judge("l", &a, &ids, &backends(&a)), "same-session");
        assert!(c.ok && c.detail.starts_with("every request from request 2 on carried session S-n1"), "{c:?}");
        a[2].session_id = None;
        let c = by_name(&super::judge("l", &a, &ids, &backends(&a)), "same-session");
        assert!(!c.ok && c.detail.starts_with("request 3 had no session cookie, after request 2 had one"), "{c:?}");
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
    fn a_redirect_the_walk_followed_is_an_answer_and_one_it_refused_is_a_failure() {
        let mut a: Vec<Answer> = (1..=4).map(|i| answer(i, if i % 2 == 1 { "tc-1" } else { "tc-2" }, "S-n1", 0)).collect();
        for x in &mut a {
            x.counter = None;
        }
        a[0].status = Some(302);
        a[0].location = Some("plain.jsp".into());
        assert_eq!(by_name(&judge(&a), "answers").detail, "4 of 4 requests answered 200, 302");
        // Not followed: a 3xx without a Location, or one off the lab.
        a[2].status = Some(302);
        assert!(!by_name(&judge(&a), "answers").ok);
        a[2].location = Some("http://127.0.0.1:13355/state/plain.jsp".into());
        a[2].error = Some("redirected to http://127.0.0.1:13355/state/plain.jsp, not this lab (http://127.0.0.1:13571)".into());
        assert_eq!(
            by_name(&judge(&a), "answers").detail,
            "1 of 4 requests failed; first: request 3 on tc-1 redirected to http://127.0.0.1:13355/state/plain.jsp, not this lab (http://127.0.0.1:13571)"
        );
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
}
