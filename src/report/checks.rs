//! What `doctor` and `render` print: one line per check, with its fix.

use std::fmt::Write;

use crate::bundle::Rendered;
use crate::doctor;

pub fn doctor_text(r: &doctor::Report) -> String {
    let width = r.findings.iter().map(|f| f.name.len()).max().unwrap_or(0);
    let mut out = String::from("msmlab doctor\n");
    for f in &r.findings {
        let _ = writeln!(out, "  {} {:width$}  {}", f.status.mark(), f.name, f.detail);
        if let Some(fix) = &f.fix {
            let _ = writeln!(out, "    {:width$}  fix: {fix}", "");
        }
    }
    let _ = writeln!(out, "{}", if r.ok { "Ready for `msmlab up`." } else { "Not ready: fix the ✗ lines first." });
    out
}

pub fn rendered_text(r: &Rendered) -> String {
    let mut out = format!("Wrote {} files to {}:\n", r.files.len(), r.out.display());
    for f in &r.files {
        let _ = writeln!(out, "  {:<52} {:>9} bytes", f.path, f.bytes);
    }
    for c in &r.checks {
        let _ = writeln!(out, "  {} {}: {}", if c.ok { "✓" } else { "✗" }, c.name, c.detail);
    }
    let _ = writeln!(out, "{}", if r.ok { "README.md in the bundle says where each file goes." } else { "FAIL: a check failed; the files were written for inspection" });
    out
}
