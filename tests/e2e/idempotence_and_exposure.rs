//! `up` twice is safe: a healthy lab is left alone, one with other settings is refused, a
//! broken one is cleared and rebuilt, `--recreate` rebuilds. Names and ports held by others
//! are refused before anything is created. And what a lab exposes: only nginx, on loopback
//! unless `--listen` says otherwise, from unprivileged containers without host mounts.

use crate::common::*;

fn ids(lab: &str) -> Vec<String> {
    let out = std::process::Command::new("docker")
        .args(["ps", "-aq", "--no-trunc", "--filter", &format!("label=io.msmlab.lab={lab}")])
        .output()
        .unwrap();
    let mut ids: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
    ids.sort();
    ids
}

/// Every container of the lab runs unprivileged, without capabilities or host mounts, and
/// only nginx publishes, on `listen`.
fn assert_exposure(lab: &str, listen: &str, port: u16) {
    for role in ["memcached-1", "tomcat-1", "tomcat-2", "nginx-1"] {
        let name = format!("msmlab-{lab}-{role}");
        let c = inspect(&name);
        let hc = &c["HostConfig"];
        assert_eq!(hc["Privileged"], false, "{name}");
        assert_eq!(hc["CapDrop"], serde_json::json!(["ALL"]), "{name}");
        assert!(hc["CapAdd"].is_null(), "{name}");
        assert!(hc["Binds"].is_null(), "{name}: no host mounts");
        assert_eq!(c["Mounts"], serde_json::json!([]), "{name}: no mounts at all");
        // On the lab's network only (joined by its id, so a racing run's namesake is no matter).
        let networks = c["NetworkSettings"]["Networks"].as_object().unwrap();
        assert_eq!(networks.keys().collect::<Vec<_>>(), [&format!("msmlab-{lab}")], "{name}");
        let user = c["Config"]["User"].as_str().unwrap();
        assert!(!user.is_empty() && user != "root" && user != "0", "{name} runs as {user:?}");
        let bindings = hc["PortBindings"].as_object().cloned().unwrap_or_default();
        if role == "nginx-1" {
            let b = &bindings["13355/tcp"][0];
            assert_eq!((b["HostIp"].as_str(), b["HostPort"].as_str()), (Some(listen), Some(port.to_string().as_str())), "{name}");
            assert_eq!(bindings.len(), 1, "{name}");
        } else {
            assert!(bindings.is_empty(), "{name} publishes nothing: {bindings:?}");
        }
    }
}

#[test]
fn up_twice_leaves_a_healthy_lab_alone_and_rebuilds_a_broken_one() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-idem");
    let _other = Lab::claim("e2e-idem-two");
    let up = msmlab(&["up", "--name", "e2e-idem", "--port", "13444"]);
    assert_eq!(up.status.code(), Some(0));
    assert!(!stderr(&up).contains("! "), "no warning on loopback: {}", stderr(&up));
    assert_exposure("e2e-idem", "127.0.0.1", 13444);
    let first = ids("e2e-idem");
    assert_eq!(first.len(), 4);

    // Up again with the same settings: nothing to do, nothing touched.
    let again = msmlab(&["up", "--name", "e2e-idem", "--port", "13444"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(stdout(&again).contains("Lab \"e2e-idem\" is already up and healthy with these settings; nothing to do"), "{}", stdout(&again));
    assert_eq!(ids("e2e-idem"), first);

    // Other settings: refused, naming what differs, nothing touched.
    let other = msmlab(&["up", "--name", "e2e-idem", "--port", "13444", "--tomcats", "3"]);
    assert_eq!(other.status.code(), Some(2));
    assert!(stderr(&other).contains("lab \"e2e-idem\" is up with other settings (tomcats: 2 → 3)"), "{}", stderr(&other));
    assert!(stderr(&other).contains("--recreate"));
    assert_eq!(ids("e2e-idem"), first);

    // Another lab on the same port: refused before anything is created.
    let clash = msmlab(&["up", "--name", "e2e-idem-two", "--port", "13444"]);
    assert_eq!(clash.status.code(), Some(2));
    assert!(stderr(&clash).contains("port 13444 on 127.0.0.1 is taken by lab \"e2e-idem\""), "{}", stderr(&clash));
    assert_eq!(labelled("e2e-idem-two"), Vec::<String>::new());

    // A Tomcat dies: the next up clears the broken lab and builds it again.
    assert!(docker_ok(&["kill", "msmlab-e2e-idem-tomcat-1"]));
    let repair = msmlab(&["up", "--name", "e2e-idem", "--port", "13444"]);
    assert_eq!(repair.status.code(), Some(0));
    assert!(
        stderr(&repair).contains("Remove the existing lab e2e-idem (it was broken or half made: msmlab-e2e-idem-tomcat-1 is exited)"),
        "{}",
        stderr(&repair)
    );
    let repaired = ids("e2e-idem");
    assert_eq!(repaired.len(), 4);
    assert!(repaired.iter().all(|id| !first.contains(id)), "every container is new");
    assert_eq!(msmlab(&["verify", "--name", "e2e-idem"]).status.code(), Some(0));

    // --recreate rebuilds a healthy lab; --listen beyond loopback warns and publishes there.
    let recreate = msmlab(&["up", "--name", "e2e-idem", "--port", "13444", "--recreate", "--listen", "0.0.0.0"]);
    assert_eq!(recreate.status.code(), Some(0));
    let err = stderr(&recreate);
    assert!(err.contains("Remove the existing lab e2e-idem (--recreate)"), "{err}");
    assert!(err.contains("! lab \"e2e-idem\" publishes nginx on 0.0.0.0:13444 (--listen)"), "{err}");
    assert!(ids("e2e-idem").iter().all(|id| !repaired.contains(id)));
    assert_exposure("e2e-idem", "0.0.0.0", 13444);
    assert_eq!(msmlab(&["verify", "--name", "e2e-idem"]).status.code(), Some(0));

    assert_eq!(msmlab(&["down", "--name", "e2e-idem"]).status.code(), Some(0));
    assert_eq!(labelled("e2e-idem"), Vec::<String>::new());
}

#[test]
fn a_name_held_by_something_msmlab_did_not_make_is_refused_before_anything_is_created() {
    let _cleanup = Lab::claim("e2e-idem-taken");
    let network = "msmlab-e2e-idem-taken";
    let _ = docker_ok(&["network", "rm", network]);
    assert!(docker_ok(&["network", "create", network]), "the test's own network");
    let up = msmlab(&["up", "--name", "e2e-idem-taken", "--port", "13445"]);
    let removed = docker_ok(&["network", "rm", network]);
    assert_eq!(up.status.code(), Some(2));
    assert!(
        stderr(&up).contains("the network name msmlab-e2e-idem-taken that lab \"e2e-idem-taken\" needs is taken by a network msmlab did not make"),
        "{}",
        stderr(&up)
    );
    assert_eq!(labelled("e2e-idem-taken"), Vec::<String>::new());
    assert!(removed, "the foreign network was left alone by msmlab");
}
