//! `msmlab doctor`: each finding with a mark and, when something is wrong, the fix.

use crate::common::*;

#[test]
fn doctor_reports_every_finding_with_its_status_and_fix() {
    let _holder = std::net::TcpListener::bind("127.0.0.1:13476").unwrap();
    let out = msmlab(&["doctor", "--json", "--port", "13476", "--registry", "127.0.0.1:13477"]);
    // The port is taken: a failure, so exit code 1.
    assert_eq!(out.status.code(), Some(1));
    let r = json(&out);
    assert_eq!(r["ok"], false);
    let names: Vec<&str> = r["findings"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["engine", "base image", "lab images", "port", "cache", "maven", "registry"]);
    for f in r["findings"].as_array().unwrap() {
        assert!(["ok", "info", "warn", "fail"].contains(&f["status"].as_str().unwrap()), "{f}");
        assert!(f["detail"].is_string() && f.get("fix").is_some(), "{f}");
    }
    assert_eq!(finding(&r, "engine")["status"], "ok");
    assert!(finding(&r, "engine")["detail"].as_str().unwrap().contains("API 1."), "{r}");
    assert_eq!(finding(&r, "base image")["status"], "ok");
    let port = finding(&r, "port");
    assert_eq!(port["status"], "fail");
    assert_eq!(port["fix"], "msmlab up --port 13477");
    // Nothing listens on 127.0.0.1:13477: a warning that says what it means, not a failure.
    let registry = finding(&r, "registry");
    assert_eq!(registry["status"], "warn");
    assert!(registry["detail"].as_str().unwrap().contains("msmlab builds its own images on the base image"), "{registry}");

    // The human form: marks, and the fix under the line at fault.
    let text = stdout(&msmlab(&["doctor", "--port", "13476", "--registry", "127.0.0.1:13477"]));
    assert!(text.contains("✓ engine"), "{text}");
    assert!(text.contains("✗ port") && text.contains("fix: msmlab up --port 13477"), "{text}");
    assert!(text.contains("! registry"), "{text}");
}

#[test]
fn doctor_says_how_to_reach_an_engine_when_none_answers() {
    let dir = tempfile::tempdir().unwrap();
    let out = msmlab_in(dir.path(), &["doctor", "--json"], &[("DOCKER_HOST", "unix:///nonexistent/docker.sock")]);
    assert_eq!(out.status.code(), Some(1));
    let r = json(&out);
    let engine = finding(&r, "engine");
    assert_eq!(engine["status"], "fail");
    assert!(engine["detail"].as_str().unwrap().contains("cannot reach the Docker engine at unix:///nonexistent/docker.sock"), "{engine}");
    assert!(engine["fix"].as_str().unwrap().contains("scripts/setup.sh"), "{engine}");
    assert_eq!(finding(&r, "base image")["detail"], "not checked: no engine");
}
