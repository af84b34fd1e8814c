//! msmlab on an engine that is not this machine's socket, as CI jobs meet it: GitLab's
//! `docker:dind` service (`DOCKER_HOST=tcp://docker:2375`), or a job container that talks to an
//! engine elsewhere. The engine here is Docker in a container (`common::dind`); nginx's
//! published port is reached on the engine's host, never on this machine's loopback.

use crate::common::dind::{self, Dind};
use crate::common::*;

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

    // The same engine as a Docker context, made by the docker CLI itself (in a config
    // directory of the test's own), is found the way the CLI finds it.
    let config = tempfile::tempdir().unwrap();
    let config_dir = config.path().to_str().unwrap();
    let made = Command::new("docker")
        .env("DOCKER_CONFIG", config_dir)
        .args(["context", "create", "e2e-dind", "--docker", &format!("host={}", engine.host)])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let used = Command::new("docker").env("DOCKER_CONFIG", config_dir).args(["context", "use", "e2e-dind"]).output().unwrap();
    assert!(used.status.success(), "{}", String::from_utf8_lossy(&used.stderr));
    let doctor = msmlab_with(&["doctor"], &[("DOCKER_CONFIG", config_dir)]);
    assert!(stdout(&doctor).contains(&format!("at {}, found through docker context e2e-dind (the current context of {config_dir}/config.json)", engine.host)), "{}", stdout(&doctor));

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

    // bench reaches its lab where up does: published on the engine's host (an engine-picked
    // port), not on the host's loopback, and measured there.
    let out_dir = dir.path().join("bench");
    let bench = msmlab_with(
        &["bench", "--name", "e2e-remote-bench", "--serializers", "java", "--requests", "40", "--warmup", "0s", "--concurrency", "2", "--port", "0", "--out", out_dir.to_str().unwrap(), "--json"],
        &on_engine,
    );
    assert_eq!(bench.status.code(), Some(0), "{}\n{}", stdout(&bench), stderr(&bench));
    assert!(stderr(&bench).contains(&format!("reached at {engine_ip}")), "{}", stderr(&bench));
    let run = &json(&bench)["runs"][0];
    assert!(run["requests"].as_u64().unwrap() > 0, "{run}");
    assert_eq!(run["errors"], serde_json::json!({"status": 0, "io": 0, "timeout": 0}), "{run}");
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

/// Runs `openssl ARGS…` in `dir`.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl runs");
    assert!(out.status.success(), "openssl {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_tls_engine_is_reached_with_the_docker_cli_variables_and_refused_without_them() {
    let _serial = one_lab_at_a_time();
    // A CA, a server certificate for the engine's fixed address, a client certificate: what
    // GitLab's docker:dind makes in /certs when DOCKER_TLS_CERTDIR is set.
    let (net, ip, name) = ("msmlab-test-tls-net", "172.31.250.10", "msmlab-test-dind-tls");
    let certs = tempfile::tempdir().unwrap();
    let dir = certs.path();
    std::fs::write(dir.join("san.cnf"), format!("subjectAltName=IP:{ip}\nextendedKeyUsage=serverAuth\n")).unwrap();
    std::fs::write(dir.join("client.cnf"), "extendedKeyUsage=clientAuth\n").unwrap();
    openssl(dir, &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=msmlab test CA", "-keyout", "ca-key.pem", "-out", "ca.pem"]);
    for (who, ext) in [("server", "san.cnf"), ("client", "client.cnf")] {
        openssl(dir, &["req", "-newkey", "rsa:2048", "-nodes", "-subj", &format!("/CN={who}"), "-keyout", &format!("{who}-key.pem"), "-out", &format!("{who}.csr")]);
        openssl(dir, &["x509", "-req", "-in", &format!("{who}.csr"), "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-days", "1", "-extfile", ext, "-out", &format!("{who}-cert.pem")]);
    }
    let client = dir.join("client");
    std::fs::create_dir(&client).unwrap();
    for (from, to) in [("ca.pem", "ca.pem"), ("client-cert.pem", "cert.pem"), ("client-key.pem", "key.pem")] {
        std::fs::copy(dir.join(from), client.join(to)).unwrap();
    }

    let docker = |args: &[&str]| Command::new("docker").args(args).output().expect("docker runs");
    let _ = docker(&["rm", "-f", "-v", name]);
    let _ = docker(&["network", "rm", net]);
    assert!(docker(&["network", "create", "--subnet", "172.31.250.0/24", net]).status.success());
    let created = docker(&[
        "create", "--name", name, "--network", net, "--ip", ip, "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
        "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
        "--tmpfs", "/run", "-v", "/var/lib/docker", dind::image(), "dockerd", "--host", "tcp://0.0.0.0:2376",
        "--tlsverify", "--tlscacert", "/certs/ca.pem", "--tlscert", "/certs/server-cert.pem", "--tlskey", "/certs/server-key.pem",
    ]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let cp = docker(&["cp", &format!("{}/.", dir.display()), &format!("{name}:/certs")]);
    assert!(cp.status.success(), "{}", String::from_utf8_lossy(&cp.stderr));
    assert!(docker(&["start", name]).status.success());

    let host = format!("tcp://{ip}:2376");
    let tls = [("DOCKER_HOST", host.as_str()), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", client.to_str().unwrap())];
    let mut doctor = msmlab_with(&["doctor"], &tls);
    for _ in 0..60 {
        if stdout(&doctor).contains("✓ engine") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
        doctor = msmlab_with(&["doctor"], &tls);
    }
    let without = msmlab_with(&["status", "--name", "x"], &[("DOCKER_HOST", host.as_str())]);
    let _ = docker(&["rm", "-f", "-v", name]);
    let _ = docker(&["network", "rm", net]);
    assert!(stdout(&doctor).contains(&format!("at {host}, found through DOCKER_HOST; its published ports are reached at {ip}")), "{}", stdout(&doctor));
    // Without the certificates the engine does not answer msmlab: the environment failed.
    assert_eq!(without.status.code(), Some(3), "{}", stderr(&without));
}
