//! `--webapp maven:GROUP:ARTIFACT:VERSION@sha256:HEX`: a real WAR from the Maven repository,
//! fetched through the jars' checked cache, deployed, and refused when its pin is wrong or
//! missing.

use crate::common::*;

/// Apache Shiro's web sample, a small real WAR (2.5 MB) nobody here wrote.
const WAR: &str = "maven:org.apache.shiro.samples:samples-web:1.4.2";
const SHA256: &str = "a6f8b6892e1e64893f5a8a5bbd2129235da43ddd26a98901e1a61a8af95b2b90";
const URL: &str = "https://repo1.maven.org/maven2/org/apache/shiro/samples/samples-web/1.4.2/samples-web-1.4.2.war";

fn pinned(sha256: &str) -> String {
    format!("{WAR}@sha256:{sha256}")
}

#[test]
fn a_pinned_maven_war_is_fetched_once_cached_and_deployed() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-maven-war");
    let cache = tempfile::tempdir().unwrap();
    let env = [("MSMLAB_CACHE_DIR", cache.path().to_str().unwrap())];
    let war = pinned(SHA256);
    let up = || msmlab_with(&["up", "--name", "e2e-maven-war", "--tomcat", "9", "--port", "0", "--webapp", &war, "--json"], &env);

    let first = up();
    assert_eq!(first.status.code(), Some(0));
    assert!(stderr(&first).contains("Fetch webapp org.apache.shiro.samples:samples-web:war:1.4.2: downloaded"), "{}", stderr(&first));
    let cached = cache.path().join("maven/org/apache/shiro/samples/samples-web/1.4.2/samples-web-1.4.2.war");
    assert!(cached.is_file(), "the WAR is in the cache, in Maven's layout");

    // Deployed at its artifact id: a file of the WAR answers through nginx. (A static file:
    // its JSPs need the taglib scan, which is not this story's.)
    let webapp_url = json(&first)["webapp_url"].as_str().expect("up --json names the webapp's URL").to_string();
    assert!(webapp_url.ends_with("/samples-web/"), "{webapp_url}");
    let client = reqwest::blocking::Client::builder().no_proxy().build().unwrap();
    let style = client.get(format!("{webapp_url}style.css")).send().unwrap();
    assert_eq!(style.status().as_u16(), 200);
    assert!(style.text().unwrap().contains("'Lucida Grande'"), "the WAR's own style.css");

    // The lab is up with the same settings: up says so; the WAR comes from the cache.
    let second = up();
    assert_eq!(second.status.code(), Some(0));
    assert!(stderr(&second).contains("Fetch webapp org.apache.shiro.samples:samples-web:war:1.4.2: from the cache"), "{}", stderr(&second));
}

#[test]
fn a_wrong_or_missing_pin_is_refused_naming_the_url_and_both_checksums() {
    let cache = tempfile::tempdir().unwrap();
    let env = [("MSMLAB_CACHE_DIR", cache.path().to_str().unwrap())];
    let wrong = "0".repeat(64);

    let out = msmlab_with(&["up", "--name", "e2e-maven-pin", "--tomcat", "9", "--webapp", &pinned(&wrong)], &env);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(URL) && err.contains(&wrong) && err.contains(SHA256), "{err}");
    assert!(err.contains(&format!("--webapp {}", pinned(SHA256))), "it says what to pin if the new file is trusted: {err}");
    assert!(crate::common::files_under(cache.path()).iter().all(|f| !f.to_string_lossy().ends_with(".war")), "nothing unverified is cached");
    assert!(labelled("e2e-maven-pin").is_empty(), "refused before anything was created");

    // No pin at all: refused the same way, with the file's own SHA-256 to pin.
    let out = msmlab_with(&["compat", "--name", "e2e-maven-pin", "--webapp", WAR, "--path", "/samples-web/"], &env);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("has no @sha256 pin") && err.contains(URL) && err.contains(&pinned(SHA256)), "{err}");

    // A malformed form is bad input before anything is fetched.
    let out = msmlab(&["up", "--name", "e2e-maven-pin", "--webapp", "maven:org.apache.shiro.samples:samples-web"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("maven:GROUP:ARTIFACT:VERSION@sha256:HEX"), "{}", stderr(&out));
}
