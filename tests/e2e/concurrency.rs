//! Parallel requests of one session (a page's AJAX calls, a browser's parallel requests): with
//! msm's default `lockingMode none`, in non-sticky mode, each loads the session, changes it and
//! writes it back, and the last write wins. `verify --drill concurrent` counts the updates that
//! were lost; `--locking-mode all` makes the requests wait for each other, and none is lost.

use crate::common::*;

fn concurrent_drill(lab: &str, path: Option<&str>) -> serde_json::Value {
    let mut args = vec!["verify", "--name", lab, "--requests", "2", "--drill", "concurrent", "--json"];
    args.extend(path.map(|p| ["--path", p]).into_iter().flatten());
    let out = msmlab(&args);
    let v = json(&out);
    v["drills"].as_array().unwrap().iter().find(|d| d["drill"] == "concurrent").unwrap().clone()
}

#[test]
fn without_locking_parallel_updates_are_lost_and_with_locking_none_is() {
    let _serial = one_lab_at_a_time();
    let _labs = [Lab::claim("e2e-lock-none"), Lab::claim("e2e-lock-all")];
    // Both labs also run the `state` webapp, whose plain.jsp appends a visit to a session
    // attribute on every request: the drill on a page of the user's.
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    let war = war.to_str().unwrap();

    assert_eq!(msmlab(&["up", "--name", "e2e-lock-none", "--port", "13496", "--locking-mode", "none", "--webapp", war]).status.code(), Some(0));
    let none = concurrent_drill("e2e-lock-none", None);
    // A property of the configuration, reported as a finding with the count, not a failure.
    assert_eq!(none["outcome"], "finding", "{none}");
    let summary = none["summary"].as_str().unwrap();
    assert!(summary.starts_with("FINDING: ") && summary.contains(" of 24 updates were lost with lockingMode none"), "{summary}");
    // On a page with no counter, the session probe shows which attribute lost changes. Its
    // count is a lower bound (changes made on different Tomcats from one stored state), so a
    // run may see none; what it saw is said either way.
    let page = concurrent_drill("e2e-lock-none", Some("/state/plain.jsp"));
    let summary = page["summary"].as_str().unwrap();
    match page["outcome"].as_str().unwrap() {
        "finding" => assert!(summary.starts_with("FINDING: at least ") && summary.contains("changes were lost with lockingMode none (`plain` "), "{summary}"),
        "passed" => assert!(summary.contains("24 changes to `plain` (lockingMode none; the count is a lower bound)"), "{summary}"),
        other => panic!("{other}: {page}"),
    }

    assert_eq!(msmlab(&["up", "--name", "e2e-lock-all", "--port", "13497", "--locking-mode", "all", "--webapp", war]).status.code(), Some(0));
    // The lab's context.xml says so (msmlab logs --export downloads it from the Tomcats).
    let dir = tempfile::tempdir().unwrap();
    let export = msmlab(&["logs", "--name", "e2e-lock-all", "--export", dir.path().to_str().unwrap()]);
    assert_eq!(export.status.code(), Some(0));
    let exported: Vec<_> = walk_files(dir.path()).into_iter().filter(|p| p.ends_with("context.xml")).collect();
    assert!(!exported.is_empty(), "no context.xml exported");
    for p in exported {
        assert!(std::fs::read_to_string(&p).unwrap().contains(r#"lockingMode="all""#), "{}", p.display());
    }
    // Locking makes a loss rare, not impossible: msm 2.3.2 lets two requests on one Tomcat
    // share its copy of the session without the lock (msm issue #237), and a request that
    // waited operationTimeout for the lock goes on without it. A loss is then a finding that
    // names both causes (docs/msm-options.md), and it stays a few of 24 (none loses far more).
    let all = concurrent_drill("e2e-lock-all", None);
    let summary = all["summary"].as_str().unwrap();
    match all["outcome"].as_str().unwrap() {
        "passed" => assert!(summary.starts_with("no update lost in 3 rounds of 8 parallel requests (lockingMode all)"), "{all}"),
        "finding" => {
            assert!(summary.contains(" of 24 updates were lost although lockingMode is all: ") && summary.contains("msm issue #237"), "{summary}");
            assert!(lost_of(summary) <= 4, "locking should keep losses rare: {summary}");
        }
        other => panic!("{other}: {all}"),
    }
    let page = concurrent_drill("e2e-lock-all", Some("/state/plain.jsp"));
    let summary = page["summary"].as_str().unwrap();
    match page["outcome"].as_str().unwrap() {
        "passed" => assert!(summary.starts_with("no lost change seen in 3 rounds of 8 parallel requests: 24 changes to `plain` (lockingMode all;"), "{page}"),
        "finding" => {
            assert!(summary.contains("changes were lost although lockingMode is all (`plain` ") && summary.contains("msm issue #237"), "{summary}");
            assert!(lost_of(summary) <= 4, "locking should keep losses rare: {summary}");
        }
        other => panic!("{other}: {page}"),
    }
}

/// The number in "FINDING: [at least ]N of 24 …".
fn lost_of(summary: &str) -> usize {
    let rest = summary.trim_start_matches("FINDING: ").trim_start_matches("at least ");
    rest.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("no count in {summary}"))
}

#[test]
fn locking_is_for_non_sticky_labs_and_takes_the_modes_msm_knows() {
    let out = msmlab(&["up", "--name", "e2e-lock-bad", "--sticky", "--locking-mode", "all"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--locking-mode all applies to non-sticky mode only"), "{}", stderr(&out));
    let out = msmlab(&["up", "--name", "e2e-lock-bad", "--locking-mode", "sometimes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("give none, all, auto, or uriPattern:REGEX"), "{}", stderr(&out));
    assert_eq!(labelled("e2e-lock-bad"), Vec::<String>::new());
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}
