//! Verify can fail, and says which check: labs broken on purpose, each the way a real setup
//! goes wrong. The breakage is made from outside, with the docker CLI, as an operator's
//! mistake would be; msmlab has no test-only switch.

use crate::common::*;

#[test]
fn a_tomcat_whose_context_xml_has_no_msm_manager_fails_same_session_and_is_named() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-bad-manager");
    let up = msmlab(&["up", "--name", "e2e-bad-manager", "--port", "13425"]);
    assert_eq!(up.status.code(), Some(0));

    // Tomcat 2 loses its <Manager> (Tomcat's own manager takes over) and is restarted.
    let tc2 = "msmlab-e2e-bad-manager-tomcat-2";
    docker(&["exec", tc2, "sed", "-i", "/<Manager/,/\\/>/d", "conf/context.xml"]);
    assert!(!docker(&["exec", tc2, "cat", "conf/context.xml"]).contains("<Manager"));
    docker(&["restart", tc2]);
    wait_until_tomcat_serves(tc2);
    docker(&["exec", "msmlab-e2e-bad-manager-nginx-1", "nginx", "-s", "reload"]);

    let verify = msmlab(&["verify", "--name", "e2e-bad-manager", "--json"]);
    assert_eq!(verify.status.code(), Some(1));
    let v = json(&verify);
    let failed = failed_checks(&v);
    assert!(failed.contains(&"same-session".to_string()) && failed.contains(&"counter".to_string()), "{failed:?}");
    assert!(!failed.contains(&"backends".to_string()), "both Tomcats answered: {failed:?}");
    let same = check_detail(&v, "same-session");
    assert!(same.contains(&format!("{tc2} handed out session ids without msm's node id")), "{same}");
}

#[test]
fn a_stopped_store_fails_the_store_check() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-bad-store");
    let up = msmlab(&["up", "--name", "e2e-bad-store", "--port", "13426"]);
    assert_eq!(up.status.code(), Some(0));
    docker(&["stop", "msmlab-e2e-bad-store-memcached-1"]);

    let verify = msmlab(&["verify", "--name", "e2e-bad-store", "--json"]);
    assert_eq!(verify.status.code(), Some(1), "a stopped store is a failed check, not an error");
    let v = json(&verify);
    let failed = failed_checks(&v);
    assert!(failed.contains(&"store".to_string()), "{failed:?}");
    let store = check_detail(&v, "store");
    assert!(store.contains("msmlab-e2e-bad-store-memcached-1) is exited"), "{store}");
    // Without a store, no Tomcat can load a session another one made.
    assert!(failed.contains(&"same-session".to_string()), "{failed:?}");
}

#[test]
fn nginx_sending_everything_to_one_tomcat_fails_the_backends_check() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-bad-nginx");
    let up = msmlab(&["up", "--name", "e2e-bad-nginx", "--port", "13427"]);
    assert_eq!(up.status.code(), Some(0));
    let nginx = "msmlab-e2e-bad-nginx-nginx-1";
    // Tomcat 2 becomes a backup server: nginx sends it nothing while Tomcat 1 is alive.
    docker(&["exec", "-u", "root", nginx, "sed", "-i", "s/\\(tomcat-2:8080\\) weight=1;/\\1 backup;/", "/etc/nginx/nginx.conf"]);
    assert!(docker(&["exec", nginx, "cat", "/etc/nginx/nginx.conf"]).contains("tomcat-2:8080 backup;"));
    docker(&["exec", nginx, "nginx", "-s", "reload"]);
    // The reload takes effect when nginx's master has started a new worker: wait until six
    // probes in a row (which alternated before) all reach Tomcat 1.
    let client = reqwest::blocking::Client::builder().no_proxy().build().unwrap();
    let probe = || client.get("http://127.0.0.1:13427/ShareSession/ShowSession?probe=1").send().and_then(|r| r.text()).unwrap_or_default();
    let reloaded = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        (0..6).all(|_| probe().trim() == "ready msmlab-e2e-bad-nginx-tomcat-1")
    });
    assert!(reloaded, "nginx never took the new configuration");

    let verify = msmlab(&["verify", "--name", "e2e-bad-nginx", "--json"]);
    assert_eq!(verify.status.code(), Some(1));
    let v = json(&verify);
    assert!(failed_checks(&v).contains(&"backends".to_string()), "{:?}", failed_checks(&v));
    let backends = check_detail(&v, "backends");
    assert!(backends.contains("only 1 Tomcat answered (msmlab-e2e-bad-nginx-tomcat-1 (20))"), "{backends}");
    assert!(backends.contains("not enough evidence"), "{backends}");
}

#[test]
fn the_users_webapp_is_verified_on_its_own_pages() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-bad-webapp");
    // Deployed as an exploded directory this time (the sticky drill test deploys it as a WAR).
    let dir = tempfile::tempdir().unwrap();
    let exploded = build_exploded(dir.path());
    let up = msmlab(&["up", "--name", "e2e-bad-webapp", "--port", "13428", "--webapp", exploded.to_str().unwrap(), "--context-path", "/my"]);
    assert_eq!(up.status.code(), Some(0));
    assert!(stdout(&up).contains("your webapp: http://127.0.0.1:13428/my/"), "{}", stdout(&up));

    // The healthy page of the app passes: same cookie on both Tomcats, 2xx, in the store.
    let good = msmlab(&["verify", "--name", "e2e-bad-webapp", "--path", "/my/", "--json"]);
    assert_eq!(good.status.code(), Some(0));
    let v = json(&good);
    let names: Vec<&str> = v["checks"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["answers", "same-session", "backends", "state", "store", "msm-errors"]);
    assert_eq!(v["backends"].as_object().unwrap().len(), 2, "nginx's upstream header names both Tomcats");

    // A page answering 500 fails `answers`.
    let broken = msmlab(&["verify", "--name", "e2e-bad-webapp", "--path", "/my/fail.jsp", "--json"]);
    assert_eq!(broken.status.code(), Some(1));
    let v = json(&broken);
    assert_eq!(failed_checks(&v), ["answers"]);
    assert!(check_detail(&v, "answers").contains("answered 500"), "{}", check_detail(&v, "answers"));

    // A session value Java serialization cannot write: msm's errors are found in the logs.
    let thread = msmlab(&["verify", "--name", "e2e-bad-webapp", "--path", "/my/thread.jsp", "--requests", "4"]);
    assert_eq!(thread.status.code(), Some(1));
    let text = stdout(&thread);
    assert!(text.contains("✗ msm-errors"), "{text}");
    assert!(text.contains("java.io.NotSerializableException: java.lang.Thread"), "{text}");
}

#[test]
fn a_war_that_is_not_a_zip_is_refused_before_anything_is_created() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-bad-war");
    let dir = tempfile::tempdir().unwrap();
    let war = dir.path().join("my.war");
    std::fs::write(&war, "<html>this is not a zip</html>").unwrap();
    let up = msmlab(&["up", "--name", "e2e-bad-war", "--port", "13429", "--webapp", war.to_str().unwrap()]);
    assert_eq!(up.status.code(), Some(2));
    assert!(stderr(&up).contains("is not a WAR: a WAR is a zip archive"), "{}", stderr(&up));
    assert_eq!(labelled("e2e-bad-war"), Vec::<String>::new());

    let reserved = msmlab(&["up", "--name", "e2e-bad-war", "--port", "13429", "--webapp", war.to_str().unwrap(), "--context-path", "/ShareSession"]);
    assert_eq!(reserved.status.code(), Some(2));
    assert!(stderr(&reserved).contains("taken by msmlab's test page"), "{}", stderr(&reserved));
}

#[test]
fn a_webapp_that_tomcat_cannot_deploy_makes_up_say_no_with_tomcats_reason_and_keeps_the_lab() {
    use std::io::Write;
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-bad-deploy");
    let dir = tempfile::tempdir().unwrap();
    // A zip, so msmlab lets it through, but its web.xml is not XML: Tomcat refuses the context.
    let war = dir.path().join("shop.war");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&war).unwrap());
    zip.start_file("WEB-INF/web.xml", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(b"<web-app this is not xml").unwrap();
    zip.finish().unwrap();

    // The lab itself works (the test page answers): the answer about the webapp is no, and
    // the lab stays so its logs can be read.
    let up = msmlab(&["up", "--name", "e2e-bad-deploy", "--port", "13434", "--webapp", war.to_str().unwrap()]);
    assert_eq!(up.status.code(), Some(1));
    let out = stdout(&up);
    assert!(out.contains("✗ your webapp does not answer: GET http://127.0.0.1:13434/shop/ answered 404: Tomcat has no context /shop"), "{out}");
    assert!(out.contains("first SEVERE line of its context: msmlab-e2e-bad-deploy-tomcat-1: "), "{out}");
    assert!(out.contains("Parse error in application web.xml file at [file:/usr/local/tomcat/webapps/shop/WEB-INF/web.xml]"), "{out}");
    assert!(labelled("e2e-bad-deploy").contains(&"msmlab-e2e-bad-deploy-tomcat-1".to_string()));
}
