//! `msmlab smoke`, as a CI job runs it: the lab comes up, is verified, leaves evidence when it
//! fails, and is removed in every case. Runs that share one engine never collide: without
//! `--name` and `--port` each takes a name of its own and lets the engine pick the port.

use crate::common::*;

/// The lab name a smoke run reports on its summary line (`smoke PASS: lab "smoke-…" …`).
fn smoke_lab(out: &std::process::Output) -> String {
    let text = stdout(out);
    let line = text.lines().find(|l| l.starts_with("smoke ")).unwrap_or_else(|| panic!("no summary line: {text}"));
    line.split('"').nth(1).unwrap().to_string()
}

#[test]
fn smoke_passes_on_a_good_lab_writes_junit_and_removes_the_lab() {
    let _serial = one_lab_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("smoke.xml");
    let out = msmlab(&["smoke", "--junit", junit.to_str().unwrap(), "--requests", "6"]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    let lab = smoke_lab(&out);
    assert!(lab.starts_with("smoke-"), "{lab}");
    assert!(stdout(&out).contains(&format!("removed lab {lab:?}: 4 containers, 1 network")), "{}", stdout(&out));
    assert_eq!(labelled(&lab), Vec::<String>::new());
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<testsuite") && !xml.contains("<failure"), "{xml}");
    // No evidence on success.
    assert!(!std::path::Path::new("msmlab-evidence").join("status.json").exists());
}

#[test]
fn smoke_on_the_control_lab_exits_1_with_a_junit_failure_and_the_evidence() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-smoke-control");
    let dir = tempfile::tempdir().unwrap();
    let (junit, evidence) = (dir.path().join("smoke.xml"), dir.path().join("evidence"));
    let out = msmlab(&[
        "smoke", "--name", "e2e-smoke-control", "--session-manager", "none", "--requests", "6",
        "--junit", junit.to_str().unwrap(), "--evidence", evidence.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "sessions not shared is the answer no: {}", stderr(&out));
    assert!(stdout(&out).contains("smoke FAIL: lab \"e2e-smoke-control\" does not share the session"), "{}", stdout(&out));
    assert!(stdout(&out).contains(&format!("evidence: {}", evidence.display())), "{}", stdout(&out));
    assert!(evidence.join("status.json").exists());
    assert!(files_under(&evidence).iter().any(|p| p.ends_with("context.xml")), "the configs are in the evidence");
    assert!(std::fs::read_to_string(&junit).unwrap().contains("<failure"));
    assert_eq!(labelled("e2e-smoke-control"), Vec::<String>::new(), "the failed lab was removed too");
}

#[test]
fn smoke_refuses_bad_input_before_creating_anything() {
    let out = msmlab(&["smoke", "--name", "e2e-smoke-bad", "--tomcats", "1"]);
    assert_eq!(out.status.code(), Some(2));
    let out = msmlab(&["smoke", "--name", "e2e-smoke-bad", "--serializer", "flexjson"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(labelled("e2e-smoke-bad"), Vec::<String>::new());
}

#[test]
fn four_smoke_runs_at_once_on_one_engine_all_pass_and_leave_nothing() {
    let _serial = one_lab_at_a_time();
    let runs: Vec<std::thread::JoinHandle<std::process::Output>> =
        (0..4).map(|_| std::thread::spawn(|| msmlab(&["smoke", "--requests", "6", "-q"]))).collect();
    let outs: Vec<std::process::Output> = runs.into_iter().map(|r| r.join().unwrap()).collect();
    let mut labs = Vec::new();
    for out in &outs {
        assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(out), stderr(out));
        labs.push(smoke_lab(out));
    }
    labs.sort();
    labs.dedup();
    assert_eq!(labs.len(), 4, "each run had a lab of its own: {labs:?}");
    for lab in labs {
        assert_eq!(labelled(&lab), Vec::<String>::new());
    }
}

#[test]
fn two_ups_of_one_name_at_once_make_one_lab_and_neither_tears_it_down() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-smoke-race");
    let up = || std::thread::spawn(|| msmlab(&["up", "--name", "e2e-smoke-race", "--port", "13509", "--json"]));
    let (a, b) = (up(), up());
    let (a, b) = (a.join().unwrap(), b.join().unwrap());
    for out in [&a, &b] {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    }
    // One built it; the other found it up (after waiting for it, or at once).
    let already: Vec<bool> = [&a, &b].iter().map(|o| json(o)["already_up"] == true).collect();
    assert_eq!(already.iter().filter(|x| **x).count(), 1, "{already:?}\n{}\n{}", stderr(&a), stderr(&b));
    assert_eq!(labelled("e2e-smoke-race").len(), 5, "4 containers and 1 network");
    let verify = msmlab(&["verify", "--name", "e2e-smoke-race", "--requests", "6"]);
    assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));
}

#[test]
fn sigterm_during_the_drills_and_the_timeout_both_remove_the_lab() {
    let _serial = one_lab_at_a_time();
    let _labs = [Lab::claim("e2e-smoke-term"), Lab::claim("e2e-smoke-timeout")];
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("evidence");
    let evidence = evidence.to_str().unwrap();
    // SIGTERM (a CI runner cancelling the job) while a drill has a Tomcat stopped.
    let mut sent = false;
    let (code, err) = msmlab_watching(&["smoke", "--name", "e2e-smoke-term", "--requests", "6", "--drill", "tomcat", "--evidence", evidence], &[], |line, pid| {
        if !sent && line.starts_with("Drill tomcat: running") {
            std::thread::sleep(std::time::Duration::from_millis(500));
            signal(pid, "-TERM");
            sent = true;
        }
    });
    assert!(sent, "the drill never started: {err}");
    assert_eq!(code, Some(130), "{err}");
    assert_eq!(labelled("e2e-smoke-term"), Vec::<String>::new(), "{err}");
    // An overall deadline shorter than the run: exit 3, nothing left.
    let out = msmlab(&["smoke", "--name", "e2e-smoke-timeout", "--requests", "6", "--drill", "all", "--timeout", "4s", "--evidence", evidence]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("removed lab \"e2e-smoke-timeout\": 4 containers, 1 network"), "{}", stderr(&out));
    assert!(stderr(&out).contains("smoke gave up after 4s (--timeout)"), "{}", stderr(&out));
    assert_eq!(labelled("e2e-smoke-timeout"), Vec::<String>::new());
}
