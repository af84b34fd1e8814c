//! Engine problems: no engine, and an engine that goes away in the middle of `up`. Each is a
//! one-line error that says what to do, and the next run recovers. The engine "goes away"
//! through a proxy socket the test controls (`common::proxy`); the shared engine is never
//! stopped. (An engine that is too old is a unit test against a fake engine in `src/engine.rs`.)

use crate::common::proxy::EngineProxy;
use crate::common::*;

/// The `error:` lines msmlab printed, each with what follows it on the same line.
fn error_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("error:")).collect()
}

#[test]
fn without_an_engine_every_verb_says_in_one_line_how_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    let host = format!("unix://{}/docker.sock", dir.path().display());
    for args in [
        &["up", "--name", "e2e-engine-none", "--port", "13443"][..],
        &["verify", "--name", "e2e-engine-none"],
        &["status", "--name", "e2e-engine-none"],
        &["down", "--name", "e2e-engine-none"],
        &["down", "--all"],
    ] {
        let out = msmlab_with(args, &[("DOCKER_HOST", &host)]);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.starts_with(&format!("error: cannot reach the Docker engine at {host}")), "{err}");
        assert!(err.contains("point DOCKER_HOST at a running engine"), "{err}");
    }
}

#[test]
fn an_engine_lost_during_up_is_one_line_that_says_what_to_do_and_the_next_up_recovers() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-engine");
    let proxy = EngineProxy::start();
    let host = proxy.docker_host();
    // The engine goes away once the containers exist, and stays away until msmlab gives up.
    let (code, stderr) = msmlab_watching(&["up", "--name", "e2e-engine", "--port", "13442"], &[("DOCKER_HOST", &host)], |line, _| {
        if line.starts_with("✓ Create network msmlab-e2e-engine") {
            proxy.cut();
        }
    });
    eprintln!("--- stderr of the up that lost its engine ---\n{stderr}");

    // While the engine is still away, down says so in one line too, and removes nothing.
    let down = msmlab_with(&["down", "--name", "e2e-engine"], &[("DOCKER_HOST", &host)]);
    assert_eq!(down.status.code(), Some(3));
    assert_eq!(crate::common::stderr(&down).lines().count(), 1, "{}", crate::common::stderr(&down));
    assert!(crate::common::stderr(&down).contains("cannot reach the Docker engine"), "{}", crate::common::stderr(&down));
    proxy.restore();
    assert_eq!(code, Some(3), "{stderr}");
    let errors = error_lines(&stderr);
    assert_eq!(errors.len(), 1, "{stderr}");
    let error = errors[0];
    assert!(stderr.ends_with(error), "the error is the last line: {stderr}");
    assert!(error.contains("lost the Docker engine while trying to"), "{error}");
    assert!(error.contains("run `msmlab down --name e2e-engine` once the engine answers"), "{error}");
    assert!(proxy.refused() > 0, "msmlab kept trying while the engine was away");
    assert!(!labelled("e2e-engine").is_empty(), "the cut came after the create, so something is left to recover from");

    // The engine is back: the next up deals with what the first left, and the lab works.
    let again = msmlab_with(&["up", "--name", "e2e-engine", "--port", "13442"], &[("DOCKER_HOST", &host)]);
    assert_eq!(again.status.code(), Some(0));
    let verify = msmlab_with(&["verify", "--name", "e2e-engine"], &[("DOCKER_HOST", &host)]);
    assert_eq!(verify.status.code(), Some(0));
    let down = msmlab_with(&["down", "--name", "e2e-engine"], &[("DOCKER_HOST", &host)]);
    assert_eq!(down.status.code(), Some(0));
    assert_eq!(labelled("e2e-engine"), Vec::<String>::new());
}
