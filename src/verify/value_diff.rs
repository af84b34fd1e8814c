//! Whether a session value arrived as it was left, by content, and if not, what changed:
//! `profile.level: 3 → 0`.
//!
//! The two sides of a hand-over are on different Tomcats, so the probe (`ValueDigest.java`)
//! logs each value's digest and its first leaves, and the comparison happens here. The digest
//! decides: equal values have equal digests whatever their serialized form (a `HashSet`'s
//! capacity, an enum set's order). The leaves only name the change.

use serde::Serialize;

use crate::verify::probe::Attribute;

/// The first difference between the value left and the value found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The attribute and the path inside it: `profile.level`, `cart.items[2]`, `profile`.
    pub field: String,
    pub from: String,
    pub to: String,
}

/// What the digests say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparison {
    Same,
    Differs(Difference),
    /// A side without a digest (an older probe, a value too large to walk): compare sizes.
    Unknown,
}

const ABSENT: &str = "(absent)";

/// Compares the value `left` after one request with the value `found` before the next.
pub fn compare(left: &Attribute, found: &Attribute) -> Comparison {
    match (&left.digest, &found.digest) {
        (Some(a), Some(b)) if a == b => Comparison::Same,
        (Some(a), Some(b)) => Comparison::Differs(first_difference(left, found).unwrap_or_else(|| Difference {
            // The listed leaves agree: the change is past them, or in a nested class or shape.
            field: format!("{} (beyond the {} fields the probe lists)", left.name, left.leaves.len()),
            from: format!("digest {a}"),
            to: format!("digest {b}"),
        })),
        _ => Comparison::Unknown,
    }
}

/// The first leaf that differs, in the digest's order.
fn first_difference(left: &Attribute, found: &Attribute) -> Option<Difference> {
    let (l, f) = (&left.leaves, &found.leaves);
    let i = (0..l.len().max(f.len())).find(|&i| l.get(i) != f.get(i))?;
    let named = |path: &str, from: &str, to: &str| Difference { field: field(&left.name, path), from: from.to_string(), to: to.to_string() };
    let has = |leaves: &[(String, String)], path: &str| leaves.iter().any(|(p, _)| p == path);
    Some(match (l.get(i), f.get(i)) {
        (Some((lp, lt)), Some((fp, ft))) if lp == fp => named(lp, lt, ft),
        // A leaf one side lacks: an element added or removed, a field gone.
        (Some((lp, lt)), _) if !has(f, lp) => named(lp, lt, ABSENT),
        (_, Some((fp, ft))) if !has(l, fp) => named(fp, ABSENT, ft),
        (Some((lp, lt)), Some((_, ft))) => named(lp, lt, ft),
        // Past the end of one list only where the other side was cut short.
        (Some((lp, lt)), None) => named(lp, lt, ABSENT),
        (None, Some((fp, ft))) => named(fp, ABSENT, ft),
        (None, None) => return None,
    })
}

/// `profile` + `level` → `profile.level`; `items` + `[2]` → `items[2]`; the value itself: `profile`.
fn field(attribute: &str, path: &str) -> String {
    match path.chars().next() {
        None => attribute.to_string(),
        Some('[' | '{' | '<') => format!("{attribute}{path}"),
        Some(_) => format!("{attribute}.{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(digest: &str, leaves: &[(&str, &str)]) -> Attribute {
        Attribute {
            name: "profile".into(),
            class: Some("state.Profile".into()),
            bytes: Some(120),
            digest: Some(digest.into()),
            leaves: leaves.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn the_digest_decides_and_the_first_differing_leaf_is_named() {
        let left = value("aa", &[("level", "3"), ("name", "\"bob\"")]);
        // Another serialized form of the same value (the CRC differs): the same digest.
        let same = Attribute { crc32: Some("ffff".into()), ..left.clone() };
        assert_eq!(compare(&left, &same), Comparison::Same);
        let forgot = value("bb", &[("level", "0"), ("name", "\"bob\"")]);
        assert_eq!(compare(&left, &forgot), Comparison::Differs(Difference { field: "profile.level".into(), from: "3".into(), to: "0".into() }));
        // And the other way round.
        assert_eq!(compare(&forgot, &left), Comparison::Differs(Difference { field: "profile.level".into(), from: "0".into(), to: "3".into() }));
    }

    #[test]
    fn added_removed_and_unlisted_changes_are_named_too() {
        let two = Attribute { name: "cart".into(), ..value("aa", &[("items[0]", "\"book\""), ("items[1]", "\"pen\"")]) };
        let one = Attribute { name: "cart".into(), ..value("bb", &[("items[0]", "\"book\"")]) };
        assert_eq!(compare(&two, &one), Comparison::Differs(Difference { field: "cart.items[1]".into(), from: "\"pen\"".into(), to: "(absent)".into() }));
        assert_eq!(compare(&one, &two), Comparison::Differs(Difference { field: "cart.items[1]".into(), from: "(absent)".into(), to: "\"pen\"".into() }));
        let scalar = |d: &str, t: &str| Attribute { name: "counter".into(), ..value(d, &[("", t)]) };
        assert_eq!(compare(&scalar("aa", "1"), &scalar("bb", "2")), Comparison::Differs(Difference { field: "counter".into(), from: "1".into(), to: "2".into() }));
        // The first 64 leaves agree: the digests say it changed, and where it could not look.
        let cut = Attribute { cut: true, ..value("aa", &[("level", "3")]) };
        let Comparison::Differs(d) = compare(&cut, &Attribute { digest: Some("bb".into()), ..cut.clone() }) else { panic!() };
        assert_eq!((d.field.as_str(), d.from.as_str(), d.to.as_str()), ("profile (beyond the 1 fields the probe lists)", "digest aa", "digest bb"));
        // An older probe, or a value too large to walk: sizes decide, as before.
        assert_eq!(compare(&Attribute { digest: None, ..cut.clone() }, &cut), Comparison::Unknown);
    }
}
