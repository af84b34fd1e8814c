//! What the end-to-end tests share: running the real `msmlab` binary against the real
//! engine, and asking the engine (through the docker CLI, independently of msmlab) what
//! carries a lab's label. There is no fake here, and no skipping: without an engine, `up`
//! fails and so does the test.
#![allow(dead_code)]

pub mod proxy;

use std::process::{Command, Output};

/// Runs `msmlab ARGS…` and returns what it printed.
pub fn msmlab(args: &[&str]) -> Output {
    msmlab_with(args, &[])
}

/// Runs `msmlab ARGS…` with extra environment variables (`DOCKER_HOST`, `MSMLAB_CACHE_DIR`, …).
pub fn msmlab_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_msmlab"))
        .args(args)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("the msmlab binary runs");
    eprintln!(
        "$ msmlab {}\n  exit {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
        args.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(o)))
}

/// Names of every container, network and volume labelled `io.msmlab.lab=<lab>`.
pub fn labelled(lab: &str) -> Vec<String> {
    labelled_by(&format!("label=io.msmlab.lab={lab}"))
}

/// Names of every container, network and volume of any msmlab lab.
pub fn labelled_any() -> Vec<String> {
    labelled_by("label=io.msmlab.lab")
}

/// `docker inspect` of one object, as JSON.
pub fn inspect(name: &str) -> serde_json::Value {
    let out = Command::new("docker").args(["inspect", name]).output().expect("the docker CLI runs");
    assert!(out.status.success(), "docker inspect {name}: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v[0].clone()
}

/// Runs the docker CLI and says whether it succeeded.
pub fn docker(args: &[&str]) -> bool {
    Command::new("docker").args(args).output().expect("the docker CLI runs").status.success()
}

fn labelled_by(filter: &str) -> Vec<String> {
    let mut names = Vec::new();
    for what in [
        vec!["ps", "-a", "--format", "{{.Names}}"],
        vec!["network", "ls", "--format", "{{.Name}}"],
        vec!["volume", "ls", "--format", "{{.Name}}"],
    ] {
        let mut args = what.clone();
        args.extend(["--filter", filter]);
        let out = Command::new("docker").args(&args).output().expect("the docker CLI runs");
        assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        names.extend(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string));
    }
    names
}

/// A lab name owned by one test: whatever an earlier, crashed run left under that name is
/// removed first, and the lab is removed when the test ends, passed or not.
pub struct Lab(pub &'static str);

impl Lab {
    pub fn claim(name: &'static str) -> Lab {
        let _ = Command::new(env!("CARGO_BIN_EXE_msmlab")).args(["down", "--name", name]).output();
        Lab(name)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_msmlab")).args(["down", "--name", self.0]).output();
    }
}

/// A repository on loopback that answers every request with `head` followed by `body`, then
/// keeps the connection open for `hold` (a stalled download) before closing it.
pub fn serve_repo(head: &'static str, body: &'static [u8], hold: std::time::Duration) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf);
                let _ = conn.write_all(head.as_bytes());
                let _ = conn.write_all(body);
                let _ = conn.flush();
                std::thread::sleep(hold);
            });
        }
    });
    format!("http://{addr}/maven2")
}

/// Every file under `dir`, recursively (hidden ones included).
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
