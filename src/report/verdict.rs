//! `msmlab verify`'s report: every check with its evidence, each drill step by step, and a
//! summary table when drills ran.

use std::fmt::Write;

use crate::verify::Verdict;
use crate::verify::drill::{DrillReport, DrillVerdict};

fn outcome_word(o: DrillVerdict) -> &'static str {
    match o {
        DrillVerdict::Passed => "pass",
        DrillVerdict::Failed => "FAIL",
        DrillVerdict::Finding => "finding",
    }
}

fn outcome_mark(o: DrillVerdict) -> &'static str {
    match o {
        DrillVerdict::Passed => "✓",
        DrillVerdict::Failed => "✗",
        DrillVerdict::Finding => "!",
    }
}

pub fn verdict_text(v: &Verdict) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Lab {:?} ({}): {} requests through {}", v.lab, v.mode, v.requests.len(), v.url);
    let width = v.checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in &v.checks {
        let mark = if c.ok { "✓" } else { "✗" };
        let _ = writeln!(out, "  {mark} {:width$}  {}", c.name, c.detail);
    }
    for f in v.msm_log_findings.iter().take(3) {
        let _ = writeln!(out, "      {}: {}", f.container, f.line);
        if let Some(cause) = &f.cause {
            let _ = writeln!(out, "        {cause}");
        }
    }
    for d in &v.drills {
        out.push('\n');
        out.push_str(&drill_text(d));
    }
    if !v.drills.is_empty() {
        let _ = writeln!(out, "\nSummary");
        let _ = writeln!(out, "  {:<15} {:<8} TIME", "CHECK", "RESULT");
        for c in &v.checks {
            let _ = writeln!(out, "  {:<15} {:<8} -", c.name, if c.ok { "pass" } else { "FAIL" });
        }
        for d in &v.drills {
            let _ = writeln!(out, "  {:<15} {:<8} {:.1} s", format!("drill {}", d.drill.name()), outcome_word(d.outcome), d.seconds);
        }
    }
    let failed: Vec<String> = v
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.name.to_string())
        .chain(v.drills.iter().filter(|d| d.failed()).map(|d| format!("drill {}", d.drill.name())))
        .collect();
    let findings = v.drills.iter().filter(|d| d.outcome == DrillVerdict::Finding).count();
    let note = match findings {
        0 => String::new(),
        1 => " (1 finding, see above)".into(),
        n => format!(" ({n} findings, see above)"),
    };
    if v.ok && v.drills.is_empty() {
        let _ = writeln!(out, "PASS: the session is shared");
    } else if v.ok {
        let names: Vec<&str> = v.drills.iter().map(|d| d.drill.name()).collect();
        let _ = writeln!(out, "PASS: the session is shared and the drills ran: {}{note}", names.join(", "));
    } else {
        let _ = writeln!(out, "FAIL: {}{note}", failed.join(", "));
    }
    out
}

/// A drill, step by step.
pub fn drill_text(d: &DrillReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Drill {}: {} in {:.1} s", d.drill.name(), outcome_word(d.outcome), d.seconds);
    for (i, s) in d.steps.iter().enumerate() {
        let mark = if s.ok { "✓" } else { "✗" };
        let _ = writeln!(out, "  {}. {mark} {}: {}", i + 1, s.action, s.saw);
    }
    let _ = writeln!(out, "  {} {}", outcome_mark(d.outcome), d.summary);
    out
}

pub fn verdict_json(v: &Verdict) -> String {
    serde_json::to_string_pretty(v).expect("a verdict serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::sample_verdict;

    #[test]
    fn the_text_report_shows_each_drill_step_by_step_and_a_summary_table() {
        let text = verdict_text(&sample_verdict());
        assert!(text.contains("Lab \"ci\" (sticky): 0 requests through http://127.0.0.1:13355/my/"), "{text}");
        assert!(text.contains("Drill store: finding in 1.5 s\n  1. ✓ open a session: what <it> saw & more\n"), "{text}");
        assert!(text.contains("  ! FINDING: with one cache node"), "{text}");
        assert!(text.contains("  2. ✗ stop it: "), "{text}");
        assert!(text.contains("  drill restart   FAIL     1.5 s\n"), "{text}");
        assert!(text.ends_with("FAIL: store, drill restart (1 finding, see above)\n"), "{text}");
    }
}
