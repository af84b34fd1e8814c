//! Which attribute and class each serialization error names, and why each lost attribute was
//! lost: msm's log records joined with what the session probe saw.
//!
//! msm names the attribute only sometimes (`Cannot serialize session attribute [worker]`);
//! more often it names a class (`ForbiddenClassException: state.PlainBean`) or nothing but the
//! session (`Could not deserialize session … UnsupportedOperationException`). The probe knows
//! each lost attribute's class and what Java serialization said about it, which names the rest.

use serde::Serialize;

use crate::labspec::Serializer;
use crate::verify::{LogFinding, Loss, LossKind, StateReport};

/// One serialization error or warning, as often as it was logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SerializationError {
    pub attribute: Option<String>,
    pub class: Option<String>,
    pub message: String,
    /// Times it was logged (session ids aside).
    pub count: usize,
}

/// One attribute a serializer lost, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lost {
    pub attribute: String,
    pub class: Option<String>,
    pub reason: String,
}

/// The `[name]` or `'name'` after "attribute" in an msm record.
fn attribute_in(line: &str) -> Option<String> {
    let at = line.find("attribute ")? + "attribute ".len();
    let rest = &line[at..];
    let (open, close) = match rest.chars().next()? {
        '[' => ('[', ']'),
        '\'' => ('\'', '\''),
        '"' => ('"', '"'),
        _ => return None,
    };
    let inner = &rest[open.len_utf8()..];
    Some(inner[..inner.find(close)?].to_string())
}

/// The class an exception message ends with (`…: state.PlainBean`), unless it is itself an
/// exception or error type.
fn class_in(message: &str) -> Option<String> {
    let last = message.rsplit(": ").next()?.trim();
    let looks_like_class = last.contains('.')
        && !last.contains(' ')
        && last.rsplit('.').next().is_some_and(|simple| simple.starts_with(|c: char| c.is_ascii_uppercase()));
    let is_throwable = last.ends_with("Exception") || last.ends_with("Error");
    (looks_like_class && !is_throwable).then(|| last.to_string())
}

/// The record's own words: what follows the logger's name, session ids masked so that the
/// same error about another session reads the same.
fn message_of(f: &LogFinding) -> String {
    let text = f.cause.clone().unwrap_or_else(|| {
        let after_level = f.line.split_once("] ").map_or(f.line.as_str(), |(_, rest)| rest);
        after_level.split_once(' ').map_or(after_level, |(_, words)| words).trim().to_string()
    });
    // msm wraps the serializer's exception on reads; the serializer's own record says the same.
    let text = text.strip_prefix("de.javakaffee.web.msm.TranscoderDeserializationException: ").unwrap_or(&text);
    mask_ids(text)
}

/// Replaces session ids (32 hex digits, with msm's node and route suffixes) by `<id>`.
fn mask_ids(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let core = word.trim_matches(|c: char| "[](),.".contains(c));
            let hex = core.split(['-', '.']).next().unwrap_or("");
            if hex.len() >= 16 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                word.replace(core, "<id>")
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The serialization errors of a run, each with the attribute and class it is about, as far
/// as the record and the probe can tell; the same error is counted, not repeated.
pub fn errors(findings: &[LogFinding], state: &StateReport) -> Vec<SerializationError> {
    let lost: Vec<&Loss> = state.losses.iter().collect();
    let mut lost_names: Vec<&str> = lost.iter().map(|l| l.attribute.as_str()).collect();
    lost_names.dedup();
    let class_of = |name: &str| state.attributes.get(name).cloned().flatten();
    let mut out: Vec<SerializationError> = Vec::new();
    for f in findings.iter().filter(|f| f.kind == crate::verify::msm_log::FindingKind::Serialization) {
        let message = message_of(f);
        let named_class = f.cause.as_deref().and_then(class_in);
        let attribute = attribute_in(&f.line)
            .or_else(|| {
                let class = named_class.as_deref()?;
                lost.iter()
                    .find(|l| l.class.as_deref() == Some(class) || l.note.as_deref().is_some_and(|n| n.contains(class)))
                    .map(|l| l.attribute.clone())
            })
            .or_else(|| match lost_names.as_slice() {
                [only] => Some(only.to_string()),
                _ => None,
            });
        let class = named_class.or_else(|| attribute.as_deref().and_then(class_of));
        match out.iter_mut().find(|e| e.message == message && e.attribute == attribute && e.class == class) {
            Some(e) => e.count += 1,
            None => out.push(SerializationError { attribute, class, message, count: 1 }),
        }
    }
    out
}

/// Each lost attribute once, with the reason: the error that names it, or what the probe saw.
pub fn lost(state: &StateReport, errors: &[SerializationError], serializer: Serializer) -> Vec<Lost> {
    let mut out: Vec<Lost> = Vec::new();
    for l in &state.losses {
        if out.iter().any(|o| o.attribute == l.attribute) {
            continue;
        }
        let error = errors.iter().find(|e| e.attribute.as_deref() == Some(l.attribute.as_str()));
        let not_serializable = l.note.as_deref() == Some("not Serializable");
        let reason = match (&l.how, error) {
            (LossKind::Missing, _) if not_serializable && serializer == Serializer::Java => {
                "does not implement java.io.Serializable: Java serialization leaves it out without an error (msm logs it only at DEBUG)".to_string()
            }
            // The probe saw the change itself; an error about the session says less.
            (LossKind::ValueChanged { field, from, to }, _) => format!(
                "arrived with another value, {field}: {from} → {to} ({} left it, {} loaded it)",
                l.left_by, l.missed_by
            ),
            (LossKind::SessionLost, Some(e)) => format!("the whole session was lost on the next Tomcat: {}", e.message),
            // Another attribute's error cost the whole session, this one with it.
            (LossKind::SessionLost, None) => match errors.iter().find(|e| e.attribute.is_some()).or(errors.first()) {
                Some(e) => format!(
                    "the whole session was lost on the next Tomcat, because of {}: {}",
                    e.attribute.as_deref().map_or("another value".to_string(), |a| format!("`{a}`")),
                    e.message
                ),
                None => "the whole session was lost on the next Tomcat".to_string(),
            },
            (_, Some(e)) => e.message.clone(),
            (LossKind::Missing, None) => format!("missing when {} loaded the session", l.missed_by),
            (LossKind::Changed { from, to }, None) => format!("arrived changed: {from} → {to}"),
        };
        out.push(Lost { attribute: l.attribute.clone(), class: l.class.clone(), reason });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::msm_log::msm_errors;

    fn loss(attribute: &str, class: &str, note: Option<&str>, how: LossKind) -> Loss {
        Loss {
            attribute: attribute.into(),
            class: Some(class.into()),
            note: note.map(str::to_string),
            request: 1,
            left_by: "tc-1".into(),
            missed_by: "tc-2".into(),
            how,
        }
    }

    fn state(losses: Vec<Loss>) -> StateReport {
        let attributes = losses.iter().map(|l| (l.attribute.clone(), l.class.clone())).collect();
        StateReport { handovers: 3, unreported: 0, attributes, losses }
    }

    #[test]
    fn xstream_names_the_class_and_the_probe_names_the_attribute() {
        let log = "\
02-Dec-2026 05:29:34.622 WARNING [http-nio-8080-exec-4] de.javakaffee.web.msm.serializer.xstream.XStreamTranscoder.deserializeAttributes Caught Exception decoding 189 bytes of data
\tcom.thoughtworks.xstream.security.ForbiddenClassException: state.PlainBean
02-Dec-2026 05:29:35.622 WARNING [http-nio-8080-exec-5] de.javakaffee.web.msm.serializer.xstream.XStreamTranscoder.deserializeAttributes Caught Exception decoding 189 bytes of data
\tcom.thoughtworks.xstream.security.ForbiddenClassException: state.PlainBean";
        let s = state(vec![loss("plain", "state.PlainBean", None, LossKind::SessionLost)]);
        let e = errors(&msm_errors("tc-1", log), &s);
        assert_eq!(e, [SerializationError {
            attribute: Some("plain".into()),
            class: Some("state.PlainBean".into()),
            message: "com.thoughtworks.xstream.security.ForbiddenClassException: state.PlainBean".into(),
            count: 2
        }]);
        assert_eq!(lost(&s, &e, Serializer::Xstream)[0].reason, "the whole session was lost on the next Tomcat: com.thoughtworks.xstream.security.ForbiddenClassException: state.PlainBean");
    }

    #[test]
    fn java_names_the_attribute_and_a_silent_drop_gets_its_reason_from_the_probe() {
        let log = "02-Dec-2026 05:29:34.813 WARNING [http-nio-8080-exec-9] de.javakaffee.web.msm.JavaSerializationTranscoder.writeAttributes Cannot serialize session attribute [worker] for session [E5FD844C36A374054AB2E954B3571247-n1]
\tjava.io.NotSerializableException: java.lang.Thread";
        let s = state(vec![loss("worker", "state.Worker", Some("java.io.NotSerializableException: java.lang.Thread"), LossKind::SessionLost)]);
        let e = errors(&msm_errors("tc-1", log), &s);
        assert_eq!((e[0].attribute.as_deref(), e[0].class.as_deref()), (Some("worker"), Some("java.lang.Thread")));

        let cart = state(vec![loss("cart", "state.Cart", Some("not Serializable"), LossKind::Missing)]);
        let l = lost(&cart, &[], Serializer::Java);
        assert!(l[0].reason.starts_with("does not implement java.io.Serializable"), "{l:?}");
    }

    #[test]
    fn a_value_that_arrived_changed_is_a_loss_with_its_field() {
        let how = LossKind::ValueChanged { field: "profile.level".into(), from: "3".into(), to: "0".into() };
        let s = state(vec![loss("profile", "state.Profile", None, how)]);
        let l = lost(&s, &[], Serializer::Java);
        assert_eq!(l[0].attribute, "profile");
        assert_eq!(l[0].reason, "arrived with another value, profile.level: 3 → 0 (tc-1 left it, tc-2 loaded it)");
    }

    #[test]
    fn an_error_that_names_neither_is_pinned_on_the_only_lost_attribute() {
        let log = "02-Dec-2026 05:28:49.329 WARNING [http-nio-8080-exec-8] de.javakaffee.web.msm.MemcachedSessionService.loadFromMemcached Could not deserialize session with id 273AB8B74DC72F540A77C9DFD7980CFB-n1 from memcached, session will be purged from storage.
\tde.javakaffee.web.msm.TranscoderDeserializationException: java.lang.UnsupportedOperationException";
        let s = state(vec![loss("list", "java.util.ImmutableCollections$ListN", None, LossKind::SessionLost)]);
        let e = errors(&msm_errors("tc-1", log), &s);
        assert_eq!(e[0].attribute.as_deref(), Some("list"));
        assert_eq!(e[0].class.as_deref(), Some("java.util.ImmutableCollections$ListN"));
        assert_eq!(mask_ids("session with id 273AB8B74DC72F540A77C9DFD7980CFB-n1 from"), "session with id <id> from");
    }
}
