//! `verify --junit FILE`: the verdict as JUnit XML, which CI systems show as test results.

use serde::Serialize;

use crate::templates::{self, RenderError};
use crate::verify::Verdict;
use crate::verify::drill::DrillVerdict;

#[derive(Serialize)]
struct JunitCase {
    classname: String,
    name: String,
    time: String,
    /// `passed`, `failed` or `finding`.
    outcome: &'static str,
    message: String,
    body: String,
}

#[derive(Serialize)]
struct Junit<'a> {
    lab: &'a str,
    url: &'a str,
    mode: &'a str,
    tests: usize,
    failures: usize,
    skipped: usize,
    time: String,
    cases: Vec<JunitCase>,
}

/// One test case per check and per drill (a drill's finding is reported as skipped, with the
/// finding as its message, since it neither passed nor failed).
pub fn verdict_junit(v: &Verdict) -> Result<String, RenderError> {
    let mut cases: Vec<JunitCase> = v
        .checks
        .iter()
        .map(|c| JunitCase {
            classname: format!("msmlab.verify.{}", v.lab),
            name: c.name.to_string(),
            time: "0".into(),
            outcome: if c.ok { "passed" } else { "failed" },
            message: c.detail.clone(),
            body: c.detail.clone(),
        })
        .collect();
    for d in &v.drills {
        let steps: Vec<String> = d
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. {} {}: {}", i + 1, if s.ok { "ok" } else { "FAILED" }, s.action, s.saw))
            .collect();
        cases.push(JunitCase {
            classname: format!("msmlab.drill.{}", v.lab),
            name: format!("drill {}", d.drill.name()),
            time: format!("{:.3}", d.seconds),
            outcome: match d.outcome {
                DrillVerdict::Passed => "passed",
                DrillVerdict::Failed => "failed",
                DrillVerdict::Finding => "finding",
            },
            message: d.summary.clone(),
            body: format!("{}\n{}", steps.join("\n"), d.summary),
        });
    }
    let time: f64 = v.drills.iter().map(|d| d.seconds).sum();
    templates::render(
        "junit.xml",
        Junit {
            lab: &v.lab,
            url: &v.url,
            mode: v.mode,
            tests: cases.len(),
            failures: cases.iter().filter(|c| c.outcome == "failed").count(),
            skipped: cases.iter().filter(|c| c.outcome == "finding").count(),
            time: format!("{time:.3}"),
            cases,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::sample_verdict;

    #[test]
    fn junit_has_a_case_per_check_and_drill_with_findings_skipped_and_text_escaped() {
        let xml = verdict_junit(&sample_verdict()).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
        let names: Vec<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
        assert_eq!(names, ["answers", "store", "drill tomcat", "drill store", "drill restart"]);
        let suite = doc.descendants().find(|n| n.has_tag_name("testsuite")).unwrap();
        assert_eq!((suite.attribute("tests"), suite.attribute("failures"), suite.attribute("skipped")), (Some("5"), Some("2"), Some("1")));
        let failure = cases[1].children().find(|n| n.has_tag_name("failure")).unwrap();
        assert_eq!(failure.attribute("message"), Some("session \"A\" is not in <memcached> & co"));
        let skipped = cases[3].children().find(|n| n.has_tag_name("skipped")).unwrap();
        assert!(skipped.attribute("message").unwrap().starts_with("FINDING"));
        let out = cases[4].children().find(|n| n.has_tag_name("system-out")).unwrap().text().unwrap();
        assert!(out.starts_with("1. ok open a session: what <it> saw & more\n2. FAILED stop it"), "{out}");
    }
}
