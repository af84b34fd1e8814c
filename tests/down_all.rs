//! `msmlab down --all` removes every msmlab lab, and nothing else.
//!
//! It removes every lab on the engine, so it lives alone in this file (one test binary, one
//! test): the other test binaries run before or after it, never beside it.

mod common;
use common::*;

/// Labs on the engine that this test did not make: `down --all` would remove them.
fn other_labs() -> Vec<String> {
    labelled_any().into_iter().filter(|n| !n.contains("e2e-soak-all-")).collect()
}

#[test]
fn down_all_removes_every_lab_and_leaves_what_msmlab_did_not_make() {
    // On an engine shared with people (or other test runs), refuse rather than remove their labs.
    let others = other_labs();
    assert!(
        others.is_empty(),
        "other msmlab labs are on this engine ({others:?}) and `down --all` would remove them; \
         run this test where it is alone (CI runs it in its own binary, after the others)"
    );
    let _a = Lab::claim("e2e-soak-all-a");
    let _b = Lab::claim("e2e-soak-all-b");
    assert_eq!(msmlab(&["up", "--name", "e2e-soak-all-a", "--port", "13451"]).status.code(), Some(0));
    assert_eq!(msmlab(&["up", "--name", "e2e-soak-all-b", "--port", "13452"]).status.code(), Some(0));

    // Things msmlab did not make, one of them with a name that looks like msmlab's.
    let (stranger, network) = ("msmlab-stranger-tomcat-1", "msmlab-stranger");
    let _ = docker_ok(&["rm", "-f", stranger]);
    let _ = docker_ok(&["network", "rm", network]);
    assert!(docker_ok(&["network", "create", "--label", "io.example.owner=someone-else", network]));
    assert!(docker_ok(&["create", "--name", stranger, "--network", network, "--label", "io.msmlab.role=tomcat", "debian:bookworm-slim", "true"]));

    let others = other_labs();
    assert!(others.is_empty(), "other msmlab labs appeared meanwhile ({others:?}); not running `down --all`");
    let down = msmlab(&["down", "--all"]);
    let stranger_left = docker_ok(&["inspect", stranger]);
    let network_left = docker_ok(&["network", "inspect", network]);
    let _ = docker_ok(&["rm", "-f", stranger]);
    let _ = docker_ok(&["network", "rm", network]);

    assert_eq!(down.status.code(), Some(0));
    let out = stdout(&down);
    assert!(out.contains("Removed lab \"e2e-soak-all-a\" (4 containers, 1 network)"), "{out}");
    assert!(out.contains("Removed lab \"e2e-soak-all-b\" (4 containers, 1 network)"), "{out}");
    assert!(!out.contains("stranger"), "{out}");
    assert_eq!(labelled_any(), Vec::<String>::new(), "every msmlab lab is gone");
    assert!(stranger_left, "a container without the lab label survives, even with an msmlab-like name and role label");
    assert!(network_left, "a network without the lab label survives");

    // Nothing left: a friendly no-op.
    let again = msmlab(&["down", "--all"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(stdout(&again).contains("Nothing to remove: no resource carries the label io.msmlab.lab"));
}
