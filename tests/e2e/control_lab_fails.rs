//! The control experiment: the same lab with Tomcat's default session manager. Sessions are
//! not shared, and `verify` must say so, naming the checks that fail.

use crate::common::*;

#[test]
fn without_msm_verify_fails_and_names_the_failed_checks() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-control");
    let up = msmlab(&["up", "--name", "e2e-control", "--session-manager", "none", "--port", "13403"]);
    assert_eq!(up.status.code(), Some(0));

    let verify = msmlab(&["verify", "--name", "e2e-control", "--json"]);
    assert_eq!(verify.status.code(), Some(1), "verify must fail on a lab that does not share sessions");
    let v = json(&verify);
    assert_eq!(v["ok"], false);
    let failed: Vec<&str> = v["checks"].as_array().unwrap().iter().filter(|c| c["ok"] == false).map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(failed, ["same-session", "counter", "state", "store"]);
    // Both Tomcats answered, so the failure is real evidence, not a lack of it.
    assert_eq!(v["backends"].as_object().unwrap().len(), 2);

    let text = stdout(&msmlab(&["verify", "--name", "e2e-control"]));
    assert!(text.contains("FAIL: same-session, counter, state, store"), "{text}");
    assert!(text.contains("different session ids"), "{text}");
}
