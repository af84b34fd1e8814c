//! Real applications, as a new user would try them: three WARs from Maven Central that nobody
//! here wrote, from three frameworks, each pinned by SHA-256 and fetched through msmlab's checked
//! cache (`--webapp maven:…@sha256:…`). `tests/real-apps/README.md` says how they were chosen and
//! what each one keeps in its session; each has a flow file there.
//!
//! For each: `up` checks that its page answers, `verify --flow` passes under a serializer that
//! carries its session and fails naming an attribute under one that does not, and `compat` gives
//! a verdict for every serializer.

use crate::common::*;

/// One real application and what is known of it.
struct App {
    /// The lab's name; compat's labs are `<lab>-<serializer>`.
    lab: &'static str,
    webapp: &'static str,
    /// `up`'s flags besides the webapp's (the Tomcat line, and what the app needs).
    flags: &'static [&'static str],
    /// A page `up` checks (`--webapp-page`).
    page: &'static str,
    flow: &'static str,
    /// The flags of a lab whose session the app keeps, and of one where it loses `lost`.
    carried_by: &'static [&'static str],
    lost_by: &'static [&'static str],
    lost: &'static [&'static str],
}

fn flow(name: &str) -> String {
    format!("{}/tests/real-apps/{name}", env!("CARGO_MANIFEST_DIR"))
}

const WICKET: App = App {
    lab: "e2e-real-wicket",
    webapp: "maven:org.apache.wicket:wicket-examples:9.0.0@sha256:f877892fe9cce81038406f9b5ce031102d5905539e74aaff89e1484fd1b0c5ab",
    flags: &["--tomcat", "9"],
    page: "/wicket-examples/authentication3/",
    flow: "wicket-examples.flow",
    carried_by: &["--serializer", "kryo"],
    // xstream's allow-list refuses Wicket's session classes: the whole session is lost.
    lost_by: &["--serializer", "xstream"],
    lost: &["Wicket:SessionUnbindingListener-MyAuthenticatedWebApplication", "wicket:MyAuthenticatedWebApplication:session"],
};

const CONTACTS: App = App {
    lab: "e2e-real-contacts",
    webapp: "maven:org.springframework.security:spring-security-samples-contacts:3.0.7.RELEASE@sha256:f52e6bff049c0cf4d02f18bdadd39c2c18d7b58da20ff50b6d8b9b4e03954b56",
    flags: &["--tomcat", "9"],
    page: "/spring-security-samples-contacts/login.jsp",
    flow: "spring-security-contacts.flow",
    carried_by: &["--serializer", "java"],
    lost_by: &["--serializer", "xstream"],
    lost: &["SPRING_SECURITY_CONTEXT"],
};

const TOBAGO: App = App {
    lab: "e2e-real-tobago",
    webapp: "maven:org.apache.myfaces.tobago:tobago-example-demo:1.5.0-alpha-2@sha256:9a4178543b59a9c2b1224be120412054e74a3316093203e34ac78eb53f12d4ff",
    // JSF 1.2 on javax.servlet, deployed on Tomcat 10.1 as a stock Tomcat does: converted by
    // Apache's migration tool from webapps-javaee/.
    flags: &["--tomcat", "10.1", "--webapp-javaee"],
    page: "/tobago-example-demo/faces/reference/sheet.jsp",
    flow: "tobago-example-demo.flow",
    // Five of its session beans are not Serializable, and no serializer carries them from one
    // Tomcat to another: only sticky sessions keep them (each user stays on one Tomcat).
    carried_by: &["--serializer", "java", "--sticky"],
    lost_by: &["--serializer", "java"],
    lost: &["navigation", "clientConfigController", "clientConfigController2", "overviewBundle", "pageDeclarationLanguage"],
};

fn up(app: &App, serializer: &[&str]) -> std::process::Output {
    let mut args = vec!["up", "--name", app.lab, "--port", "0", "--recreate", "--webapp", app.webapp, "--webapp-page", app.page];
    args.extend_from_slice(app.flags);
    args.extend_from_slice(serializer);
    msmlab(&args)
}

fn verify(app: &App) -> (Option<i32>, serde_json::Value) {
    let flow = flow(app.flow);
    let out = msmlab(&["verify", "--name", app.lab, "--flow", &flow, "--requests", "12", "--json"]);
    (out.status.code(), json(&out))
}

fn check<'a>(verdict: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    verdict["checks"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no check {name}: {verdict}"))
}

/// up, verify where the session is carried, verify where it is not, down. Returns the verdict
/// of the lab that carried the session.
fn try_as_a_user_would(app: &App) -> serde_json::Value {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim(app.lab);

    let out = up(app, app.carried_by);
    assert_eq!(out.status.code(), Some(0), "the app's page answers in the lab: {}", stderr(&out));
    let (code, carried) = verify(app);
    assert_eq!(code, Some(0), "verify passes where the session is carried: {carried:#}");
    let verdict = &carried;
    let statuses: Vec<u64> = verdict["requests"].as_array().unwrap().iter().filter_map(|r| r["status"].as_u64()).collect();
    assert!(statuses.iter().all(|s| *s == 200 || (300..400).contains(s)), "every page answered: {statuses:?}");
    assert!(check(verdict, "state")["detail"].as_str().unwrap().starts_with("every attribute arrived"), "{verdict:#}");

    let out = up(app, app.lost_by);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (code, verdict) = verify(app);
    assert_eq!(code, Some(1), "verify fails where the session is not carried: {verdict:#}");
    let state = check(&verdict, "state");
    assert_eq!(state["ok"], false, "{verdict:#}");
    let detail = state["detail"].as_str().unwrap();
    assert!(app.lost.iter().any(|a| detail.contains(&format!("`{a}`"))), "the state check names what was lost: {detail}");
    assert_eq!(msmlab(&["down", "--name", app.lab]).status.code(), Some(0));
    carried
}

/// compat: a verdict for every serializer, with the attributes each one lost.
fn compat(app: &App, serializers: &str) -> serde_json::Value {
    let _serial = one_lab_at_a_time();
    let flow = flow(app.flow);
    let mut args = vec!["compat", "--name", app.lab, "--webapp", app.webapp, "--flow", &flow, "--serializers", serializers, "--json"];
    args.extend_from_slice(app.flags);
    let out = msmlab(&args);
    let report = json(&out);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), serializers.split(',').count(), "{report:#}");
    assert_eq!(out.status.code(), Some(if report["recommended"].as_array().unwrap().is_empty() { 1 } else { 0 }), "{report:#}");
    report
}

fn result<'a>(report: &'a serde_json::Value, serializer: &str) -> &'a serde_json::Value {
    report["results"].as_array().unwrap().iter().find(|r| r["serializer"] == serializer).unwrap_or_else(|| panic!("no {serializer}: {report}"))
}

fn lost(r: &serde_json::Value) -> Vec<String> {
    r["lost_attributes"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect()
}

#[test]
fn wicket_examples_whose_filter_renders_every_page() {
    try_as_a_user_would(&WICKET);
    let report = compat(&WICKET, "java,kryo,xstream");
    assert_eq!(result(&report, "java")["ok"], true, "{report:#}");
    assert_eq!(result(&report, "kryo")["ok"], true, "{report:#}");
    let xstream = result(&report, "xstream");
    assert_eq!(xstream["ok"], false);
    assert!(lost(xstream).iter().any(|a| WICKET.lost.contains(&a.as_str())), "{xstream:#}");
}

#[test]
fn spring_security_contacts_whose_login_rotates_the_session_id() {
    let verdict = try_as_a_user_would(&CONTACTS);
    let same = check(&verdict, "same-session")["detail"].as_str().unwrap().to_string();
    assert!(same.contains("rotated at request") && same.contains("the state followed"), "the login's new id is a rotation: {same}");
    let report = compat(&CONTACTS, "java,kryo,xstream");
    for ok in ["java", "kryo"] {
        let r = result(&report, ok);
        assert_eq!(r["ok"], true, "{report:#}");
        assert_eq!(r["session_id_stable"], true, "a rotation at login is not an unstable id: {r:#}");
    }
    assert!(lost(result(&report, "xstream")).contains(&"SPRING_SECURITY_CONTEXT".to_string()), "{report:#}");
}

#[test]
fn tobago_jsf_demo_on_tomcat_10_1() {
    try_as_a_user_would(&TOBAGO);
    let report = compat(&TOBAGO, "java,kryo,xstream");
    // No serializer carries its non-Serializable beans between Tomcats: each is named.
    let java = result(&report, "java");
    assert_eq!(java["ok"], false);
    assert!(lost(java).contains(&"navigation".to_string()), "{java:#}");
    for s in ["kryo", "xstream"] {
        assert_eq!(result(&report, s)["ok"], false, "{report:#}");
    }
}
