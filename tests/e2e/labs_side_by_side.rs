//! Two labs with different names and ports run at once, and each `down` removes only its own.

use crate::common::*;

#[test]
fn two_labs_run_side_by_side_and_go_down_separately() {
    let _serial = one_lab_at_a_time();
    let _a = Lab::claim("e2e-left");
    let _b = Lab::claim("e2e-right");
    let left = std::thread::spawn(|| msmlab(&["up", "--name", "e2e-left", "--port", "13404"]));
    let right = std::thread::spawn(|| msmlab(&["up", "--name", "e2e-right", "--port", "13405", "--tomcats", "3"]));
    assert_eq!(left.join().unwrap().status.code(), Some(0));
    assert_eq!(right.join().unwrap().status.code(), Some(0));

    let right_status = json(&msmlab(&["status", "--name", "e2e-right", "--json"]));
    assert_eq!(right_status["containers"].as_array().unwrap().len(), 5);

    for lab in ["e2e-left", "e2e-right"] {
        let v = json(&msmlab(&["verify", "--name", lab, "--json"]));
        assert_eq!(v["ok"], true, "{lab}: {v}");
    }

    assert_eq!(msmlab(&["down", "--name", "e2e-left"]).status.code(), Some(0));
    assert!(labelled("e2e-left").is_empty());
    assert_eq!(labelled("e2e-right").len(), 6, "the other lab is untouched");
    let v = json(&msmlab(&["verify", "--name", "e2e-right", "--json"]));
    assert_eq!(v["ok"], true);
    assert_eq!(v["backends"].as_object().unwrap().len(), 3);
}
