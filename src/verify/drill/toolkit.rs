//! What the drills share: open a session on the healthy lab, then judge what the requests
//! after a failure (and after the restore) showed of it.

use std::time::Duration;

use crate::engine::Engine;
use crate::verify::judge::{answered, backends, session_ids};
use crate::verify::session_id::SessionId;
use crate::verify::walk::{self, Answer, Page, Target, Walker};

use super::steps::{DrillVerdict, Log};

/// Grace period of a `docker stop`: Tomcat and memcached stop in about a second.
pub(super) const STOP_GRACE: Duration = Duration::from_secs(10);
/// Requests that open the drill's session, and that follow each failure.
const OPEN_REQUESTS: usize = 3;
pub(super) const AFTER_REQUESTS: usize = 4;

/// The session's state as the last answers show it.
pub(super) struct Seen {
    pub(super) id: Option<String>,
    pub(super) counter: Option<i64>,
    pub(super) backend: Option<String>,
}

pub(super) fn last(answers: &[Answer]) -> Seen {
    let a = answers.last();
    Seen {
        id: a.and_then(|a| a.session_id.clone()),
        counter: a.and_then(|a| a.counter),
        backend: a.and_then(|a| a.backend.clone()),
    }
}

/// "3 requests: session X, counter 1 → 3, answered by A (2), B (1)".
pub(super) fn describe(answers: &[Answer]) -> String {
    let ok = answers.iter().filter(|a| answered(a)).count();
    let ids = session_ids(answers);
    let by = backends(answers).iter().map(|(b, n)| format!("{b} ({n})")).collect::<Vec<_>>().join(", ");
    let counters: Vec<String> = answers.iter().map(|a| a.counter.map_or("-".into(), |c| c.to_string())).collect();
    let slowest = answers.iter().map(|a| a.millis).max().unwrap_or(0);
    let mut out = format!("{ok} of {} answered", answers.len());
    if !by.is_empty() {
        out += &format!(" by {by}");
    }
    match ids.as_slice() {
        [] => out += "; no session",
        [id] => out += &format!("; session {id}"),
        many => out += &format!("; {} session ids: {}", many.len(), many.join(" → ")),
    }
    if answers.iter().any(|a| a.counter.is_some()) {
        out += &format!("; counter {}", counters.join(", "));
    }
    if let Some(bad) = answers.iter().find(|a| !answered(a)) {
        out += &format!("; request {} {}", bad.n, bad.error.clone().unwrap_or_else(|| format!("answered {}", bad.status.unwrap_or(0))));
    }
    out += &format!("; slowest {:.1} s", slowest as f64 / 1000.0);
    out
}

/// The end of a drill that could not open its session: nothing was changed.
pub(super) fn no_session() -> (DrillVerdict, String) {
    (DrillVerdict::Failed, "the drill could not open a session on the healthy lab".into())
}

/// Opens the drill's session: every request answered, one session.
pub(super) async fn open(walker: &mut Walker, log: &mut Log) -> Option<Seen> {
    let answers = walker.walk(OPEN_REQUESTS).await;
    let ok = answers.iter().all(answered) && session_ids(&answers).len() == 1;
    log.step(format!("open a session ({OPEN_REQUESTS} requests)"), ok, describe(&answers));
    ok.then(|| last(&answers))
}

/// Whether the answers after a failure kept the session: all answered, the same session
/// (its base id: msm may move it to another node or route), and the counter went on.
pub(super) fn kept(before: &Seen, answers: &[Answer]) -> Result<(), String> {
    if let Some(a) = answers.iter().find(|a| !answered(a)) {
        return Err(format!("request {} failed", a.n));
    }
    let base = before.id.as_deref().map(|id| SessionId::parse(id).base);
    if let Some(a) = answers.iter().find(|a| a.session_id.as_deref().map(|id| SessionId::parse(id).base) != base) {
        return Err(format!("request {} carried another session ({}): the session was lost", a.n, a.session_id.as_deref().unwrap_or("none")));
    }
    if let Some(start) = before.counter {
        for (i, a) in answers.iter().enumerate() {
            let want = start + 1 + i as i64;
            if a.counter != Some(want) {
                return Err(format!("request {} showed counter {}, expected {want}: the session's state was lost", a.n, a.counter.map_or("-".into(), |c| c.to_string())));
            }
        }
    }
    Ok(())
}

/// What the drill could see of the session's state: the test page's counter; a page of the
/// user's shows only that the session (its id) was kept.
pub(super) fn kept_state(page: &Page) -> &'static str {
    if page.is_test() {
        ", its visit counter intact"
    } else {
        "; the session id is the evidence (this page shows no state to compare)"
    }
}

/// The answers' session, compared with the one before: "ABC-n1.tomcat1 → ABC-n1.tomcat2".
pub(super) fn id_change(before: &Seen, answers: &[Answer]) -> String {
    let after = last(answers).id;
    match (before.id.as_deref(), after.as_deref()) {
        (Some(b), Some(a)) if a != b => format!("session id {b} → {a}"),
        (Some(b), Some(_)) => format!("session id {b} unchanged"),
        _ => String::new(),
    }
}

/// Two requests after a restore: the session goes on where the failover left it (the
/// `AFTER_REQUESTS` sent while a part was away counted up).
pub(super) async fn after_restore(engine: &Engine, target: &Target, walker: &mut Walker, before: &Seen, log: &mut Log) {
    relearn(engine, target, walker).await;
    let answers = walker.walk(2).await;
    let expected = Seen { id: before.id.clone(), counter: before.counter.map(|c| c + AFTER_REQUESTS as i64), backend: None };
    let verdict = kept(&expected, &answers);
    log.step("send 2 requests after the restore", verdict.is_ok(), format!("{}{}", describe(&answers), because(&verdict)));
}

/// The walker told the lab's Tomcats as they are now (a Tomcat may be back on a new address).
pub(super) async fn relearn(engine: &Engine, target: &Target, walker: &mut Walker) {
    walker.learn(&walk::target(engine, &target.lab).await.map(|t| t.tomcats).unwrap_or_default());
}

/// `kept`'s reason, as the end of a step's `saw`: ": why", or nothing when the session was kept.
pub(super) fn because(verdict: &Result<(), String>) -> String {
    verdict.as_ref().err().map_or(String::new(), |e| format!(": {e}"))
}

/// One more fact for a step's `saw`: "; fact", or nothing when there is none.
pub(super) fn and(fact: &str) -> String {
    if fact.is_empty() {
        String::new()
    } else {
        format!("; {fact}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::verify::sample_answer as answer;

    fn failed(n: usize, error: &str) -> Answer {
        Answer { status: None, backend: None, server_ip: None, session_id: None, counter: None, millis: 5000, error: Some(error.into()), ..answer(n, "", "", 0) }
    }

    fn seen(id: &str, counter: i64) -> Seen {
        Seen { id: Some(id.into()), counter: Some(counter), backend: Some("tomcat1".into()) }
    }

    #[test]
    fn describe_says_who_answered_with_which_session_and_counter() {
        let answers = [answer(1, "tomcat1", "AB-n1", 1), answer(2, "tomcat2", "AB-n1", 2), answer(3, "tomcat1", "AB-n1", 3)];
        assert_eq!(describe(&answers), "3 of 3 answered by tomcat1 (2), tomcat2 (1); session AB-n1; counter 1, 2, 3; slowest 0.0 s");
        let moved = [answer(1, "tomcat2", "AB-n1", 4), answer(2, "tomcat2", "AB-n2", 5)];
        assert_eq!(describe(&moved), "2 of 2 answered by tomcat2 (2); 2 session ids: AB-n1 → AB-n2; counter 4, 5; slowest 0.0 s");
    }

    #[test]
    fn describe_names_the_first_request_that_failed() {
        let answers = [answer(1, "tomcat1", "AB-n1", 1), failed(2, "connection refused")];
        assert_eq!(describe(&answers), "1 of 2 answered by tomcat1 (1); session AB-n1; counter 1, -; request 2 connection refused; slowest 5.0 s");
        let mut bad = failed(1, "");
        bad.error = None;
        bad.status = Some(502);
        assert_eq!(describe(&[bad]), "0 of 1 answered; no session; request 1 answered 502; slowest 5.0 s");
        assert_eq!(describe(&[]), "0 of 0 answered; no session; slowest 0.0 s");
    }

    #[test]
    fn a_session_is_kept_when_its_base_id_and_counter_go_on() {
        let before = seen("AB-n1.tomcat1", 3);
        // msm may move the session to another node or route: the base id is what counts.
        assert_eq!(kept(&before, &[answer(7, "tomcat2", "AB-n2.tomcat2", 4), answer(8, "tomcat2", "AB-n2.tomcat2", 5)]), Ok(()));
        assert_eq!(kept(&before, &[answer(7, "tomcat2", "CD-n1.tomcat2", 1)]), Err("request 7 carried another session (CD-n1.tomcat2): the session was lost".into()));
        assert_eq!(kept(&before, &[answer(7, "tomcat2", "AB-n1.tomcat2", 4), answer(8, "tomcat2", "AB-n1.tomcat2", 4)]), Err("request 8 showed counter 4, expected 5: the session's state was lost".into()));
        assert_eq!(kept(&before, &[answer(7, "tomcat2", "AB-n1", 4), failed(8, "timeout")]), Err("request 8 failed".into()));
        // A page of the user's has no counter: the id alone is compared.
        let no_counter = Seen { counter: None, ..seen("AB-n1", 0) };
        assert_eq!(kept(&no_counter, &[answer(7, "tomcat2", "AB-n1", 99)]), Ok(()));
    }

    #[test]
    fn id_change_compares_the_last_answer_with_the_session_before() {
        let before = seen("AB-n1.tomcat1", 3);
        assert_eq!(id_change(&before, &[answer(1, "tomcat2", "AB-n1.tomcat1", 4), answer(2, "tomcat2", "AB-n1.tomcat2", 5)]), "session id AB-n1.tomcat1 → AB-n1.tomcat2");
        assert_eq!(id_change(&before, &[answer(1, "tomcat1", "AB-n1.tomcat1", 4)]), "session id AB-n1.tomcat1 unchanged");
        assert_eq!(id_change(&before, &[failed(1, "refused")]), "");
        assert_eq!(id_change(&Seen { id: None, counter: None, backend: None }, &[answer(1, "tomcat1", "AB", 1)]), "");
    }

    #[test]
    fn last_is_the_session_as_the_last_answer_shows_it() {
        let s = last(&[answer(1, "tomcat1", "AB-n1", 1), answer(2, "tomcat2", "AB-n2", 2)]);
        assert_eq!((s.id.as_deref(), s.counter, s.backend.as_deref()), (Some("AB-n2"), Some(2), Some("tomcat2")));
        let none = last(&[]);
        assert_eq!((none.id, none.counter, none.backend), (None, None, None));
    }

    #[test]
    fn a_steps_saw_ends_with_the_reason_and_the_facts_given() {
        assert_eq!(because(&Ok(())), "");
        assert_eq!(because(&Err("request 2 failed".into())), ": request 2 failed");
        assert_eq!(and(""), "");
        assert_eq!(and("session id A → B"), "; session id A → B");
        assert_eq!(kept_state(&Page::Test), ", its visit counter intact");
        assert!(kept_state(&Page::User("/my/".parse().unwrap())).contains("session id is the evidence"));
        assert_eq!(no_session(), (DrillVerdict::Failed, "the drill could not open a session on the healthy lab".into()));
    }
}
