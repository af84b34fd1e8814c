//! msm's `<Manager>` attributes as flags: each one reaches the Tomcats' `context.xml`, and
//! changes what a lab does the way msm says it will.

use crate::common::*;

#[test]
fn the_binary_memcached_protocol_shares_the_session_too() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-opt-binary");
    let up = msmlab(&["up", "--name", "e2e-opt-binary", "--port", "13498", "--memcached-protocol", "binary", "--operation-timeout", "2000"]);
    assert_eq!(up.status.code(), Some(0));
    let verify = msmlab(&["verify", "--name", "e2e-opt-binary", "--requests", "6"]);
    assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));
    let logs = msmlab(&["logs", "--name", "e2e-opt-binary", "tomcat"]);
    // msm's start-up block names the protocol it uses.
    assert!(stdout(&logs).contains("binary"), "msm did not say it speaks binary");
}

#[test]
fn an_attribute_outside_the_session_attribute_filter_is_not_stored_and_verify_names_it() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-opt-filter");
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    // Only `plain` is stored: the cart stays in the Tomcat that made it.
    let up = msmlab(&["up", "--name", "e2e-opt-filter", "--port", "13499", "--serializer", "kryo", "--session-attribute-filter", "^plain$", "--webapp", war.to_str().unwrap()]);
    assert_eq!(up.status.code(), Some(0));
    // msmlab says it before msm does (msm logs it as a warning at start, which msm-errors may quote).
    assert!(stderr(&up).contains("attributes outside --session-attribute-filter are lost after every request"), "{}", stderr(&up));
    let out = msmlab(&["verify", "--name", "e2e-opt-filter", "--path", "/state/cart.jsp?item=book", "--requests", "4", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert!(failed_checks(&v).contains(&"state".to_string()), "{v}");
    assert!(check_detail(&v, "state").starts_with("`cart` (state.Cart, not Serializable) was lost"), "{}", check_detail(&v, "state"));
    // An attribute the filter lets through is carried.
    let out = msmlab(&["verify", "--name", "e2e-opt-filter", "--path", "/state/plain.jsp", "--requests", "4"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn options_msm_would_refuse_or_ignore_are_refused_first() {
    for (args, says) in [
        (&["--backup-thread-count", "4"][..], "--backup-thread-count 4: it applies to asynchronous backups only"),
        (&["--store", "redis", "--memcached-protocol", "binary"], "Redis speaks its own protocol"),
        (&["--storage-key-prefix", "bogus"], "give comma-separated tokens: static:NAME"),
        (&["--serializer", "xstream", "--copy-collections-for-serialization"], "msm's xstream transcoder refuses it"),
        (&["--session-backup-timeout", "0"], "give milliseconds from 1 to 600000"),
        (&["--store-nodes", "2", "--failover-nodes", "n1"], "msm uses failover nodes in sticky mode only"),
        (&["--sticky", "--store-nodes", "2", "--failover-nodes", "n3"], "n3 is not a node of this lab; its nodes are n1, n2"),
        (&["--msm-option", "sticky=true"], "sticky has a flag of its own: use --sticky"),
    ] {
        let mut all = vec!["up", "--name", "e2e-opt-bad"];
        all.extend(args);
        let out = msmlab(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(labelled("e2e-opt-bad"), Vec::<String>::new());
}

/// msm's stats counters of one memcached container, by name (`cmd_get`, `cmd_set`, …).
fn memcached_stats(container: &str) -> std::collections::HashMap<String, u64> {
    let out = docker(&["exec", container, "bash", "-c", r#"exec 3<>/dev/tcp/127.0.0.1/11211; printf 'stats\r\nquit\r\n' >&3; cat <&3"#]);
    out.lines().filter_map(|l| {
        let mut f = l.trim().split(' ');
        (f.next() == Some("STAT")).then_some(())?;
        Some((f.next()?.to_string(), f.next()?.parse().ok()?))
    }).collect()
}

#[test]
fn failover_nodes_are_written_only_when_the_other_nodes_are_gone() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-opt-failover");
    // The classic sticky setup: two memcached nodes, n1 kept for failover, so sessions go to n2.
    let up = msmlab(&["up", "--name", "e2e-opt-failover", "--port", "13500", "--sticky", "--store-nodes", "2", "--failover-nodes", "n1"]);
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));
    let out = msmlab(&["verify", "--name", "e2e-opt-failover", "--requests", "4", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let v = json(&out);
    let store = check_detail(&v, "store");
    assert!(store.contains("-n2.tomcat") && store.contains("memcached (msmlab-e2e-opt-failover-memcached-2)"), "{store}");
    // Nothing was written to the failover node.
    assert_eq!(memcached_stats("msmlab-e2e-opt-failover-memcached-1")["cmd_set"], 0);
    assert!(memcached_stats("msmlab-e2e-opt-failover-memcached-2")["cmd_set"] > 0);
}

#[test]
fn a_request_the_ignore_pattern_matches_writes_nothing_to_the_store() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-opt-ignore");
    let up = msmlab(&["up", "--name", "e2e-opt-ignore", "--port", "13501", "--request-uri-ignore-pattern", r".*\.txt$"]);
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));
    let memcached = "msmlab-e2e-opt-ignore-memcached-1";
    let client = reqwest::blocking::Client::builder().cookie_store(true).no_proxy().build().unwrap();
    let get = |path: &str| client.get(format!("http://127.0.0.1:13501/ShareSession/{path}")).send().unwrap().status().as_u16();
    assert_eq!(get("ShowSession"), 200);
    assert_eq!(get("ShowSession"), 200);
    let sets = || {
        // msm writes after the response: give it a moment to land.
        std::thread::sleep(std::time::Duration::from_millis(500));
        memcached_stats(memcached)["cmd_set"]
    };
    let before = sets();
    // Requests of the session that the pattern matches (a file of any kind, here missing).
    for _ in 0..4 {
        get("notes.txt");
    }
    assert_eq!(sets(), before, "an ignored request wrote the session");
    // The same request of another kind is not ignored: msm stores the session after it.
    get("notes.css");
    assert!(sets() > before, "a request outside the pattern did not write the session");
}

#[test]
fn two_webapps_keep_their_sessions_apart_with_a_context_key_prefix() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-opt-prefix");
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    let up = msmlab(&["up", "--name", "e2e-opt-prefix", "--port", "13502", "--storage-key-prefix", "static:shop,context", "--webapp", war.to_str().unwrap()]);
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));
    // verify reads each session under the key msm gave it: the webapp's context is part of it.
    for (path, prefix) in [(None, "under key shop:/ShareSession_"), (Some("/state/plain.jsp"), "under key shop:/state_")] {
        let mut args = vec!["verify", "--name", "e2e-opt-prefix", "--requests", "4", "--json"];
        args.extend(path.map(|p| ["--path", p]).into_iter().flatten());
        let out = msmlab(&args);
        assert_eq!(out.status.code(), Some(0), "{path:?}: {}", stdout(&out));
        let store = check_detail(&json(&out), "store");
        assert!(store.contains(prefix), "{path:?}: {store}");
    }
}

#[test]
fn msm_options_without_a_flag_are_checked_against_msms_own_jar() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-opt-custom");
    // An attribute msm's Manager class has no setter for: refused with the ones it has.
    let out = msmlab(&["up", "--name", "e2e-opt-custom", "--port", "13503", "--msm-option", "lockExpiry=7"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(r#"msm's Manager has no attribute "lockExpiry" (read from memcached-session-manager-tc9-2.3.2.jar); it has: "#), "{}", stderr(&out));
    assert!(stderr(&out).contains("lockExpiration"), "{}", stderr(&out));
    assert_eq!(labelled("e2e-opt-custom"), Vec::<String>::new());
    // One it has, with a value of its type, reaches every Tomcat's context.xml.
    let up = msmlab(&["up", "--name", "e2e-opt-custom", "--port", "13503", "--msm-option", "lockExpiration=7", "--locking-mode", "all"]);
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));
    let xml = docker(&["exec", "msmlab-e2e-opt-custom-tomcat-2", "cat", "conf/context.xml"]);
    assert!(xml.contains(r#"lockExpiration="7""#), "{xml}");
    // msm's start-up block says it took it.
    let logs = stdout(&msmlab(&["logs", "--name", "e2e-opt-custom", "tomcat"]));
    assert!(logs.contains("- locking mode: all (expiration: 7s)"), "{logs}");
}

const TEAM_CONTEXT_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Context>
    <Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager"
             memcachedNodes="m1:cache-a.prod.example:11211,m2:cache-b.prod.example:11211"
             sticky="false"
             lockingMode="auto"
             sessionBackupAsync="false"
             operationTimeout="2500"
             lockExpiration="7"
             transcoderFactoryClass="de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory"/>
</Context>
"#;

/// The `<Manager>` attributes of a context.xml, by name.
fn manager_attributes(xml: &str) -> std::collections::BTreeMap<String, String> {
    let start = xml.find("<Manager").unwrap();
    let element = &xml[start..start + xml[start..].find("/>").unwrap()];
    element.split('"').collect::<Vec<_>>().chunks(2).filter_map(|kv| {
        let key = kv[0].trim().trim_start_matches("<Manager").trim().trim_end_matches('=');
        Some((key.to_string(), kv.get(1)?.to_string()))
    }).collect()
}

#[test]
fn a_teams_own_context_xml_comes_up_with_its_options_and_the_labs_nodes() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-opt-team");
    let dir = tempfile::tempdir().unwrap();
    let team = dir.path().join("context.xml");
    std::fs::write(&team, TEAM_CONTEXT_XML).unwrap();
    let team = team.to_str().unwrap();

    // The file decides the serializer, the locking and the number of memcached nodes.
    let up = msmlab(&["up", "--name", "e2e-opt-team", "--port", "13504", "--context-xml", team]);
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));
    let verify = msmlab(&["verify", "--name", "e2e-opt-team", "--requests", "6"]);
    assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));

    let export = dir.path().join("export");
    assert_eq!(msmlab(&["logs", "--name", "e2e-opt-team", "--export", export.to_str().unwrap()]).status.code(), Some(0));
    let lab_xml = files_under(&export).into_iter().find(|p| p.ends_with("context.xml")).expect("an exported context.xml");
    let lab = manager_attributes(&std::fs::read_to_string(&lab_xml).unwrap());
    let file = manager_attributes(TEAM_CONTEXT_XML);
    for (key, value) in &file {
        if key != "memcachedNodes" {
            assert_eq!(lab.get(key), Some(value), "{key} in {}", lab_xml.display());
        }
    }
    assert_eq!(lab["memcachedNodes"], "n1:msmlab-e2e-opt-team-memcached-1:11211,n2:msmlab-e2e-opt-team-memcached-2:11211");

    // render writes the same options for real servers, with their nodes.
    let out = dir.path().join("bundle");
    let render = msmlab(&["render", "--context-xml", team, "--out", out.to_str().unwrap(), "--tomcat-hosts", "10.0.0.1:8080,10.0.0.2:8080",
        "--store-nodes-at", "n1:10.0.0.9:11211", "--no-engine-check"]);
    assert_eq!(render.status.code(), Some(0), "{}", stderr(&render));
    let rendered = manager_attributes(&std::fs::read_to_string(out.join("tomcat/conf/context.xml")).unwrap());
    let without_nodes = |m: &std::collections::BTreeMap<String, String>| m.iter().filter(|(k, _)| *k != "memcachedNodes").map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>();
    assert_eq!(without_nodes(&rendered), without_nodes(&lab));

    // A flag that says otherwise than the file is a conflict, not a silent choice.
    let out = msmlab(&["up", "--name", "e2e-opt-team", "--port", "13504", "--context-xml", team, "--locking-mode", "all"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("conflicts with lockingMode in the file"), "{}", stderr(&out));
}
