//! The `state` check: what the session carried from one request to the next.
//!
//! A stable session id proves little: Java serialization drops a value that is not
//! `Serializable` without a word, and the page still answers 200 with the same id. So for each
//! hand-over (request n, then n+1, on the same session) this compares the attributes the
//! application left after n with those the next Tomcat loaded before n+1, as the session probe
//! reported them (`probe`): every attribute must arrive, of the same class, and with the same
//! content (`value_diff`: the probe's digests, which name the field that changed). Without
//! digests on both sides (an older probe, a value too large to walk), the serialized sizes
//! stand in. Never the checksums of Java's form: an equal value's form differs after a round
//! trip (a `HashSet` records its capacity, which deserialization shrinks; a set of enums
//! iterates in identity-hash order, which differs between JVMs). Checksums stay in the evidence.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::verify::judge::Check;
use crate::verify::probe::{Attribute, Sighting};
use crate::verify::value_diff::{self, Comparison};

/// How an attribute failed to arrive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LossKind {
    /// The session arrived without it.
    Missing,
    /// It arrived, but not as it left: another class, or another serialized size.
    Changed { from: String, to: String },
    /// It arrived of the same class with another content: `field` (`profile.level`) was
    /// `from` when it left and `to` when it was loaded.
    ValueChanged { field: String, from: String, to: String },
    /// The next Tomcat found no session at all.
    SessionLost,
}

/// One attribute that did not arrive at one hand-over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Loss {
    pub attribute: String,
    pub class: Option<String>,
    /// The probe's note on the value: `not Serializable`, or what Java serialization threw.
    pub note: Option<String>,
    /// The request after which the application had left it in the session.
    pub request: usize,
    /// The Tomcat that served that request.
    pub left_by: String,
    /// The Tomcat that loaded the session for the next request without it.
    pub missed_by: String,
    #[serde(flatten)]
    pub how: LossKind,
}

impl Loss {
    fn sentence(&self) -> String {
        let what = Attribute { name: self.attribute.clone(), class: self.class.clone(), note: self.note.clone(), ..Default::default() }.describe();
        let next = self.request + 1;
        match &self.how {
            LossKind::Missing => format!(
                "{what} was lost: {} left it in the session after request {}, and {} loaded the session for request {next} without it",
                self.left_by, self.request, self.missed_by
            ),
            LossKind::Changed { from, to } => format!(
                "{what} arrived changed: {} left it after request {} as {from}, and {} loaded it for request {next} as {to}",
                self.left_by, self.request, self.missed_by
            ),
            LossKind::ValueChanged { field, from, to } => format!(
                "{what} arrived with another value, {field}: {from} → {to}: {} left it after request {}, and {} loaded it for request {next}",
                self.left_by, self.request, self.missed_by
            ),
            LossKind::SessionLost => format!(
                "{what} was lost with the whole session: {} left it after request {}, and {} found no session for request {next}",
                self.left_by, self.request, self.missed_by
            ),
        }
    }
}

/// What the hand-overs showed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StateReport {
    /// Hand-overs compared: consecutive requests both reported, the first leaving a session.
    pub handovers: usize,
    /// Requests no Tomcat reported.
    pub unreported: usize,
    /// Every attribute seen after some request, with its class.
    pub attributes: BTreeMap<String, Option<String>>,
    pub losses: Vec<Loss>,
}

impl StateReport {
    /// The attributes lost at least once, by name, in the order first lost.
    pub fn lost_attributes(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for l in &self.losses {
            if !names.contains(&l.attribute) {
                names.push(l.attribute.clone());
            }
        }
        names
    }
}

fn form(a: &Attribute) -> String {
    match (&a.class, a.bytes) {
        (Some(c), Some(b)) => format!("{c}, {b} bytes"),
        (c, _) => c.clone().unwrap_or_else(|| "null".into()),
    }
}

/// How `found` differs from `left`, the same attribute a hand-over apart; `None`: it arrived.
fn changed(left: &Attribute, found: &Attribute) -> Option<LossKind> {
    if left.class != found.class {
        return Some(LossKind::Changed { from: form(left), to: form(found) });
    }
    match value_diff::compare(left, found) {
        Comparison::Same => None,
        Comparison::Differs(d) => Some(LossKind::ValueChanged { field: d.field, from: d.from, to: d.to }),
        Comparison::Unknown => {
            let resized = left.bytes.is_some() && found.bytes.is_some() && left.bytes != found.bytes;
            resized.then(|| LossKind::Changed { from: form(left), to: form(found) })
        }
    }
}

/// Compares each request's "after" with the next request's "before". `requests` are the
/// request numbers of the walk, in order.
pub fn compare(requests: &[usize], sightings: &HashMap<usize, Sighting>) -> StateReport {
    let mut report = StateReport { unreported: requests.iter().filter(|n| !sightings.contains_key(n)).count(), ..Default::default() };
    for s in sightings.values() {
        for a in s.after.iter().flat_map(|v| &v.attributes) {
            report.attributes.entry(a.name.clone()).or_insert_with(|| a.class.clone());
        }
    }
    for pair in requests.windows(2) {
        let (Some(prev), Some(next)) = (sightings.get(&pair[0]), sightings.get(&pair[1])) else { continue };
        // Nothing was left to carry: no session, or the application ended it.
        let Some(left) = &prev.after else { continue };
        report.handovers += 1;
        let loss = |a: &Attribute, how| Loss {
            attribute: a.name.clone(),
            class: a.class.clone(),
            note: a.note.clone(),
            request: pair[0],
            left_by: prev.tomcat.clone(),
            missed_by: next.tomcat.clone(),
            how,
        };
        match &next.before {
            None => report.losses.extend(left.attributes.iter().map(|a| loss(a, LossKind::SessionLost))),
            Some(found) => {
                for a in &left.attributes {
                    let Some(b) = found.get(&a.name) else {
                        report.losses.push(loss(a, LossKind::Missing));
                        continue;
                    };
                    if let Some(how) = changed(a, b) {
                        report.losses.push(loss(a, how));
                    }
                }
            }
        }
    }
    report
}

/// The check. `probed`: whether the lab's Tomcats carry the probe (`Target::probed`).
pub fn judge_state(report: &StateReport, probed: bool, sent: usize) -> Check {
    if !probed {
        return Check::new(
            "state",
            true,
            "not checked: the lab's official Tomcat images were set up by an older msmlab, without the session probe, so only the session id was compared (`msmlab up --recreate` with the same flags adds it)".into(),
        );
    }
    if report.unreported == sent && sent > 0 {
        return Check::new(
            "state",
            false,
            format!(
                "no Tomcat reported the session's attributes for any of the {sent} requests: the lab's Tomcats lack msmlab's session probe (made by an older msmlab? `msmlab up --recreate`), or the page is not served by a Tomcat"
            ),
        );
    }
    let names = |limit: usize| {
        let all: Vec<String> = report.attributes.iter().map(|(n, c)| format!("{n} ({})", c.as_deref().unwrap_or("null"))).collect();
        let shown = all.iter().take(limit).cloned().collect::<Vec<_>>().join(", ");
        if all.len() > limit { format!("{shown} and {} more", all.len() - limit) } else { shown }
    };
    let Some(first) = report.losses.first() else {
        return if report.handovers == 0 {
            Check::new("state", true, "no hand-over to compare: no request left anything in a session for the next one".into())
        } else if report.attributes.is_empty() {
            Check::new("state", true, format!("{} hand-overs, but the session never held an attribute, so there was nothing to lose", report.handovers))
        } else {
            Check::new("state", true, format!("every attribute arrived as it was left, in {} hand-overs: {}", report.handovers, names(6)))
        };
    };
    let lost = report.lost_attributes();
    let times = report.losses.iter().filter(|l| l.attribute == first.attribute).count();
    let others = if lost.len() > 1 { format!("; also lost: {}", lost[1..].join(", ")) } else { String::new() };
    Check::new("state", false, format!("{} (lost at {times} of {} hand-overs){others}", first.sentence(), report.handovers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::probe::SessionView;

    fn attr(name: &str, class: &str, crc: Option<&str>) -> Attribute {
        Attribute {
            name: name.into(),
            class: Some(class.into()),
            // A value of another checksum here is also another size ("cc" is shorter).
            bytes: crc.map(|c| if c == "cc" { 64 } else { 81 }),
            crc32: crc.map(str::to_string),
            note: if crc.is_none() { Some("not Serializable".into()) } else { None },
            ..Default::default()
        }
    }

    fn seen(tomcat: &str, before: Option<Vec<Attribute>>, after: Option<Vec<Attribute>>) -> Sighting {
        let view = |a: Vec<Attribute>| SessionView { id: "S-n1".into(), attributes: a };
        Sighting { tomcat: tomcat.into(), context: "/state".into(), before: before.map(view), after: after.map(view) }
    }

    #[test]
    fn an_attribute_java_serialization_drops_is_named_with_both_tomcats() {
        // Tomcat's examples cart under Java serialization: the cart is left after every
        // request and missing before the next one, while the session id never changes.
        let cart = || vec![attr("cart", "state.Cart", None)];
        let s = HashMap::from([
            (1, seen("tc-1", None, Some(cart()))),
            (2, seen("tc-2", Some(vec![]), Some(cart()))),
            (3, seen("tc-1", Some(vec![]), Some(cart()))),
        ]);
        let report = compare(&[1, 2, 3], &s);
        assert_eq!((report.handovers, report.losses.len()), (2, 2));
        assert_eq!(report.lost_attributes(), ["cart"]);
        let check = judge_state(&report, true, 3);
        assert!(!check.ok);
        assert_eq!(
            check.detail,
            "`cart` (state.Cart, not Serializable) was lost: tc-1 left it in the session after request 1, and tc-2 loaded the session for request 2 without it (lost at 2 of 2 hand-overs)"
        );
    }

    #[test]
    fn carried_attributes_pass_and_a_changed_size_or_a_lost_session_fails() {
        let s = HashMap::from([
            (1, seen("tc-1", None, Some(vec![attr("counter", "java.lang.Integer", Some("aa"))]))),
            (2, seen("tc-2", Some(vec![attr("counter", "java.lang.Integer", Some("aa"))]), Some(vec![attr("counter", "java.lang.Integer", Some("bb"))]))),
        ]);
        // The same size under another checksum is the same value in another form (a HashSet's
        // capacity, an enum set's order): carried.
        let mut reordered = s.clone();
        reordered.get_mut(&2).unwrap().before.as_mut().unwrap().attributes[0].crc32 = Some("dd".into());
        assert!(judge_state(&compare(&[1, 2], &reordered), true, 2).ok);
        let check = judge_state(&compare(&[1, 2], &s), true, 2);
        assert!(check.ok, "{check:?}");
        assert_eq!(check.detail, "every attribute arrived as it was left, in 1 hand-overs: counter (java.lang.Integer)");

        let changed = HashMap::from([
            (1, seen("tc-1", None, Some(vec![attr("counter", "java.lang.Integer", Some("aa"))]))),
            (2, seen("tc-2", Some(vec![attr("counter", "java.lang.Integer", Some("cc"))]), None)),
        ]);
        let report = compare(&[1, 2], &changed);
        assert!(matches!(report.losses[0].how, LossKind::Changed { .. }));
        assert!(judge_state(&report, true, 2).detail.starts_with("`counter` (java.lang.Integer) arrived changed: tc-1 left it after request 1 as java.lang.Integer, 81 bytes, and tc-2 loaded it for request 2 as java.lang.Integer, 64 bytes"));

        let gone = HashMap::from([(1, seen("tc-1", None, Some(vec![attr("list", "java.util.ImmutableCollections$ListN", Some("aa"))]))), (2, seen("tc-2", None, None))]);
        let report = compare(&[1, 2], &gone);
        assert_eq!(report.losses[0].how, LossKind::SessionLost);
        assert!(judge_state(&report, true, 2).detail.contains("was lost with the whole session: tc-1 left it after request 1, and tc-2 found no session for request 2"));
    }

    #[test]
    fn a_value_that_arrives_changed_at_the_same_size_is_named_by_field_and_an_equal_one_passes() {
        let profile = |level: &str, digest: &str, crc: &str| Attribute {
            name: "profile".into(),
            class: Some("state.Profile".into()),
            bytes: Some(120),
            crc32: Some(crc.into()),
            digest: Some(digest.into()),
            leaves: vec![("level".into(), level.into()), ("name".into(), "\"bob\"".into())],
            ..Default::default()
        };
        // A writeObject that forgets `level`: the same size, another content.
        let s = HashMap::from([
            (1, seen("tc-1", None, Some(vec![profile("1", "d1", "c1")]))),
            (2, seen("tc-2", Some(vec![profile("0", "d0", "c0")]), Some(vec![profile("1", "d1", "c1")]))),
        ]);
        let report = compare(&[1, 2], &s);
        assert_eq!(report.losses[0].how, LossKind::ValueChanged { field: "profile.level".into(), from: "1".into(), to: "0".into() });
        let check = judge_state(&report, true, 2);
        assert!(!check.ok);
        assert_eq!(
            check.detail,
            "`profile` (state.Profile) arrived with another value, profile.level: 1 → 0: tc-1 left it after request 1, and tc-2 loaded it for request 2 (lost at 1 of 1 hand-overs)"
        );

        // The other direction: an equal value in another serialized form (a HashSet's capacity,
        // an enum set's order: another checksum, even another size) has the same digest.
        let reformed = Attribute { bytes: Some(118), ..profile("1", "d1", "c9") };
        let s = HashMap::from([(1, seen("tc-1", None, Some(vec![profile("1", "d1", "c1")]))), (2, seen("tc-2", Some(vec![reformed]), None))]);
        let check = judge_state(&compare(&[1, 2], &s), true, 2);
        assert!(check.ok, "{check:?}");
    }

    #[test]
    fn without_reports_the_check_says_why() {
        assert!(!judge_state(&compare(&[1, 2], &HashMap::new()), true, 2).ok);
        let official = judge_state(&StateReport::default(), false, 2);
        assert!(official.ok && official.detail.starts_with("not checked"));
    }
}
