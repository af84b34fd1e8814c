//! The main job: `msmlab up`, `msmlab verify`, `msmlab down`, on real containers.

use crate::common::*;

#[test]
fn a_lab_comes_up_shares_one_session_across_tomcats_and_goes_away() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-main");

    // up: two Tomcats 9 with msm and Java serialization, memcached, nginx on 127.0.0.1:13401.
    let up = msmlab(&["up", "--name", "e2e-main", "--tomcat", "9", "--serializer", "java", "--tomcats", "2", "--port", "13401"]);
    assert_eq!(up.status.code(), Some(0));
    assert!(stdout(&up).contains("http://127.0.0.1:13401/ShareSession/ShowSession"));

    // status: every container runs, on the lab's network; only nginx is published.
    let status = json(&msmlab(&["status", "--name", "e2e-main", "--json"]));
    let containers = status["containers"].as_array().unwrap();
    let names: Vec<&str> = containers.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["msmlab-e2e-main-memcached-1", "msmlab-e2e-main-tomcat-1", "msmlab-e2e-main-tomcat-2", "msmlab-e2e-main-nginx-1"]);
    assert!(containers.iter().all(|c| c["state"] == "running" && c["address"].is_string()));
    let published: Vec<&serde_json::Value> = containers.iter().map(|c| &c["published"]).collect();
    assert_eq!(published, [&serde_json::Value::Null, &serde_json::Value::Null, &serde_json::Value::Null, &serde_json::json!("127.0.0.1:13401")]);

    // The seed's page: its three lines, the same session id, and the server IP changing.
    let client = reqwest::blocking::Client::builder().cookie_store(true).no_proxy().build().unwrap();
    let pages: Vec<String> = (0..4)
        .map(|_| client.get("http://127.0.0.1:13401/ShareSession/ShowSession").send().unwrap().text().unwrap())
        .collect();
    let line = |page: &str, prefix: &str| page.lines().find_map(|l| l.strip_prefix(prefix)).map(str::to_string).unwrap();
    let ids: Vec<String> = pages.iter().map(|p| line(p, "Session id is ")).collect();
    let ips: Vec<String> = pages.iter().map(|p| line(p, "Server IP is ")).collect();
    assert!(pages.iter().all(|p| line(p, "Server name is ") == "127.0.0.1"));
    assert!(ids.iter().all(|id| id == &ids[0] && id.ends_with("-n1")), "{ids:?}");
    assert!(ips.windows(2).any(|w| w[0] != w[1]), "the server IP never changed: {ips:?}");

    // verify: 20 requests through nginx, one cookie jar, every check passes.
    let verify = msmlab(&["verify", "--name", "e2e-main", "--json"]);
    assert_eq!(verify.status.code(), Some(0));
    let v = json(&verify);
    assert_eq!(v["ok"], true);
    assert_eq!(v["requests"].as_array().unwrap().len(), 20);
    assert_eq!(v["backends"].as_object().unwrap().len(), 2);
    assert_eq!(v["session_ids"].as_array().unwrap().len(), 1);
    let checks: Vec<(&str, bool)> = v["checks"].as_array().unwrap().iter().map(|c| (c["name"].as_str().unwrap(), c["ok"] == true)).collect();
    assert_eq!(checks, [("answers", true), ("same-session", true), ("backends", true), ("counter", true), ("state", true), ("store", true), ("msm-errors", true)]);

    // doctor sees the lab on its port: worth knowing for a second lab, not a fault.
    let doctor = json(&msmlab(&["doctor", "--json", "--port", "13401"]));
    let port = doctor["findings"].as_array().unwrap().iter().find(|f| f["name"] == "port").unwrap().clone();
    assert_eq!(port["status"], "info", "{port}");
    assert!(port["detail"].as_str().unwrap().contains("published by lab \"e2e-main\""), "{port}");

    // The human form says the same.
    let text = stdout(&msmlab(&["verify", "--name", "e2e-main", "--requests", "6"]));
    assert!(text.contains("PASS: the session is shared"), "{text}");

    // A second up of the same lab is refused, and touches nothing.
    let again = msmlab(&["up", "--name", "e2e-main", "--port", "13402"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("lab \"e2e-main\" is up with other settings (port: 13401 → 13402)"), "{}", stderr(&again));
    assert_eq!(labelled("e2e-main").len(), 5);

    // down: removes exactly what carries the label, and says what.
    let down = msmlab(&["down", "--name", "e2e-main"]);
    assert_eq!(down.status.code(), Some(0));
    assert!(stdout(&down).contains("Removed lab \"e2e-main\" (4 containers, 1 network)"));
    assert_eq!(labelled("e2e-main"), Vec::<String>::new());

    // Nothing left: down is a friendly no-op, and verify says there is no lab (exit 2).
    let down = msmlab(&["down", "--name", "e2e-main"]);
    assert_eq!(down.status.code(), Some(0));
    assert!(stdout(&down).contains("Nothing to remove"));
    let verify = msmlab(&["verify", "--name", "e2e-main"]);
    assert_eq!(verify.status.code(), Some(2));
    assert!(stderr(&verify).contains("no lab named \"e2e-main\""));
}
