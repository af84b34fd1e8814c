//! `msmlab down --all` removes every msmlab lab on its engine, and nothing else.
//!
//! It removes every lab on the engine it talks to, so it runs on an engine of its own
//! (`common::dind`: Docker in a container of the machine's engine, reached through
//! `DOCKER_HOST`), never on the machine's engine, where people and other tests keep labs.

use crate::common::dind::{self, Dind};
use crate::common::*;

/// Names of every container and network of any msmlab lab on `engine`.
fn labs_on(engine: &Dind) -> Vec<String> {
    let mut names = Vec::new();
    for what in [vec!["ps", "-a", "--format", "{{.Names}}"], vec!["network", "ls", "--format", "{{.Name}}"]] {
        let args: Vec<&str> = what.iter().copied().chain(["--filter", "label=io.msmlab.lab"]).collect();
        let out = engine.docker(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        names.extend(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string));
    }
    names.sort();
    names
}

#[test]
fn down_all_removes_every_lab_on_its_engine_and_leaves_what_msmlab_did_not_make() {
    let _serial = one_lab_at_a_time();
    // A lab on the machine's engine, as a user would have one: `down --all` on the test's
    // engine must not touch it.
    let _bystander = Lab::claim("e2e-down-all-bystander");
    assert_eq!(msmlab(&["up", "--name", "e2e-down-all-bystander", "--port", "13453", "-q"]).status.code(), Some(0));
    let bystander_before = labelled("e2e-down-all-bystander");

    let images = dind::lab_images("e2e-down-all-seed");
    let engine = Dind::start("msmlab-test-dind-down-all", &[13451, 13452]);
    engine.load(&images);
    let on_engine = [("DOCKER_HOST", engine.host.as_str())];

    // Two labs on the test's engine; their nginx is published on all of its addresses, which
    // the engine's container publishes on this machine's loopback.
    for (lab, port) in [("e2e-all-a", "13451"), ("e2e-all-b", "13452")] {
        let up = msmlab_with(&["up", "--name", lab, "--port", port, "--listen", "0.0.0.0"], &on_engine);
        assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));
    }
    // Things msmlab did not make, one of them with a name and a role label that look like msmlab's.
    assert!(engine.docker(&["network", "create", "--label", "io.example.owner=someone-else", "msmlab-stranger"]).status.success());
    let stranger = ["create", "--name", "msmlab-stranger-tomcat-1", "--network", "msmlab-stranger", "--label", "io.msmlab.role=tomcat", "debian:bookworm-slim", "true"];
    assert!(engine.docker(&stranger).status.success());

    let down = msmlab_with(&["down", "--all"], &on_engine);
    assert_eq!(down.status.code(), Some(0), "{}", stderr(&down));
    let out = stdout(&down);
    assert!(out.contains("Removed lab \"e2e-all-a\" (4 containers, 1 network)"), "{out}");
    assert!(out.contains("Removed lab \"e2e-all-b\" (4 containers, 1 network)"), "{out}");
    assert!(!out.contains("stranger"), "{out}");
    assert_eq!(labs_on(&engine), Vec::<String>::new(), "every msmlab lab on the test's engine is gone");
    assert!(engine.docker(&["inspect", "msmlab-stranger-tomcat-1"]).status.success(), "a container without the lab label survives");
    assert!(engine.docker(&["network", "inspect", "msmlab-stranger"]).status.success(), "a network without the lab label survives");

    // Nothing left: a friendly no-op.
    let again = msmlab_with(&["down", "--all"], &on_engine);
    assert_eq!(again.status.code(), Some(0));
    assert!(stdout(&again).contains("Nothing to remove: no resource carries the label io.msmlab.lab"));

    // The lab on the machine's engine is as it was.
    assert_eq!(labelled("e2e-down-all-bystander"), bystander_before);
    assert_eq!(msmlab(&["verify", "--name", "e2e-down-all-bystander", "--requests", "4"]).status.code(), Some(0));
}
