//! Session ids the application changes on purpose.
//!
//! Every login should change the session id, against session fixation
//! (`request.changeSessionId()`, Tomcat's authenticators, Spring Security, Shiro). msm then
//! carries the state to the new id, and the session is still shared. The session probe shows
//! it: during request n the application found the old id and left the new one, and request
//! n+1 found the state under the new id. A new id that the application did not make (the
//! Tomcat found no session and opened one), or whose state did not follow, is still a failure.

use std::collections::HashMap;

use serde::Serialize;

use crate::verify::judge::Check;
use crate::verify::probe::Sighting;
use crate::verify::walk::Answer;

/// One change of the session id between two answers of the walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdChange {
    /// The request whose answer carried the new id.
    pub request: usize,
    /// The Tomcat that answered it.
    pub tomcat: Option<String>,
    pub from: String,
    pub to: String,
    #[serde(flatten)]
    pub kind: ChangeKind,
}

/// What the probe's reports say about an id change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ChangeKind {
    /// The application changed the id, and the next request found the state under it.
    Rotation { next: usize, on: String },
    /// The application changed the id, but the next request did not find the state under it:
    /// no session, or without these attributes.
    StateLost { next: usize, on: String, missing: Vec<String>, no_session: bool },
    /// Not the application: the Tomcat did not find the old session and opened another.
    NewSession { found: Option<String> },
    /// The evidence is missing; `why` says which.
    Untold { why: String },
}

impl IdChange {
    pub fn is_rotation(&self) -> bool {
        matches!(self.kind, ChangeKind::Rotation { .. })
    }

    /// The change, as a clause of the `same-session` check.
    pub fn sentence(&self) -> String {
        let (n, by) = (self.request, self.tomcat.as_deref().unwrap_or("?"));
        let ids = format!("{} → {}", self.from, self.to);
        match &self.kind {
            ChangeKind::Rotation { next, on } => {
                let where_ = if on == by { format!("on the same Tomcat, {on}") } else { format!("to {on}") };
                format!("rotated at request {n} by {by} ({ids}); the state followed {where_} at request {next}")
            }
            ChangeKind::StateLost { next, on, no_session: true, .. } => {
                format!("rotated at request {n} by {by} ({ids}), but the state did not follow: {on} found no session under the new id for request {next}")
            }
            ChangeKind::StateLost { next, on, missing, .. } => {
                format!("rotated at request {n} by {by} ({ids}), but the state did not follow: {on} loaded it for request {next} without {}", missing.join(", "))
            }
            ChangeKind::NewSession { found: None } => {
                format!("at request {n}, {by} found no session under {} and handed out {}: a new session, not a rotation", self.from, self.to)
            }
            ChangeKind::NewSession { found: Some(id) } => {
                format!("at request {n}, {by} loaded session {id}, not {}, and handed out {}: not a change the application made", self.from, self.to)
            }
            ChangeKind::Untold { why } => format!("the id changed at request {n} on {by} ({ids}): {why}"),
        }
    }
}

/// Every change of the session id between consecutive answers, each judged by the probe's
/// reports (`sightings`, by request number).
pub fn id_changes(answers: &[Answer], sightings: &HashMap<usize, Sighting>) -> Vec<IdChange> {
    let mut changes = Vec::new();
    for i in 1..answers.len() {
        let (Some(from), Some(to)) = (&answers[i - 1].session_id, &answers[i].session_id) else { continue };
        if from == to {
            continue;
        }
        let a = &answers[i];
        changes.push(IdChange { request: a.n, tomcat: a.backend.clone(), from: from.clone(), to: to.clone(), kind: classify(from, to, a.n, answers.get(i + 1), sightings) });
    }
    changes
}

fn classify(from: &str, to: &str, n: usize, next: Option<&Answer>, sightings: &HashMap<usize, Sighting>) -> ChangeKind {
    let untold = |why: String| ChangeKind::Untold { why };
    let Some(s) = sightings.get(&n) else {
        return untold(format!("no session probe report for request {n}, so whether the application changed it could not be told"));
    };
    let left = match (&s.before, &s.after) {
        (None, _) => return ChangeKind::NewSession { found: None },
        (Some(b), _) if b.id != from => return ChangeKind::NewSession { found: Some(b.id.clone()) },
        (Some(_), Some(a)) if a.id == to => a,
        (Some(_), after) => {
            let left = after.as_ref().map_or("no session".to_string(), |a| format!("session {}", a.id));
            return untold(format!("{} found it for request {n} and left {left}, yet the answer carried {to}", s.tomcat));
        }
    };
    let Some(next) = next else {
        return untold(format!("the application changed it during request {n}, the walk's last, so whether the state followed could not be told"));
    };
    let Some(t) = sightings.get(&next.n) else {
        return untold(format!("the application changed it during request {n}; no session probe report for request {}, so whether the state followed could not be told", next.n));
    };
    match &t.before {
        None => ChangeKind::StateLost { next: next.n, on: t.tomcat.clone(), missing: Vec::new(), no_session: true },
        Some(b) if b.id != to => untold(format!("the application changed it during request {n}, but request {} loaded session {}", next.n, b.id)),
        Some(b) => {
            let missing: Vec<String> = left.attributes.iter().filter(|a| b.get(&a.name).is_none()).map(|a| a.name.clone()).collect();
            if missing.is_empty() {
                ChangeKind::Rotation { next: next.n, on: t.tomcat.clone() }
            } else {
                ChangeKind::StateLost { next: next.n, on: t.tomcat.clone(), missing, no_session: false }
            }
        }
    }
}

/// Judges `same-session` again in the light of the id changes: when every change is a
/// rotation whose state followed, the session was one session throughout; otherwise each
/// change that was not says what it was.
pub fn rejudge(checks: &mut [Check], changes: &[IdChange], answers: &[Answer]) {
    let Some(check) = checks.iter_mut().find(|c| c.name == "same-session") else { return };
    if changes.is_empty() {
        return;
    }
    // An answer without a session is a failure whatever the ids did.
    let requests = answers.len();
    if crate::verify::judge::lost_session(answers).is_none() && changes.iter().all(IdChange::is_rotation) {
        let said: Vec<String> = changes.iter().map(IdChange::sentence).collect();
        let times = if changes.len() == 1 { "once".to_string() } else { format!("{} times", changes.len()) };
        *check = Check::new("same-session", true, format!("one session in {requests} requests; the application changed its id {times}: {}", said.join("; ")));
        return;
    }
    let failures: Vec<String> = changes.iter().filter(|c| !c.is_rotation()).map(IdChange::sentence).collect();
    let shown = failures.iter().take(2).cloned().collect::<Vec<_>>().join("; ");
    let more = if failures.len() > 2 { format!(" (and {} more)", failures.len() - 2) } else { String::new() };
    if !failures.is_empty() {
        check.detail = format!("{}; {shown}{more}", check.detail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::probe::{Attribute, SessionView};
    use crate::verify::sample_answer;

    fn attr(name: &str) -> Attribute {
        Attribute { name: name.into(), class: Some("java.lang.String".into()), bytes: Some(10), ..Default::default() }
    }

    fn view(id: &str, names: &[&str]) -> Option<SessionView> {
        Some(SessionView { id: id.into(), attributes: names.iter().map(|n| attr(n)).collect() })
    }

    fn seen(tomcat: &str, before: Option<SessionView>, after: Option<SessionView>) -> Sighting {
        Sighting { tomcat: tomcat.into(), context: "/state".into(), before, after }
    }

    /// A login at request 2: A before it, B after.
    fn walk() -> Vec<Answer> {
        vec![sample_answer(1, "tc-1", "A-n1", 0), sample_answer(2, "tc-2", "B-n1", 0), sample_answer(3, "tc-1", "B-n1", 0)]
    }

    fn login(third: Sighting) -> HashMap<usize, Sighting> {
        HashMap::from([
            (1, seen("tc-1", None, view("A-n1", &["form"]))),
            (2, seen("tc-2", view("A-n1", &["form"]), view("B-n1", &["form", "user"]))),
            (3, third),
        ])
    }

    #[test]
    fn a_login_that_changes_the_id_and_whose_state_follows_is_a_rotation() {
        let changes = id_changes(&walk(), &login(seen("tc-1", view("B-n1", &["form", "user"]), view("B-n1", &["form", "user"]))));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].kind, ChangeKind::Rotation { next: 3, on: "tc-1".into() });
        let mut checks = vec![Check::new("same-session", false, "2 different session ids in 3 requests; it first changed at request 2 on tc-2".into())];
        rejudge(&mut checks, &changes, &walk());
        assert!(checks[0].ok);
        assert_eq!(
            checks[0].detail,
            "one session in 3 requests; the application changed its id once: rotated at request 2 by tc-2 (A-n1 → B-n1); the state followed to tc-1 at request 3"
        );
        // An answer without a session fails the check all the same.
        let mut holes = walk();
        holes.push(sample_answer(4, "tc-2", "", 0));
        holes[3].session_id = None;
        let mut checks = vec![Check::new("same-session", false, "2 different session ids in 4 requests".into())];
        rejudge(&mut checks, &changes, &holes);
        assert!(!checks[0].ok);
    }

    #[test]
    fn a_rotation_whose_state_is_gone_fails_and_says_so() {
        let lost = id_changes(&walk(), &login(seen("tc-1", None, view("B-n1", &[]))));
        assert!(matches!(lost[0].kind, ChangeKind::StateLost { no_session: true, .. }));
        let mut checks = vec![Check::new("same-session", false, "2 different session ids in 3 requests".into())];
        rejudge(&mut checks, &lost, &walk());
        assert!(!checks[0].ok);
        assert_eq!(
            checks[0].detail,
            "2 different session ids in 3 requests; rotated at request 2 by tc-2 (A-n1 → B-n1), but the state did not follow: tc-1 found no session under the new id for request 3"
        );
        let partly = id_changes(&walk(), &login(seen("tc-1", view("B-n1", &["form"]), None)));
        assert!(partly[0].sentence().ends_with("tc-1 loaded it for request 3 without user"), "{}", partly[0].sentence());
    }

    #[test]
    fn a_new_session_the_application_did_not_make_is_not_a_rotation() {
        // What a Tomcat without msm does: it finds no session under A and opens B.
        let s = HashMap::from([(1, seen("tc-1", None, view("A", &["plain"]))), (2, seen("tc-2", None, view("B", &["plain"])))]);
        let changes = id_changes(&walk()[..2], &s);
        assert_eq!(changes[0].kind, ChangeKind::NewSession { found: None });
        assert_eq!(changes[0].sentence(), "at request 2, tc-2 found no session under A-n1 and handed out B-n1: a new session, not a rotation");
    }

    #[test]
    fn missing_evidence_is_said_not_guessed() {
        let none = id_changes(&walk(), &HashMap::new());
        assert_eq!(none[0].sentence(), "the id changed at request 2 on tc-2 (A-n1 → B-n1): no session probe report for request 2, so whether the application changed it could not be told");
        let mut checks = vec![Check::new("same-session", false, "2 different session ids in 3 requests".into())];
        rejudge(&mut checks, &none, &walk());
        assert!(!checks[0].ok);
        let last = id_changes(&walk()[..2], &login(seen("tc-1", None, None)));
        assert!(last[0].sentence().ends_with("during request 2, the walk's last, so whether the state followed could not be told"), "{}", last[0].sentence());
    }
}
