//! msm's `<Manager>` attributes as flags: each one reaches the Tomcats' `context.xml`, and
//! changes what a lab does the way msm says it will.

mod common;
use common::*;

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
    ] {
        let mut all = vec!["up", "--name", "e2e-opt-bad"];
        all.extend(args);
        let out = msmlab(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(labelled("e2e-opt-bad"), Vec::<String>::new());
}
