//! verify and compat walk as a browser does: each redirect hop is a request of its own (its
//! Tomcat, what it found and left), a login that changes the session id is a rotation whose
//! state followed, and compat says what it covered.
//!
//! The pages are the `state` webapp's (`tests/webapps/state/`, whose README lists them):
//! `hop.jsp` always redirects to `plain.jsp`, `login.jsp` changes the session id on POST.

use crate::common::*;

fn request(v: &serde_json::Value, i: usize) -> &serde_json::Value {
    &v["requests"].as_array().unwrap()[i]
}

#[test]
fn verify_follows_redirects_hop_by_hop_and_recognizes_a_login_that_rotates_the_session_id() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-walk");
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    let up = msmlab(&["up", "--name", "e2e-walk", "--port", "13571", "--serializer", "java", "--webapp", war.to_str().unwrap()]);
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));

    // hop.jsp answers 302 to plain.jsp on every load. With 2 Tomcats behind strict round
    // robin, every load's last hop lands on the same Tomcat: counting only that one saw a
    // single Tomcat. Each hop is a request of its own, on its own Tomcat.
    let out = msmlab(&["verify", "--name", "e2e-walk", "--path", "/state/hop.jsp", "--requests", "6", "--json"]);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(0), "{v:#}");
    let backends = check_detail(&v, "backends");
    assert!(backends.starts_with("2 Tomcats answered: msmlab-e2e-walk-tomcat-1 (3), msmlab-e2e-walk-tomcat-2 (3)"), "{backends}");
    assert_eq!(v["requests"].as_array().unwrap().len(), 6);
    for i in 0..6 {
        let (r, load, hop) = (request(&v, i), i / 2 + 1, i % 2);
        assert_eq!((r["n"].as_u64(), r["load"].as_u64(), r["hop"].as_u64()), (Some(i as u64 + 1), Some(load as u64), Some(hop as u64)), "{r}");
        assert_eq!(r["status"], if hop == 0 { 302 } else { 200 }, "{r}");
        assert_eq!(r["path"], if hop == 0 { "/state/hop.jsp" } else { "/state/plain.jsp" }, "{r}");
        if hop == 1 {
            assert_ne!(r["backend"], request(&v, i - 1)["backend"], "the redirect went to the other Tomcat: {v:#}");
        }
    }
    // After each load of two requests, one request outside the walk moves round robin on, so
    // hop.jsp itself meets both Tomcats too.
    assert_ne!(request(&v, 0)["backend"], request(&v, 2)["backend"], "{v:#}");
    // The state check compares hop by hop: what hop.jsp left arrived at plain.jsp's Tomcat.
    let state = check_detail(&v, "state");
    assert!(state.starts_with("every attribute arrived as it was left, in 5 hand-overs: hops (java.lang.Integer), plain (state.PlainBean)"), "{state}");

    // A login that changes the session id, walked as a flow: the form's page, the POST, then a
    // page in rounds.
    let flow = dir.path().join("login.flow");
    std::fs::write(&flow, "once GET /state/login.jsp\nonce POST /state/login.jsp user=alice\nGET /state/plain.jsp\n").unwrap();
    let out = msmlab(&["verify", "--name", "e2e-walk", "--flow", flow.to_str().unwrap(), "--requests", "8", "--json"]);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(0), "{v:#}");
    assert_eq!(v["requests"].as_array().unwrap().len(), 8);
    assert_eq!(request(&v, 1)["path"], "/state/login.jsp");
    let same = check_detail(&v, "same-session");
    assert!(same.contains("rotated at request 2 by msmlab-e2e-walk-tomcat-"), "{same}");
    assert!(same.contains("the state followed to msmlab-e2e-walk-tomcat-"), "{same}");
    assert_eq!(v["session_ids"].as_array().unwrap().len(), 2, "{v:#}");
    assert_eq!((&v["id_changes"][0]["request"], &v["id_changes"][0]["kind"]), (&serde_json::json!(2), &serde_json::json!("rotation")), "{v:#}");
    let state = check_detail(&v, "state");
    assert!(state.contains("form (java.lang.String), plain (state.PlainBean), user (java.lang.String)"), "{state}");

    // The text says it too; --path and --flow are one or the other.
    let out = msmlab(&["verify", "--name", "e2e-walk", "--flow", flow.to_str().unwrap(), "--requests", "6"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("✓ same-session"), "{}", stdout(&out));
    let both = msmlab(&["verify", "--name", "e2e-walk", "--flow", flow.to_str().unwrap(), "--path", "/state/plain.jsp"]);
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
}

#[test]
fn compat_walks_redirects_past_round_robins_parity_and_reports_its_coverage() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-walk-c-kryo");
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    // Two hops per load on two Tomcats: hop.jsp alone would always meet the same Tomcat.
    let out = msmlab(&[
        "compat", "--name", "e2e-walk-c", "--port", "13572", "--webapp", war.to_str().unwrap(),
        "--path", "/state/hop.jsp", "--serializers", "kryo",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("ok: carried hops, plain"), "{text}");
    let coverage = text.lines().find(|l| l.starts_with("  kryo       walked ")).unwrap_or_else(|| panic!("no coverage line: {text}"));
    assert!(coverage.contains("each Tomcat served each step twice"), "{coverage}");
    assert!(coverage.contains("between two Tomcats"), "{coverage}");
    assert!(!coverage.contains("limit"), "{coverage}");
    assert_eq!(labelled("e2e-walk-c-kryo"), Vec::<String>::new());
}
