//! msmlab on an engine that is not this machine's socket, as CI jobs meet it: GitLab's
//! `docker:dind` service (`DOCKER_HOST=tcp://docker:2375`), or a job container that talks to an
//! engine elsewhere. The engine here is Docker in a container (`common::dind`); nginx's
//! published port is reached on the engine's host, never on this machine's loopback.

mod common;
use common::dind::{self, Dind};
use common::*;

use std::process::Command;

/// What carries an msmlab label on `engine`: containers, networks.
fn msmlab_things_on(engine: &Dind) -> Vec<String> {
    let mut names = Vec::new();
    for what in [vec!["ps", "-a", "--format", "{{.Names}}"], vec!["network", "ls", "--format", "{{.Name}}"]] {
        let args: Vec<&str> = what.iter().copied().chain(["--filter", "label=io.msmlab.lab"]).collect();
        names.extend(String::from_utf8_lossy(&engine.docker(&args).stdout).lines().map(str::to_string));
    }
    names
}

#[test]
fn smoke_on_a_remote_engine_from_this_machine_and_from_a_job_container_with_only_the_static_binary() {
    let _serial = one_lab_at_a_time();
    let images = dind::lab_images("e2e-remote-seed");
    let engine = Dind::start("msmlab-test-dind-remote", &[]);
    engine.load(&images);
    let on_engine = [("DOCKER_HOST", engine.host.as_str())];
    let engine_ip = engine.host.trim_start_matches("tcp://").split(':').next().unwrap().to_string();

    // doctor says which engine it reached and how, and where its ports are reached.
    let doctor = msmlab_with(&["doctor"], &on_engine);
    assert!(stdout(&doctor).contains(&format!("at {}, found through DOCKER_HOST; its published ports are reached at {engine_ip}", engine.host)), "{}", stdout(&doctor));

    // From this machine: the lab is published on the engine's host and verified there.
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("smoke.xml");
    let out = msmlab_with(&["smoke", "--requests", "6", "--junit", junit.to_str().unwrap()], &on_engine);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains(&format!("is up at http://{engine_ip}:")), "{}", stderr(&out));
    assert_eq!(msmlab_things_on(&engine), Vec::<String>::new());

    // The control lab: exit 1, a JUnit failure, the evidence, and nothing left.
    let evidence = dir.path().join("evidence");
    let out = msmlab_with(&["smoke", "--session-manager", "none", "--requests", "6", "--junit", junit.to_str().unwrap(), "--evidence", evidence.to_str().unwrap()], &on_engine);
    assert_eq!(out.status.code(), Some(1), "{}\n{}", stdout(&out), stderr(&out));
    assert!(std::fs::read_to_string(&junit).unwrap().contains("<failure"));
    assert!(evidence.join("status.json").exists());
    assert_eq!(msmlab_things_on(&engine), Vec::<String>::new());

    // From a job container that holds nothing but the static binary (and a copy of the jar
    // cache, so that no traffic leaves this machine), beside the engine on the same network.
    let binary = static_binary();
    let job = "msmlab-test-job";
    let _ = Command::new("docker").args(["rm", "-f", job]).output();
    let created = Command::new("docker")
        .args(["create", "--name", job, "-e", &format!("DOCKER_HOST={}", engine.host), "-e", "MSMLAB_CACHE_DIR=/cache", "debian:bookworm-slim", "/msmlab", "smoke", "--requests", "6"])
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let cache = msmlab::jars::maven::default_cache_dir();
    for (from, to) in [(binary.as_path(), "/msmlab"), (cache.as_path(), "/cache")] {
        let cp = Command::new("docker").args(["cp", "-q"]).arg(from).arg(format!("{job}:{to}")).output().unwrap();
        assert!(cp.status.success(), "docker cp {}: {}", from.display(), String::from_utf8_lossy(&cp.stderr));
    }
    let run = Command::new("docker").args(["start", "-a", job]).output().unwrap();
    let _ = Command::new("docker").args(["rm", "-f", job]).output();
    let (out, err) = (String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "the job failed:\n{out}\n{err}");
    assert!(out.contains("smoke PASS: lab \"smoke-"), "{out}");
    assert_eq!(msmlab_things_on(&engine), Vec::<String>::new());
}

/// The statically linked binary (musl): `MSMLAB_STATIC_BINARY` as `.ci/run` builds it, or built
/// here the same way.
fn static_binary() -> std::path::PathBuf {
    if let Some(path) = std::env::var_os("MSMLAB_STATIC_BINARY") {
        return path.into();
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let build = Command::new(env!("CARGO"))
        .current_dir(root)
        .args(["build", "--release", "--locked", "--target", "x86_64-unknown-linux-musl"])
        .status()
        .expect("cargo runs");
    assert!(build.success(), "the static build failed: `rustup target add x86_64-unknown-linux-musl` and Debian's musl-tools are needed");
    root.join("target/x86_64-unknown-linux-musl/release/msmlab")
}
