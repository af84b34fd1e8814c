//! The user's webapp runs as a stock Tomcat of its line would run it (issue 24): Tomcat's own
//! jar-scanning defaults (a tag library in a jar of WEB-INF/lib works), redirects that keep
//! the host and port the client used, `up` that says when the webapp does not answer, and a
//! webapp built for the other Servlet API refused before anything is made.

use crate::common::*;

/// `http://host:port` of a URL.
fn origin(url: &str) -> String {
    url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/")
}

#[test]
fn a_taglib_in_web_inf_lib_works_redirects_keep_the_published_port_and_a_failing_page_makes_up_say_no() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-deploy");
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    let war = war.to_str().unwrap();
    // --port 0: the engine picks the port, so it is not nginx's own 13355 inside its container.
    let up = msmlab(&["up", "--name", "e2e-deploy", "--port", "0", "--webapp", war, "--json"]);
    assert_eq!(up.status.code(), Some(0));
    let v = json(&up);
    let origin = origin(v["url"].as_str().unwrap());
    assert!(!origin.ends_with(":13355"), "{origin}");
    assert_eq!(v["webapp_check"]["ok"], true, "{v}");
    assert_eq!(v["webapp_check"]["url"], format!("{origin}/state/"), "{v}");

    let client = reqwest::blocking::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    // Tomcat found the TLD in WEB-INF/lib/msmlab-tags.jar: its jars are scanned as a stock Tomcat's are.
    let tags = client.get(format!("{origin}/state/taglib.jsp")).send().unwrap();
    assert_eq!(tags.status().as_u16(), 200);
    assert_eq!(tags.text().unwrap().trim(), "hello from a tag file in a jar of WEB-INF/lib");

    // An absolute redirect built from the request leads back to the published port.
    let redirect = client.get(format!("{origin}/state/redirect.jsp")).send().unwrap();
    assert_eq!(redirect.status().as_u16(), 302);
    let location = redirect.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("{origin}/state/plain.jsp"));
    // verify follows it, hop by hop, back to this lab: both hops are this lab's requests.
    let walked = msmlab(&["verify", "--name", "e2e-deploy", "--path", "/state/redirect.jsp", "--requests", "6", "--json"]);
    assert_eq!(walked.status.code(), Some(0), "{}", stdout(&walked));
    let walked = json(&walked);
    let statuses: Vec<u64> = walked["requests"].as_array().unwrap().iter().filter_map(|r| r["status"].as_u64()).collect();
    assert!(statuses.contains(&302) && statuses.contains(&200), "{statuses:?}");

    // The same lab, up already, with a page that fails: `up` checks it, says no and keeps the lab.
    let again = msmlab(&["up", "--name", "e2e-deploy", "--port", "0", "--webapp", war, "--webapp-page", "/state/missing-taglib.jsp"]);
    assert_eq!(again.status.code(), Some(1), "the lab is up, the webapp does not answer: the answer is no");
    let text = stdout(&again);
    assert!(text.contains("already up and healthy"), "{text}");
    assert!(text.contains(&format!("✗ your webapp does not answer: GET {origin}/state/missing-taglib.jsp answered 500")), "{text}");
    assert!(text.contains("first SEVERE line of its context: msmlab-e2e-deploy-tomcat-"), "{text}");
    assert!(text.contains("SEVERE [http-nio-8080-exec-"), "{text}");
    assert!(text.contains("[http://msmlab.test/no-such-taglib] cannot be resolved"), "{text}");
    assert!(text.contains("is kept so you can look: `") && text.contains(" logs --name e2e-deploy`; remove it with `"), "{text}");
    assert!(labelled("e2e-deploy").contains(&"msmlab-e2e-deploy-nginx-1".to_string()), "the lab is kept");

    // verify's answers check quotes the same line.
    let verify = msmlab(&["verify", "--name", "e2e-deploy", "--path", "/state/missing-taglib.jsp", "--requests", "2", "--json"]);
    assert_eq!(verify.status.code(), Some(1));
    let answers = check_detail(&json(&verify), "answers");
    assert!(answers.contains("answered 500; first SEVERE line of context /state: msmlab-e2e-deploy-tomcat-"), "{answers}");
    assert!(answers.contains("[http://msmlab.test/no-such-taglib] cannot be resolved"), "{answers}");
}

/// A WAR whose one class uses `jakarta.servlet` (compiled against a stand-in interface, which
/// is left out of the WAR): `dir/jk.war`.
fn build_jakarta_war(dir: &std::path::Path) -> std::path::PathBuf {
    use std::io::Write;
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("jakarta/servlet")).unwrap();
    std::fs::create_dir_all(src.join("app")).unwrap();
    std::fs::write(src.join("jakarta/servlet/Servlet.java"), "package jakarta.servlet; public interface Servlet {}").unwrap();
    std::fs::write(src.join("app/Hello.java"), "package app; public abstract class Hello implements jakarta.servlet.Servlet {}").unwrap();
    let classes = dir.join("classes");
    javac(&classes, &[], &[src.join("jakarta/servlet/Servlet.java"), src.join("app/Hello.java")]);
    let war = dir.join("jk.war");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&war).unwrap());
    zip.start_file("WEB-INF/classes/app/Hello.class", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(&std::fs::read(classes.join("app/Hello.class")).unwrap()).unwrap();
    zip.finish().unwrap();
    war
}

#[test]
fn a_jakarta_war_is_refused_on_tomcat_7_8_5_and_9_naming_the_class() {
    // Refused before the engine is asked anything: no lab, so no lock.
    let dir = tempfile::tempdir().unwrap();
    let war = build_jakarta_war(dir.path());
    for tomcat in ["9", "8.5", "7"] {
        let out = msmlab(&["up", "--name", "e2e-deploy-jk", "--tomcat", tomcat, "--webapp", war.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "--tomcat {tomcat}");
        let err = stderr(&out);
        assert!(err.contains(&format!("uses jakarta.servlet (jk.war!/WEB-INF/classes/app/Hello.class), which Tomcat {tomcat} does not have")), "{err}");
        assert!(err.contains("choose --tomcat 10.1 or 11"), "{err}");
        assert_eq!(labelled("e2e-deploy-jk"), Vec::<String>::new());
    }
}
