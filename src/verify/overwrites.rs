//! Lost updates on a user's page, from what the session probe saw: for parallel requests of one
//! session, which attributes each request changed, and how many of those changes another
//! request's write must have undone.
//!
//! Two requests on different Tomcats that loaded the same stored state and both changed an
//! attribute cannot both survive: msm writes whole sessions, and the last write wins. So per
//! attribute and starting state, the changes lost are at least the Tomcats that changed it
//! less one. (Requests on one Tomcat can share its copy of the session, and so each other's
//! changes: what they do to each other is the application's business, not msm's.) The states
//! compared are all "before" views, read back the same way, so an equal value has an equal
//! checksum (an in-memory value and its round-tripped copy may not: a `HashSet` resizes). It is
//! a lower bound: a change can also be undone by a request that loaded a later state.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::verify::probe::{Attribute, Sighting, SessionView};

/// What one round of parallel requests did to one attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overwrite {
    pub attribute: String,
    pub class: Option<String>,
    /// Requests whose response left the attribute other than they found it.
    pub changed_by: usize,
    /// Of those changes, how many were undone at least.
    pub lost: usize,
}

/// An attribute's value as the probe describes it: class, size, checksum and note.
type Form = (Option<String>, Option<u64>, Option<String>, Option<String>);

/// The form of attribute `name` in `view` (`None`: absent).
fn form(view: Option<&SessionView>, name: &str) -> Option<Form> {
    view?.get(name).map(|a: &Attribute| (a.class.clone(), a.bytes, a.crc32.clone(), a.note.clone()))
}

/// The attributes a round of parallel requests changed, each with its lost changes.
pub fn overwrites(round: &[&Sighting]) -> Vec<Overwrite> {
    let names: BTreeSet<&str> =
        round.iter().flat_map(|s| s.before.iter().chain(&s.after)).flat_map(|v| v.attributes.iter().map(|a| a.name.as_str())).collect();
    let mut out = Vec::new();
    for name in names {
        let mut starts: BTreeMap<Option<Form>, BTreeSet<&str>> = BTreeMap::new();
        let mut changed_by = 0;
        let mut class = None;
        for s in round {
            let (before, after) = (form(s.before.as_ref(), name), form(s.after.as_ref(), name));
            if before != after {
                changed_by += 1;
                starts.entry(before).or_default().insert(s.tomcat.as_str());
                class = class.or_else(|| after.as_ref().and_then(|a| a.0.clone()));
            }
        }
        if changed_by > 0 {
            let lost = starts.values().map(|tomcats| tomcats.len() - 1).sum();
            out.push(Overwrite { attribute: name.to_string(), class, changed_by, lost });
        }
    }
    out
}

/// The rounds added up, attribute by attribute.
pub fn total(rounds: &[Vec<Overwrite>]) -> Vec<Overwrite> {
    let mut by: BTreeMap<String, Overwrite> = BTreeMap::new();
    for o in rounds.iter().flatten() {
        let t = by.entry(o.attribute.clone()).or_insert_with(|| Overwrite { lost: 0, changed_by: 0, ..o.clone() });
        t.changed_by += o.changed_by;
        t.lost += o.lost;
    }
    by.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(value: Option<&str>) -> SessionView {
        let attributes = value
            .map(|crc| Attribute { name: "cart".into(), class: Some("state.Cart".into()), bytes: Some(90), crc32: Some(crc.into()), ..Default::default() })
            .into_iter()
            .collect();
        SessionView { id: "S".into(), attributes }
    }

    fn request(before: Option<&str>, after: Option<&str>) -> Sighting {
        on("tc-1", before, after)
    }

    fn on(tomcat: &str, before: Option<&str>, after: Option<&str>) -> Sighting {
        Sighting { tomcat: tomcat.into(), context: "/state".into(), before: Some(view(before)), after: Some(view(after)) }
    }

    #[test]
    fn tomcats_that_started_from_the_same_state_lose_all_their_changes_but_one() {
        // Three Tomcats loaded state a and each added an item; one loaded b (written meanwhile).
        let round = [on("tc-1", Some("a"), Some("b")), on("tc-2", Some("a"), Some("c")), on("tc-3", Some("a"), Some("d")), on("tc-1", Some("b"), Some("e"))];
        let seen: Vec<&Sighting> = round.iter().collect();
        assert_eq!(overwrites(&seen), [Overwrite { attribute: "cart".into(), class: Some("state.Cart".into()), changed_by: 4, lost: 2 }]);
    }

    #[test]
    fn requests_on_one_tomcat_may_share_its_copy_and_are_not_counted_against_msm() {
        let round = [on("tc-1", Some("a"), Some("b")), on("tc-1", Some("a"), Some("c")), on("tc-2", Some("c"), Some("d"))];
        let seen: Vec<&Sighting> = round.iter().collect();
        assert_eq!(overwrites(&seen)[0].lost, 0);
    }

    #[test]
    fn requests_that_waited_for_each_other_lose_nothing_and_readers_change_nothing() {
        let round = [request(Some("a"), Some("b")), request(Some("b"), Some("c")), request(Some("c"), Some("c")), request(None, Some("a"))];
        let seen: Vec<&Sighting> = round.iter().collect();
        let o = overwrites(&seen);
        assert_eq!((o[0].changed_by, o[0].lost), (3, 0));
        assert_eq!(total(&[o.clone(), o]).first().map(|t| (t.changed_by, t.lost)), Some((6, 0)));
    }
}
