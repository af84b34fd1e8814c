//! Failover drills on real labs: a Tomcat stopped, a cache node stopped, every Tomcat
//! restarted at once. Each drill restores the lab, and the session (with its state) must
//! survive, in non-sticky and in sticky mode, with two memcached nodes.

use crate::common::*;

fn drill_outcomes(v: &serde_json::Value) -> Vec<(String, String)> {
    v["drills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["drill"].as_str().unwrap().to_string(), d["outcome"].as_str().unwrap().to_string()))
        .collect()
}

fn drill<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["drills"].as_array().unwrap().iter().find(|d| d["drill"] == name).unwrap_or_else(|| panic!("no drill {name}"))
}

/// Every container of the lab runs again, as before the drills.
fn all_running(lab: &str, expected: usize) {
    let status = json(&msmlab(&["status", "--name", lab, "--json"]));
    let containers = status["containers"].as_array().unwrap();
    assert_eq!(containers.len(), expected);
    assert!(containers.iter().all(|c| c["state"] == "running"), "{status}");
}

#[test]
fn a_non_sticky_lab_with_two_cache_nodes_survives_every_drill() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-drill");
    let up = msmlab(&["up", "--name", "e2e-drill", "--port", "13430", "--store-nodes", "2"]);
    assert_eq!(up.status.code(), Some(0));

    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("verify.xml");
    let verify = msmlab(&["verify", "--name", "e2e-drill", "--drill", "all", "--json", "--junit", junit.to_str().unwrap()]);
    assert_eq!(verify.status.code(), Some(0));
    let v = json(&verify);
    assert_eq!(v["ok"], true);
    assert_eq!(v["mode"], "non-sticky");
    let passed = |d: &str| (d.to_string(), "passed".to_string());
    assert_eq!(drill_outcomes(&v), [passed("tomcat"), passed("store"), passed("restart")]);

    // The Tomcat drill: the stopped Tomcat answered nothing, the counter went on.
    let tomcat = drill(&v, "tomcat");
    let steps = tomcat["steps"].as_array().unwrap();
    assert!(steps.iter().all(|s| s["ok"] == true), "{tomcat}");
    assert!(steps[1]["action"].as_str().unwrap().starts_with("stop msmlab-e2e-drill-tomcat-"), "{tomcat}");
    assert!(steps[2]["saw"].as_str().unwrap().contains("counter 4, 5, 6, 7"), "{tomcat}");
    // The store drill: the session moved to the other node (its id's node suffix changed).
    let store = drill(&v, "store");
    assert!(store["summary"].as_str().unwrap().starts_with("msm moved the session off the stopped msmlab-e2e-drill-memcached-"), "{store}");
    let moved = store["steps"][3]["saw"].as_str().unwrap();
    assert!(moved.contains("-n1 → ") || moved.contains("-n2 → "), "{moved}");
    assert!(moved.contains("counter 4, 5, 6, 7"), "{moved}");
    // The restart drill: every Tomcat restarted, the session came back from the store.
    assert!(drill(&v, "restart")["steps"][4]["saw"].as_str().unwrap().contains("counter 4, 5, 6, 7"));

    // JUnit: one test case per check and per drill, nothing failed.
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<String> = doc.descendants().filter(|n| n.has_tag_name("testcase")).map(|n| n.attribute("name").unwrap().to_string()).collect();
    assert_eq!(cases, ["answers", "same-session", "backends", "counter", "state", "store", "msm-errors", "drill tomcat", "drill store", "drill restart"]);
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("failure")).count(), 0, "{xml}");

    // The lab is as it was: everything runs, and a plain verify passes.
    all_running("e2e-drill", 5);
    assert_eq!(msmlab(&["verify", "--name", "e2e-drill"]).status.code(), Some(0));
}

#[test]
fn a_sticky_lab_serving_the_users_war_survives_every_drill() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-sticky");
    let dir = tempfile::tempdir().unwrap();
    let war = build_war(dir.path());
    // The command of the issue: the user's WAR, sticky mode, two cache nodes.
    let up = msmlab(&["up", "--name", "e2e-sticky", "--port", "13431", "--webapp", war.to_str().unwrap(), "--sticky", "--store-nodes", "2"]);
    assert_eq!(up.status.code(), Some(0));
    let tc1 = "msmlab-e2e-sticky-tomcat-1";
    assert!(docker(&["exec", tc1, "cat", "conf/context.xml"]).contains(r#"sticky="true""#));
    assert!(docker(&["exec", tc1, "bash", "-c", "echo $CATALINA_OPTS"]).contains("-DjvmRoute=tomcat1"));

    let verify = msmlab(&["verify", "--name", "e2e-sticky", "--path", "/my/", "--drill", "all"]);
    assert_eq!(verify.status.code(), Some(0));
    let text = stdout(&verify);
    for line in [
        "Lab \"e2e-sticky\" (sticky): 20 requests through http://127.0.0.1:13431/my/",
        "✓ sticky        all 20 requests stayed on msmlab-e2e-sticky-tomcat-",
        "Drill tomcat: pass",
        "Drill store: pass",
        "Drill restart: pass",
        "PASS: the session is shared and the drills ran: tomcat, store, restart",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    // With its Tomcat stopped, the session moved to the other one, which rewrote the route.
    assert!(text.contains(".tomcat1 → ") || text.contains(".tomcat2 → "), "{text}");

    // The test page in sticky mode: one Tomcat, the counter, the store.
    let v = json(&msmlab(&["verify", "--name", "e2e-sticky", "--json"]));
    assert_eq!(v["ok"], true);
    assert_eq!(v["mode"], "sticky");
    assert_eq!(v["backends"].as_object().unwrap().len(), 1, "a sticky session stays on its Tomcat");
    all_running("e2e-sticky", 5);
}

#[test]
fn with_one_cache_node_the_store_drill_reports_what_users_lose() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-drill-one");
    let up = msmlab(&["up", "--name", "e2e-drill-one", "--port", "13432"]);
    assert_eq!(up.status.code(), Some(0));

    let verify = msmlab(&["verify", "--name", "e2e-drill-one", "--drill", "store", "--json"]);
    assert_eq!(verify.status.code(), Some(0), "a finding is shown, not a failure or a crash");
    let v = json(&verify);
    assert_eq!(drill_outcomes(&v), [("store".to_string(), "finding".to_string())]);
    let store = drill(&v, "store");
    let summary = store["summary"].as_str().unwrap();
    assert!(summary.starts_with("FINDING: with one cache node, a store outage loses the session"), "{summary}");
    assert!(summary.contains("--store-nodes 2"), "{summary}");
    // Restored: the node runs, every Tomcat stores sessions again, and verify passes.
    let steps = store["steps"].as_array().unwrap();
    assert!(steps.last().unwrap()["saw"].as_str().unwrap().starts_with("a new session from each Tomcat is in the store"), "{store}");
    all_running("e2e-drill-one", 4);
    assert_eq!(msmlab(&["verify", "--name", "e2e-drill-one"]).status.code(), Some(0));
}

#[test]
fn ctrl_c_during_a_drill_restores_the_lab() {
    use std::process::{Command, Stdio};
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-drill-int");
    let up = msmlab(&["up", "--name", "e2e-drill-int", "--port", "13433"]);
    assert_eq!(up.status.code(), Some(0));

    let verify = Command::new(env!("CARGO_BIN_EXE_msmlab"))
        .args(["verify", "--name", "e2e-drill-int", "--drill", "tomcat"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the drill has stopped a Tomcat.
    let stopped = (0..600).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        !docker(&["ps", "-a", "--filter", "label=io.msmlab.lab=e2e-drill-int", "--filter", "status=exited", "--format", "{{.Names}}"]).is_empty()
    });
    assert!(stopped, "the drill never stopped a Tomcat");
    let kill = Command::new("kill").args(["-INT", &verify.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let out = verify.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted by Ctrl-C during the tomcat drill; msmlab started msmlab-e2e-drill-int-tomcat-"), "{err}");
    all_running("e2e-drill-int", 4);
    assert_eq!(msmlab(&["verify", "--name", "e2e-drill-int"]).status.code(), Some(0));
}
