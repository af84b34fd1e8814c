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

/// The probe's `ValueDigest`, compiled from its template and run on the host's JVM by
/// `tests/probe/DigestCheck.java`: `case → (digest, leaves)`. No engine.
fn digests() -> std::collections::HashMap<String, (String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let classes = dir.path().join("classes");
    javac(&classes, &[], &[root.join("templates/probe/ValueDigest.java"), root.join("tests/probe/DigestCheck.java")]);
    let run = std::process::Command::new("java").arg("-cp").arg(&classes).arg("io.msmlab.probe.DigestCheck").output().expect("java runs");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let out = String::from_utf8(run.stdout).unwrap();
    eprintln!("{out}");
    out.lines()
        .map(|l| {
            let mut words = l.splitn(3, ' ');
            let name = words.next().unwrap().to_string();
            (name, (words.next().unwrap().to_string(), words.next().unwrap_or("").to_string()))
        })
        .collect()
}

#[test]
fn equal_values_have_one_digest_in_any_form_and_a_changed_field_another() {
    let d = digests();
    // A HashSet's capacity and an enum set's order change Java's form, not the digest; nor do
    // a map's iteration order, another List class, or a cycle's round trip.
    for (a, b) in [("tags", "tags-round-trip"), ("map", "map-reordered"), ("cycle", "cycle-round-trip")] {
        assert_eq!(d[a].0, d[b].0, "{a} and {b}: {d:?}");
    }
    assert_eq!(d["cycle"].1, "next.next=(cycle to 2 up) next.value=0 value=1");
    // A writeObject that forgets `level`; a list in another order.
    assert_ne!(d["profile"].0, d["profile-round-trip"].0);
    assert_eq!((d["profile"].1.as_str(), d["profile-round-trip"].1.as_str()), ("level=3 name=\"visitor\"", "level=0 name=\"visitor\""));
    assert_ne!(d["list"].0, d["list-reversed"].0);
    // Too large to walk: no digest (state then compares sizes); Object's identity never shows.
    assert_eq!(d["huge"].0, "null");
    assert_eq!(d["object"].1, "=java.lang.Object");
}
