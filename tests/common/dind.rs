//! A Docker engine of a test's own: Debian's `dockerd` in a container of the machine's engine
//! (Docker-in-Docker, as msm-facts §8 measured it: every capability but one, no seccomp or
//! AppArmor profile, the host's cgroups; `--privileged` is not available here). A test that
//! must see a whole engine, such as `down --all`, runs there and never meets the labs of the
//! people (or other tests) on the machine's engine.
//!
//! The engine listens on `tcp://<container address>:2375`. It has no images and no registry:
//! `load` hands it images of the machine's engine. A lab's nginx published on the inner
//! engine's `0.0.0.0:<port>` is reached on `127.0.0.1:<port>` because the outer container
//! publishes the same ports on loopback.

use std::process::{Command, Stdio};

/// The image the engine runs in: Debian's docker.io on the base image every lab uses.
const IMAGE: &str = "msmlab-test-dind:bookworm";
const DOCKERFILE: &str = "FROM debian:bookworm-slim
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker.io iptables ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
";

/// The image the engine runs in, built if the machine's engine lacks it.
pub fn image() -> &'static str {
    if !docker(&["image", "inspect", IMAGE]).status.success() {
        let mut build = Command::new("docker").args(["build", "-q", "-t", IMAGE, "-"]).stdin(Stdio::piped()).spawn().expect("the docker CLI runs");
        std::io::Write::write_all(&mut build.stdin.take().unwrap(), DOCKERFILE.as_bytes()).unwrap();
        assert!(build.wait().unwrap().success(), "building {IMAGE} failed");
    }
    IMAGE
}

pub struct Dind {
    pub name: String,
    /// `tcp://<address>:2375`, for `DOCKER_HOST`.
    pub host: String,
}

fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker").args(args).output().expect("the docker CLI runs")
}

fn must(args: &[&str]) -> String {
    let out = docker(args);
    assert!(out.status.success(), "docker {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Dind {
    /// Starts an engine of its own, with `ports` of its containers reachable on this machine's
    /// loopback. Fails the test, saying why, when it cannot.
    pub fn start(name: &str, ports: &[u16]) -> Dind {
        image();
        let _ = docker(&["rm", "-f", "-v", name]);
        let mut args: Vec<String> = [
            "run", "-d", "--name", name, "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined",
            "--security-opt", "apparmor=unconfined", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--tmpfs", "/run",
            // Its own storage on a volume: overlay on overlay does not work.
            "-v", "/var/lib/docker",
        ]
        .map(String::from)
        .to_vec();
        for p in ports {
            args.extend(["-p".to_string(), format!("127.0.0.1:{p}:{p}")]);
        }
        args.extend([IMAGE, "dockerd", "--host", "tcp://0.0.0.0:2375", "--host", "unix:///var/run/docker.sock", "--tls=false"].map(String::from));
        must(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let address = must(&["inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", name]);
        let dind = Dind { name: name.to_string(), host: format!("tcp://{address}:2375") };
        for _ in 0..120 {
            if dind.docker(&["info"]).status.success() {
                return dind;
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        let logs = docker(&["logs", "--tail", "30", name]);
        panic!("the engine in {name} did not answer within a minute: {}", String::from_utf8_lossy(&logs.stderr));
    }

    /// The docker CLI, talking to this engine.
    pub fn docker(&self, args: &[&str]) -> std::process::Output {
        Command::new("docker").args(["-H", &self.host]).args(args).output().expect("the docker CLI runs")
    }

    /// Hands this engine images of the machine's engine (`docker save | docker load`).
    pub fn load(&self, images: &[String]) {
        let mut save = Command::new("docker").arg("save").args(images).stdout(Stdio::piped()).spawn().expect("the docker CLI runs");
        let load = Command::new("docker")
            .args(["-H", &self.host, "load", "-q"])
            .stdin(save.stdout.take().unwrap())
            .output()
            .expect("the docker CLI runs");
        assert!(save.wait().unwrap().success(), "docker save {images:?} failed");
        assert!(load.status.success(), "loading {images:?} into {} failed: {}", self.name, String::from_utf8_lossy(&load.stderr));
    }
}

impl Drop for Dind {
    fn drop(&mut self) {
        let _ = docker(&["rm", "-f", "-v", &self.name]);
    }
}

/// The images a default lab runs, as the machine's engine has them: a lab brought up there
/// (named `seed`, removed again) builds them if they are missing and names them.
pub fn lab_images(seed: &str) -> Vec<String> {
    let up = super::msmlab(&["up", "--name", seed, "--port", "13459", "-q"]);
    assert_eq!(up.status.code(), Some(0), "the seed lab {seed} did not come up");
    let names = must(&["ps", "-a", "--filter", &format!("label=io.msmlab.lab={seed}"), "--format", "{{.Image}}"]);
    let down = super::msmlab(&["down", "--name", seed]);
    assert_eq!(down.status.code(), Some(0));
    let mut images: Vec<String> = names.lines().map(str::to_string).collect();
    images.sort();
    images.dedup();
    images.push("debian:bookworm-slim".into());
    images
}
