//! msmlab.toml: a lab brought up, watched and removed from a config file, with the file's
//! values beaten by environment variables and flags; and the file's errors.

use crate::common::*;

#[test]
fn values_come_from_the_flag_then_the_environment_then_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("msmlab.toml"),
        "[doctor]\nport = 13470\nmaven-repo = \"http://127.0.0.1:13471/from-file\"\nregistry = \"127.0.0.1:13472\"\n",
    )
    .unwrap();
    // port: only the file sets it. maven-repo: the file and the environment. registry: all three.
    let out = msmlab_in(
        dir.path(),
        &["doctor", "--json", "-v", "--registry", "127.0.0.1:13474"],
        &[("MSMLAB_MAVEN_REPO", "http://127.0.0.1:13473/from-env"), ("MSMLAB_REGISTRY", "127.0.0.1:13475")],
    );
    let report = json(&out);
    let detail = |name: &str| finding(&report, name)["detail"].as_str().unwrap().to_string();
    assert!(detail("port").contains("127.0.0.1:13470"), "from the file: {}", detail("port"));
    assert!(detail("maven").contains("http://127.0.0.1:13473/from-env"), "the environment beats the file: {}", detail("maven"));
    assert!(detail("registry").contains("127.0.0.1:13474"), "the flag beats both: {}", detail("registry"));
    // -v says what the file set, and only what it set.
    assert!(stderr(&out).contains("config: msmlab.toml sets doctor.port = 13470\n"), "{}", stderr(&out));
}

#[test]
fn a_lab_comes_up_is_watched_and_goes_away_from_a_config_file() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-cfg");
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    // `msmlab init` writes the example; the user sets what they need above it.
    assert_eq!(msmlab_in(cwd, &["init"], &[]).status.code(), Some(0));
    let example = std::fs::read_to_string(cwd.join("msmlab.toml")).unwrap();
    assert!(example.contains("[up]\n") && example.contains("# tomcats = 2"), "{example}");
    // As a user would: uncomment the lab's name above the tables, and the [up] keys to change.
    let edited = example
        .replacen("# name = \"default\"", "name = \"e2e-cfg\"", 1)
        .replacen("# port = 13355", "port = 13462", 1)
        .replacen("# serializer = \"java\"", "serializer = \"kryo\"", 1);
    assert_ne!(edited, example);
    std::fs::write(cwd.join("msmlab.toml"), edited).unwrap();

    // up --json: the lab named and published as the file says.
    let up = msmlab_in(cwd, &["up", "--json"], &[]);
    assert_eq!(up.status.code(), Some(0));
    let up = json(&up);
    assert_eq!(up["lab"], "e2e-cfg");
    assert_eq!(up["url"], "http://127.0.0.1:13462/ShareSession/ShowSession");
    for step in ["fetch", "images", "create", "start_to_ready", "total"] {
        assert!(up["timings"][step].as_f64().is_some(), "timings.{step}: {up}");
    }
    assert_eq!(up["containers"].as_array().unwrap().len(), 4);

    // status --json, verify --json: the name comes from the file's top level.
    let status = json(&msmlab_in(cwd, &["status", "--json"], &[]));
    assert_eq!(status["lab"], "e2e-cfg");
    assert_eq!(status["exists"], true);
    let c = &status["containers"][0];
    for key in ["id", "name", "lab", "role", "index", "state", "address", "published"] {
        assert!(c.get(key).is_some(), "status containers[].{key}: {c}");
    }
    let verify = msmlab_in(cwd, &["verify", "--json", "--requests", "6"], &[]);
    assert_eq!(verify.status.code(), Some(0));
    let v = json(&verify);
    assert_eq!(v["ok"], true);
    for key in ["lab", "url", "requests", "backends", "session_ids", "checks"] {
        assert!(v.get(key).is_some(), "verify.{key}: {v}");
    }

    // logs: each line prefixed by its container, no colour codes when stdout is not a terminal.
    let logs = msmlab_in(cwd, &["logs", "tomcat", "--tail", "20"], &[]);
    assert_eq!(logs.status.code(), Some(0));
    let text = stdout(&logs);
    assert!(text.lines().any(|l| l.starts_with("msmlab-e2e-cfg-tomcat-1 | ") && l.contains("Server startup in")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("msmlab-e2e-cfg-tomcat-2 | ")), "{text}");
    assert!(!text.contains('\x1b'), "no colour off a terminal");
    let one = stdout(&msmlab_in(cwd, &["logs", "tomcat-2", "--since", "1h"], &[]));
    assert!(!one.is_empty() && one.lines().all(|l| l.starts_with("msmlab-e2e-cfg-tomcat-2 | ")), "{one}");
    let wrong = msmlab_in(cwd, &["logs", "tomcat-9"], &[]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(stderr(&wrong).contains("it has: memcached-1, tomcat-1, tomcat-2, nginx-1"), "{}", stderr(&wrong));

    // logs -f: follows until Ctrl-C, which ends it cleanly.
    {
        use std::io::{BufRead, BufReader};
        let mut follow = std::process::Command::new(env!("CARGO_BIN_EXE_msmlab"))
            .args(["logs", "tomcat-1", "-f", "--tail", "1"])
            .current_dir(cwd)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(follow.stdout.as_mut().unwrap()).read_line(&mut first).unwrap();
        assert!(first.starts_with("msmlab-e2e-cfg-tomcat-1 | "), "{first}");
        assert!(std::process::Command::new("kill").args(["-INT", &follow.id().to_string()]).status().unwrap().success());
        assert_eq!(follow.wait().unwrap().code(), Some(0), "Ctrl-C ends logs -f with success");
    }

    // logs --export: every log, the configs as the containers hold them, status; the path on stdout.
    let export_dir = cwd.join("bug-report");
    let export = msmlab_in(cwd, &["logs", "--export", export_dir.to_str().unwrap()], &[]);
    assert_eq!(export.status.code(), Some(0));
    assert_eq!(stdout(&export).trim(), export_dir.to_str().unwrap());
    for f in [
        "status.json",
        "README.txt",
        "logs/msmlab-e2e-cfg-memcached-1.log",
        "logs/msmlab-e2e-cfg-tomcat-1.log",
        "logs/msmlab-e2e-cfg-nginx-1.log",
        "configs/msmlab-e2e-cfg-nginx-1/nginx.conf",
    ] {
        assert!(export_dir.join(f).is_file(), "{f} is missing from the export");
    }
    let context = std::fs::read_to_string(export_dir.join("configs/msmlab-e2e-cfg-tomcat-2/context.xml")).unwrap();
    assert!(context.contains(r#"memcachedNodes="n1:msmlab-e2e-cfg-memcached-1:11211""#), "{context}");
    assert!(context.contains("de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory"), "kryo, as the file says: {context}");
    let tomcat_log = std::fs::read_to_string(export_dir.join("logs/msmlab-e2e-cfg-tomcat-1.log")).unwrap();
    assert!(tomcat_log.contains("Server startup in"), "{tomcat_log}");

    // down --json: what carried the label, and nothing is left.
    let down = msmlab_in(cwd, &["down", "--json"], &[]);
    assert_eq!(down.status.code(), Some(0));
    let d = json(&down);
    assert_eq!(d["lab"], "e2e-cfg");
    assert_eq!(d["removed"]["containers"].as_array().unwrap().len(), 4);
    assert_eq!(d["removed"]["networks"].as_array().unwrap().len(), 1);
    assert_eq!(labelled("e2e-cfg"), Vec::<String>::new());
}

#[test]
fn mistakes_in_the_file_are_refused_naming_the_file_and_the_key() {
    let _never = Lab::claim("e2e-cfg-never");
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str)] = &[
        ("[up]\ntomcatz = 3\n", "msmlab.toml: unknown key \"tomcatz\" in [up]; accepted keys: name, tomcat, serializer"),
        ("[upp]\n", "msmlab.toml: unknown table [upp]; tables are the verbs: up, verify, smoke, status, down"),
        ("[up]\nserializer = \"gzip\"\n", "msmlab.toml: up.serializer = \"gzip\": invalid value 'gzip'"),
        ("[up]\nport = \"high\"\n", "msmlab.toml: up.port = \"high\""),
        ("[up]\n json = 1\n", "msmlab.toml: up.json must be true or false"),
        ("[up\n", "msmlab.toml:1:4: not valid TOML"),
    ];
    for (file, expected) in cases {
        std::fs::write(dir.path().join("msmlab.toml"), file).unwrap();
        let out = msmlab_in(dir.path(), &["up", "--name", "e2e-cfg-never"], &[]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert!(stderr(&out).contains(expected), "{file}: {}", stderr(&out));
    }
    // A value the file set that the lab refuses: the error names the flag, a note names the file.
    // (--tomcats 1 is refused already when the value is read, naming the file, the key and the
    // accepted range; --store-nodes 9 gets as far as the lab's validation.)
    std::fs::write(dir.path().join("msmlab.toml"), "[up]\ntomcats = 1\n").unwrap();
    let out = msmlab_in(dir.path(), &["up", "--name", "e2e-cfg-never"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("msmlab.toml: up.tomcats = 1: invalid value '1' for '--tomcats <N>'"), "{}", stderr(&out));
    assert!(stderr(&out).contains("(accepted: 2 to 16)"), "{}", stderr(&out));
    std::fs::write(dir.path().join("msmlab.toml"), "[up]\nstore-nodes = 9\n").unwrap();
    let out = msmlab_in(dir.path(), &["up", "--name", "e2e-cfg-never"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("note: msmlab.toml set up.store-nodes = 9"), "{}", stderr(&out));
    // --config FILE that does not exist.
    let out = msmlab_in(dir.path(), &["status", "--config", "missing.toml"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read config file missing.toml"), "{}", stderr(&out));
    // init refuses to overwrite without --force.
    let out = msmlab_in(dir.path(), &["init"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("msmlab.toml exists already; add --force"), "{}", stderr(&out));
    assert_eq!(msmlab_in(dir.path(), &["init", "--force"], &[]).status.code(), Some(0));
    // --config names the config file for every verb: init writes it there.
    assert_eq!(msmlab_in(dir.path(), &["init", "--config", "team.toml"], &[]).status.code(), Some(0));
    assert!(std::fs::read_to_string(dir.path().join("team.toml")).unwrap().contains("[up]"));
    assert_eq!(labelled("e2e-cfg-never"), Vec::<String>::new());
}
