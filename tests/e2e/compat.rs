//! "Will my application work with kryo, or java, or xstream?" `msmlab compat` answers it on
//! the application itself, and `msmlab verify --path` fails when a page's session state is lost
//! between Tomcats, even though the session id never changes.
//!
//! The application is `tests/webapps/state/` (its README lists the pages): each page keeps one
//! kind of value in the session. Real labs, real msm jars, real serializers.


use crate::common::*;

fn attr_names(v: &serde_json::Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

fn row<'a>(report: &'a serde_json::Value, serializer: &str) -> &'a serde_json::Value {
    report["results"].as_array().unwrap().iter().find(|r| r["serializer"] == serializer).unwrap_or_else(|| panic!("no row for {serializer}: {report}"))
}

#[test]
fn compat_names_what_each_serializer_loses_and_recommends_the_one_that_carries_everything() {
    let _serial = one_lab_at_a_time();
    let _labs = [Lab::claim("e2e-compat-java"), Lab::claim("e2e-compat-kryo"), Lab::claim("e2e-compat-xstream")];
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());

    // A shopping cart that is not Serializable (as Tomcat's examples cart), and a plain
    // Serializable bean of the application's own.
    let out = msmlab(&[
        "compat", "--name", "e2e-compat", "--port", "13490", "--webapp", war.to_str().unwrap(),
        "--path", "/state/cart.jsp?item=book", "--path", "/state/plain.jsp", "--serializers", "all", "--json",
    ]);
    // kryo carried everything, so the answer is yes.
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out);

    // Java serialization drops the cart without a word; the session id never changes.
    let java = row(&report, "java");
    assert_eq!(java["ok"], false);
    assert_eq!(attr_names(&java["lost_attributes"]), ["cart"]);
    assert_eq!(java["session_id_stable"], true);
    assert_eq!(java["lost"][0]["class"], "state.Cart");
    assert!(java["lost"][0]["reason"].as_str().unwrap().starts_with("does not implement java.io.Serializable"), "{java}");

    // kryo carries both, and says how big the session is in memcached.
    let kryo = row(&report, "kryo");
    assert_eq!(kryo["ok"], true, "{kryo}");
    assert_eq!(attr_names(&kryo["lost_attributes"]), Vec::<String>::new());
    assert!(kryo["bytes_per_session"].as_u64().unwrap() > 0);
    assert_eq!(kryo["attributes"]["cart"], "state.Cart");
    assert_eq!(kryo["attributes"]["plain"], "state.PlainBean");

    // xstream refuses every class of the application on read, so users lose the whole session.
    let xstream = row(&report, "xstream");
    assert_eq!(xstream["ok"], false);
    let mut lost = attr_names(&xstream["lost_attributes"]);
    lost.sort();
    assert_eq!(lost, ["cart", "plain"]);
    assert_eq!(xstream["session_id_stable"], false);
    let errors = xstream["errors"].as_array().unwrap();
    for (attribute, class) in [("plain", "state.PlainBean"), ("cart", "state.Cart")] {
        assert!(
            errors.iter().any(|e| e["attribute"] == attribute && e["class"] == class && e["message"].as_str().unwrap().contains("ForbiddenClassException")),
            "no ForbiddenClassException for {attribute}: {errors:?}"
        );
    }

    assert_eq!(attr_names(&report["recommended"]), ["kryo"]);
    // Every lab was removed.
    for s in ["java", "kryo", "xstream"] {
        assert_eq!(labelled(&format!("e2e-compat-{s}")), Vec::<String>::new());
    }
}

#[test]
fn the_text_report_is_a_table_with_the_reasons_and_one_line_of_advice() {
    let _serial = one_lab_at_a_time();
    let _labs = [Lab::claim("e2e-compat-t-java"), Lab::claim("e2e-compat-t-kryo"), Lab::claim("e2e-compat-t-xstream")];
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    // A Serializable value that holds a Thread: no serializer carries it, each says why.
    let thread = msmlab(&[
        "compat", "--name", "e2e-compat-t", "--port", "13491", "--webapp", war.to_str().unwrap(),
        "--path", "/state/thread.jsp", "--serializers", "all",
    ]);
    // Nothing carried everything: the answer is no.
    assert_eq!(thread.status.code(), Some(1));
    let text = stdout(&thread);
    for serializer in ["java", "kryo", "xstream"] {
        let row = text.lines().find(|l| l.starts_with(&format!("  {serializer:<10} "))).unwrap_or_else(|| panic!("no row for {serializer}: {text}"));
        assert!(row.contains("LOST worker (state.Worker)"), "{text}");
        assert!(text.lines().any(|l| l.starts_with(&format!("  {serializer:<10} logged")) && l.contains("(attribute worker")), "{serializer}: {text}");
    }
    assert!(text.contains("java.io.NotSerializableException: java.lang.Thread (attribute worker, class java.lang.Thread)"), "{text}");
    assert!(text.contains("No serializer carried everything"), "{text}");

    // kryo 4 cannot read a List.of/List.copyOf list back; Java serialization can.
    let list = msmlab(&[
        "compat", "--name", "e2e-compat-t", "--port", "13491", "--webapp", war.to_str().unwrap(),
        "--path", "/state/list.jsp", "--serializers", "kryo,java",
    ]);
    assert_eq!(list.status.code(), Some(0));
    let text = stdout(&list);
    assert!(text.contains("LOST list (java.util.ImmutableCollections$"), "{text}");
    assert!(text.contains("list: the whole session was lost on the next Tomcat"), "{text}");
    assert!(text.contains("ok: carried list"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("Recommended: java (")), "{text}");
}

#[test]
fn verify_fails_on_a_page_whose_session_state_is_lost_and_passes_where_it_is_carried() {
    let _serial = one_lab_at_a_time();
    let _labs = [Lab::claim("e2e-state-java"), Lab::claim("e2e-state-kryo")];
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    let cart = "/state/cart.jsp?item=book";

    // Java serialization: same session id on both Tomcats, every page 200, the session in
    // memcached, no msm error: and still the cart is gone at every switch of Tomcat.
    let up = msmlab(&["up", "--name", "e2e-state-java", "--port", "13493", "--serializer", "java", "--webapp", war.to_str().unwrap()]);
    assert_eq!(up.status.code(), Some(0));
    let out = msmlab(&["verify", "--name", "e2e-state-java", "--path", cart, "--requests", "6", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(failed_checks(&v), ["state"]);
    let detail = check_detail(&v, "state");
    assert!(detail.starts_with("`cart` (state.Cart, not Serializable) was lost: msmlab-e2e-state-java-tomcat-"), "{detail}");
    assert!(detail.contains("(lost at 5 of 5 hand-overs)"), "{detail}");
    assert_eq!(v["state"]["losses"][0]["attribute"], "cart");

    // kryo carries the cart: the same page passes, and says what it compared.
    let up = msmlab(&["up", "--name", "e2e-state-kryo", "--port", "13494", "--serializer", "kryo", "--webapp", war.to_str().unwrap()]);
    assert_eq!(up.status.code(), Some(0));
    let out = msmlab(&["verify", "--name", "e2e-state-kryo", "--path", cart, "--requests", "6"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("✓ state         every attribute arrived as it was left, in 5 hand-overs: cart (state.Cart)"), "{}", stdout(&out));
}

#[test]
fn compat_refuses_bad_input_before_anything_is_created() {
    let dir = tempfile::tempdir().unwrap();
    // No application.
    let out = msmlab(&["compat", "--name", "e2e-compat-bad", "--path", "/x/"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("compat needs your application: --webapp PATH"), "{}", stderr(&out));
    // Nothing to walk.
    let war = build_war(dir.path());
    let out = msmlab(&["compat", "--name", "e2e-compat-bad", "--webapp", war.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("give compat something to walk: --path URL_PATH"), "{}", stderr(&out));
    // A flow file with a mistake: the file, the line, and the form of a step.
    let flow = dir.path().join("flow.txt");
    std::fs::write(&flow, "once POST /my/login user=alice\nFETCH /my/\n").unwrap();
    let out = msmlab(&["compat", "--name", "e2e-compat-bad", "--webapp", war.to_str().unwrap(), "--flow", flow.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("flow.txt:2: \"FETCH\" is not a method"), "{}", stderr(&out));
    // An unknown serializer.
    let out = msmlab(&["compat", "--name", "e2e-compat-bad", "--webapp", war.to_str().unwrap(), "--path", "/my/", "--serializers", "java,gson"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--serializers \"java,gson\""), "{}", stderr(&out));
    for s in ["java", "kryo", "xstream"] {
        assert_eq!(labelled(&format!("e2e-compat-bad-{s}")), Vec::<String>::new());
    }
}

#[test]
fn ctrl_c_during_compat_removes_its_lab() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-compat-int-kryo");
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    let mut sent = false;
    let (code, err) = msmlab_watching(
        &["compat", "--name", "e2e-compat-int", "--port", "13495", "--webapp", war.to_str().unwrap(), "--path", "/state/plain.jsp", "--serializers", "kryo"],
        &[],
        |line, pid| {
            // Once the lab is up and the walk begins.
            if !sent && line.contains("proxies to all 2 Tomcats") {
                signal(pid, "-INT");
                sent = true;
            }
        },
    );
    assert!(sent, "the lab never came up: {err}");
    assert_eq!(code, Some(130), "{err}");
    // Whether the signal met the end of `up` or the walk, the lab was removed.
    assert!(err.contains("interrupted by Ctrl-C"), "{err}");
    assert_eq!(labelled("e2e-compat-int-kryo"), Vec::<String>::new());
}

#[test]
fn xstream_reads_the_applications_classes_when_they_are_on_its_allow_list() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-compat-x-xstream");
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    // msmlab compiles an allow-list transcoder factory for the application's package.
    let out = msmlab(&[
        "compat", "--name", "e2e-compat-x", "--port", "13492", "--webapp", war.to_str().unwrap(),
        "--path", "/state/cart.jsp?item=book", "--path", "/state/plain.jsp", "--serializers", "xstream",
        "--xstream-allow", "state.*", "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("Compile the xstream allow-list (state.*)"), "{}", stderr(&out));
    let report = json(&out);
    let xstream = row(&report, "xstream");
    assert_eq!(xstream["ok"], true, "{xstream}");
    assert_eq!(xstream["attributes"]["plain"], "state.PlainBean");
    assert_eq!(attr_names(&report["recommended"]), ["xstream"]);
}

#[test]
fn an_allow_list_is_for_xstream_and_holds_only_class_patterns() {
    let out = msmlab(&["up", "--name", "e2e-allow-bad", "--serializer", "java", "--xstream-allow", "state.*"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--xstream-allow applies to --serializer xstream only"), "{}", stderr(&out));
    let out = msmlab(&["up", "--name", "e2e-allow-bad", "--serializer", "xstream", "--xstream-allow", "state.*\");System.exit(1);//"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid --xstream-allow pattern"), "{}", stderr(&out));
    assert_eq!(labelled("e2e-allow-bad"), Vec::<String>::new());
}
