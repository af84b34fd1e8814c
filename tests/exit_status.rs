//! One exit-status rule for every verb, so a CI job can tell a "no" from a broken tool:
//! 0 yes, 1 no, 2 bad input, 3 msmlab or its environment failed, 130 interrupted.
//! `--help`, the README and docs/troubleshooting.md give the same table.
//! (The labs' own stories test the rest in place: `verify` on the control lab exits 1
//! (control_lab_fails), a Tomcat that cannot start exits 3 (failed_up_leaves_nothing), an
//! interrupted `up` exits 130 (failed_up_leaves_nothing, drills).)

// The end-to-end tests' helpers, of which these engine-free tests use a part: they stay a
// fast binary of their own, apart from the end-to-end binary (tests/e2e/), and run without an engine.
#[allow(dead_code)]
mod common;
use common::*;

#[test]
fn yes_is_0() {
    // Listing the jars a Tomcat 9 + kryo lab uses needs no engine and no download.
    let out = msmlab(&["jars", "--tomcat", "9", "--serializer", "kryo"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("msm-kryo-serializer"), "{}", stdout(&out));
}

#[test]
fn a_bad_flag_or_value_is_2_and_names_it() {
    for (args, says) in [
        (&["up", "--no-such-flag"][..], "--no-such-flag"),
        (&["up", "--tomcats", "1"], "--tomcats"),
        (&["verify", "--path", "no-slash"], "--path"),
    ] {
        let out = msmlab(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn no_engine_is_3_not_a_no() {
    let dir = tempfile::tempdir().unwrap();
    let host = format!("unix://{}/docker.sock", dir.path().display());
    // verify cannot answer "is the session shared?" without an engine: that is not a "no".
    let out = msmlab_with(&["verify", "--name", "e2e-exit-none"], &[("DOCKER_HOST", &host)]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("cannot reach the Docker engine"), "{}", stderr(&out));
    // doctor's question is "is this machine ready?": without an engine, the answer is no.
    let doctor = msmlab_with(&["doctor", "--port", "13477"], &[("DOCKER_HOST", &host)]);
    assert_eq!(doctor.status.code(), Some(1), "{}", stdout(&doctor));
}

#[test]
fn help_readme_and_troubleshooting_give_the_same_table() {
    let help = stdout(&msmlab(&["--help"]));
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let troubleshooting = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/troubleshooting.md")).unwrap();
    for (code, meaning) in [(0, "the answer is yes"), (1, "the answer is no"), (2, "bad input or usage"), (3, "could not do the job"), (130, "interrupted")] {
        assert!(help.lines().any(|l| l.trim_start().starts_with(&code.to_string()) && l.contains(meaning)), "--help lacks {code}: {help}");
        for (doc, text) in [("README.md", &readme), ("docs/troubleshooting.md", &troubleshooting)] {
            assert!(text.lines().any(|l| l.starts_with(&format!("| {code} |")) && l.contains(meaning)), "{doc} lacks the row for {code}");
        }
    }
}
