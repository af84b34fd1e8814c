//! What `compat` prints: one row per serializer, why each lost what it lost, the
//! recommendation; and its JSON.

use std::fmt::Write;

use crate::compat::{summary, CompatReport};

/// `msmlab compat`: a table that fits on one screen, the reasons below it, and one line of advice.
pub fn compat_text(r: &CompatReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "msmlab compat: {} at {} on Tomcat {}, {}, {} Tomcats", r.webapp, r.context_path, r.tomcat, r.store, r.tomcats);
    let steps: Vec<String> = r.steps.iter().map(|s| format!("{}{}", if s.once { "once " } else { "" }, s.describe())).collect();
    let _ = writeln!(out, "  walked with one cookie jar: {}", steps.join(", "));
    let _ = writeln!(out);
    let _ = writeln!(out, "  {:<10} {:<56} {:>13}", "serializer", "result", "bytes/session");
    for x in &r.results {
        let verdict = if x.ok {
            let kept: Vec<&str> = x.attributes.keys().map(String::as_str).collect();
            format!("ok: carried {}", kept.join(", "))
        } else if !x.lost.is_empty() {
            let lost: Vec<String> = x.lost.iter().map(|l| format!("{} ({})", l.attribute, l.class.as_deref().unwrap_or("null"))).collect();
            format!("LOST {}", lost.join(", "))
        } else {
            format!("NOT OK: {}", summary(x))
        };
        let bytes = x.bytes_per_session.map_or("—".to_string(), |b| b.to_string());
        let _ = writeln!(out, "  {:<10} {:<56} {:>13}", x.serializer.to_string(), verdict, bytes);
    }
    // What each walk covered: an ok stands on hand-overs between Tomcats.
    let _ = writeln!(out);
    for x in &r.results {
        let _ = writeln!(out, "  {:<10} {}", x.serializer.to_string(), x.coverage.sentence());
    }
    let failed: Vec<_> = r.results.iter().filter(|x| !x.ok).collect();
    if !failed.is_empty() {
        let _ = writeln!(out);
    }
    for x in failed {
        let name = x.serializer.to_string();
        for l in &x.lost {
            let _ = writeln!(out, "  {name:<10} {}: {}", l.attribute, l.reason);
        }
        for e in &x.errors {
            let about = match (&e.attribute, &e.class) {
                (Some(a), Some(c)) => format!(" (attribute {a}, class {c})"),
                (Some(a), None) => format!(" (attribute {a})"),
                (None, Some(c)) => format!(" (class {c})"),
                (None, None) => String::new(),
            };
            let _ = writeln!(out, "  {name:<10} logged {}×: {}{about}", e.count, e.message);
        }
        if !x.session_id_stable {
            let _ = writeln!(out, "  {name:<10} the session id changed: users are handed a new session");
        }
        if x.lost.is_empty() {
            if let Some(n) = &x.note {
                let _ = writeln!(out, "  {name:<10} {n}");
            }
        }
    }
    let _ = writeln!(out);
    if r.recommended.is_empty() {
        let _ = writeln!(out, "No serializer carried everything: see docs/compat.md for what to change in the application.");
    } else {
        let sized: Vec<String> = r
            .recommended
            .iter()
            .map(|s| {
                let bytes = r.results.iter().find(|x| x.serializer == *s).and_then(|x| x.bytes_per_session);
                bytes.map_or(s.to_string(), |b| format!("{s} ({b} bytes per session)"))
            })
            .collect();
        let lead = if sized.len() > 1 { "Recommended, smallest session first" } else { "Recommended" };
        let each = if sized.len() > 1 { "each carried" } else { "it carried" };
        let _ = writeln!(out, "{lead}: {}; {each} every attribute", sized.join(", "));
    }
    out
}
