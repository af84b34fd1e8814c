//! What the end-to-end tests share: running the real `msmlab` binary against the real
//! engine, and asking the engine (through the docker CLI, independently of msmlab) what
//! carries a lab's label. There is no fake here, and no skipping: without an engine, `up`
//! fails and so does the test.
#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs `msmlab ARGS…` and returns what it printed.
pub fn msmlab(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_msmlab"))
        .args(args)
        .env("NO_COLOR", "1")
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

/// Runs `msmlab ARGS…` in `dir` (where it looks for msmlab.toml) with extra environment.
pub fn msmlab_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_msmlab"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1").env_remove("MSMLAB_CONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the msmlab binary runs");
    eprintln!(
        "$ (cd {}; msmlab {})\n  exit {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
        dir.display(),
        args.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The finding of `msmlab doctor --json` named `name`.
pub fn finding<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["findings"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap_or_else(|| panic!("no finding {name}: {report}"))
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
    let filter = format!("label=io.msmlab.lab={lab}");
    let mut names = Vec::new();
    for what in [
        vec!["ps", "-a", "--format", "{{.Names}}"],
        vec!["network", "ls", "--format", "{{.Name}}"],
        vec!["volume", "ls", "--format", "{{.Name}}"],
    ] {
        let mut args = what.clone();
        args.extend(["--filter", &filter]);
        let out = Command::new("docker").args(&args).output().expect("the docker CLI runs");
        assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        names.extend(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string));
    }
    names
}

/// A lab name owned by one test: whatever an earlier, crashed run left under that name is
/// removed first, and the lab is removed when the test ends, passed or not.
pub struct Lab(&'static str);

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
