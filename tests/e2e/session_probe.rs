//! The session probe sees every request of a webapp, whatever its filters do, and compares
//! session values by content: a value that arrives changed at the same serialized size is
//! named by its field and both Tomcats, and an equal value in another serialized form passes.
//!
//! On the `state` webapp's gate variant (`tests/webapps/state/`, whose README lists the pages).

use crate::common::*;

fn verify_json(lab: &str, path: &str) -> (Option<i32>, serde_json::Value) {
    let out = msmlab(&["verify", "--name", lab, "--path", path, "--requests", "6", "--json"]);
    (out.status.code(), json(&out))
}

#[test]
fn verify_names_the_field_a_round_trip_lost_and_sees_what_a_filter_answers_itself() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-probe");
    let dir = tempfile::tempdir().unwrap();
    let war = build_gate_war(dir.path());
    let up = msmlab(&["up", "--name", "e2e-probe", "--port", "13561", "--serializer", "java", "--webapp", war.to_str().unwrap()]);
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));

    // A writeObject that forgets `level`: same id, same size, every page 200, and the level
    // back to 0 on every Tomcat.
    let (code, v) = verify_json("e2e-probe", "/state/profile.jsp");
    assert_eq!((code, failed_checks(&v)), (Some(1), vec!["state".to_string()]), "{v}");
    let detail = check_detail(&v, "state");
    eprintln!("state: {detail}");
    assert!(detail.starts_with("`profile` (state.Profile) arrived with another value, profile.level: 1 → 0: msmlab-e2e-probe-tomcat-"), "{detail}");
    assert!(detail.contains("msmlab-e2e-probe-tomcat-1") && detail.contains("msmlab-e2e-probe-tomcat-2"), "{detail}");
    assert!(detail.ends_with("(lost at 5 of 5 hand-overs)"), "{detail}");
    let loss = &v["state"]["losses"][0];
    assert_eq!((loss["kind"].as_str(), loss["field"].as_str(), loss["from"].as_str(), loss["to"].as_str()), (Some("value_changed"), Some("profile.level"), Some("1"), Some("0")), "{loss}");

    // A HashSet of enums: Java's form differs after each round trip (capacity, order), the
    // value does not.
    let (code, v) = verify_json("e2e-probe", "/state/tags.jsp");
    let detail = check_detail(&v, "state");
    eprintln!("state: {detail}");
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(detail, "every attribute arrived as it was left, in 5 hand-overs: tags (java.util.HashSet)");

    // A filter of the application that answers by itself: the probe is in front of it.
    let (code, v) = verify_json("e2e-probe", "/state/gate/visit");
    let detail = check_detail(&v, "state");
    eprintln!("state: {detail}");
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(detail, "every attribute arrived as it was left, in 5 hand-overs: gate (java.lang.Integer)");
}

#[test]
fn compat_counts_a_value_that_arrived_changed_as_lost() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-probe-c-java");
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    let out = msmlab(&[
        "compat", "--name", "e2e-probe-c", "--port", "13562", "--webapp", war.to_str().unwrap(),
        "--path", "/state/profile.jsp", "--serializers", "java", "--json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let java = &report["results"][0];
    eprintln!("java: {java}");
    assert_eq!(java["lost_attributes"], serde_json::json!(["profile"]), "{java}");
    let reason = java["lost"][0]["reason"].as_str().unwrap();
    assert!(reason.starts_with("arrived with another value, profile.level: 1 → 0 (msmlab-e2e-probe-c-java-tomcat-"), "{reason}");
    assert_eq!(labelled("e2e-probe-c-java"), Vec::<String>::new());
}
