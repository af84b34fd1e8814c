//! A failed `up` removes what it created and says which step failed and why.

mod common;
use common::*;

#[test]
fn a_tomcat_that_cannot_start_is_reported_with_its_logs_and_everything_is_removed() {
    let _cleanup = Lab::claim("e2e-broken");
    // A JVM option the JVM refuses: both Tomcats exit at once.
    let up = msmlab(&["up", "--name", "e2e-broken", "--port", "13406", "--java-opts", "-XX:+NoSuchOption"]);
    assert_eq!(up.status.code(), Some(1));
    let err = stderr(&up);
    assert!(err.contains("starting msmlab-e2e-broken-tomcat-"), "{err}");
    assert!(err.contains("stopped (exit code 1) before it was ready"), "{err}");
    assert!(err.contains("Unrecognized VM option 'NoSuchOption'"), "the container's own log is quoted: {err}");
    assert!(err.contains("removed what this up had created: 4 containers, 1 network"), "{err}");
    assert_eq!(labelled("e2e-broken"), Vec::<String>::new());
}

#[test]
fn a_taken_port_is_refused_before_anything_is_created() {
    let _cleanup = Lab::claim("e2e-port");
    let _holder = std::net::TcpListener::bind("127.0.0.1:13407").unwrap();
    let up = msmlab(&["up", "--name", "e2e-port", "--port", "13407"]);
    assert_eq!(up.status.code(), Some(2));
    assert!(stderr(&up).contains("port 13407 on 127.0.0.1 is taken"), "{}", stderr(&up));
    assert_eq!(labelled("e2e-port"), Vec::<String>::new());
}

#[test]
fn bad_input_is_refused_with_exit_code_2_and_the_accepted_values() {
    let cases: &[(&[&str], &str)] = &[
        (&["up", "--tomcats", "1"], "at least 2 Tomcats"),
        (&["up", "--name", "Not_Valid"], "invalid lab name"),
        (&["up", "--tomcat", "10"], "jakarta"),
        (&["up", "--tomcat", "6"], "no Apache Tomcat 6 distribution"),
        (&["up", "--serializer", "gzip"], "possible values: java"),
        (&["up", "--maven-repo", "repo.example"], "invalid Maven repository URL"),
        (&["verify", "--requests", "1"], "2..=10000"),
        (&["up", "--context-path", "/my"], "--webapp <PATH>"),
        (&["up", "--webapp", "my.war", "--context-path", "/a b"], "invalid context path"),
        (&["verify", "--path", "my/"], "invalid --path"),
        (&["verify", "--drill", "disk"], "possible values: tomcat, store, restart, all"),
    ];
    // Under a name and port of its own, so a case that wrongly succeeds touches no other lab.
    let _cleanup = Lab::claim("e2e-cfg-bad-input");
    for (args, expected) in cases {
        let mut args = args.to_vec();
        if args[0] == "up" && !args.contains(&"--name") {
            args.extend(["--name", "e2e-cfg-bad-input", "--port", "13466"]);
        }
        let out = msmlab(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(expected), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn ctrl_c_during_up_removes_what_it_created() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let _cleanup = Lab::claim("e2e-interrupt");
    let mut up = Command::new(env!("CARGO_BIN_EXE_msmlab"))
        .args(["up", "--name", "e2e-interrupt", "--port", "13408"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the containers exist, while the Tomcats are still starting.
    let mut seen = Vec::new();
    for line in BufReader::new(up.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.starts_with("✓ Create network msmlab-e2e-interrupt") {
            let kill = Command::new("kill").args(["-INT", &up.id().to_string()]).status().unwrap();
            assert!(kill.success());
        }
    }
    let status = up.wait().unwrap();
    let stderr = seen.join("\n");
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted by Ctrl-C (msmlab removed what this up had created: 4 containers, 1 network)"), "{stderr}");
    assert_eq!(labelled("e2e-interrupt"), Vec::<String>::new());
}
