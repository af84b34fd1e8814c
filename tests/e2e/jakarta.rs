//! Tomcat 10.1 and 11: msm's jars converted from javax.servlet to jakarta.servlet by Apache's
//! migration tool, and on 11 msmlab's own Manager. Labs of both lines share sessions through
//! every drill, `jars` hands out the converted files, and every member the converted jars use
//! links against each pinned Tomcat release (so a new release that breaks msm fails here).

use crate::common::*;

use std::io::Read;

use msmlab::jars::links::ClassPool;
use msmlab::jars::lock::{Coords, Lock};

/// `msmlab jars --copy-to`, as a team deploying by hand would run it: the listing and the dir.
fn jars_copied(tomcat: &str, serializer: &str) -> (serde_json::Value, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = msmlab(&["jars", "--tomcat", tomcat, "--serializer", serializer, "--copy-to", dir.path().to_str().unwrap(), "--json", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (json(&out), dir)
}

fn sha256(path: &std::path::Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

#[test]
fn jars_hands_out_the_converted_jars_with_the_checksums_it_prints() {
    let (listing, dir) = jars_copied("10.1", "kryo");
    let lib = listing["lib"].as_array().unwrap();
    let converted: Vec<&serde_json::Value> = lib.iter().filter(|j| !j["converted"].is_null()).collect();
    // msm core and its Tomcat 9 jar use javax.servlet; kryo and spymemcached go in as they are.
    let names: Vec<&str> = converted.iter().map(|j| j["file"].as_str().unwrap()).collect();
    assert_eq!(names, ["memcached-session-manager-2.3.2.jar", "memcached-session-manager-tc9-2.3.2.jar"]);
    for j in lib {
        let file = dir.path().join(j["file"].as_str().unwrap());
        let want = if j["converted"].is_null() { &j["sha256"] } else { &j["converted"]["sha256"] };
        assert_eq!(sha256(&file), want.as_str().unwrap(), "{}", file.display());
    }
    assert!(converted[0]["converted"]["note"].as_str().unwrap().starts_with("converted from de.javakaffee.msm:memcached-session-manager:2.3.2"));
    assert_eq!(listing["migration"]["coords"], "org.apache.tomcat:jakartaee-migration:jar:shaded:1.0.12");
    // A second run converts nothing: the same files, the same checksums.
    let (again, _) = jars_copied("10.1", "kryo");
    assert_eq!(again["lib"], listing["lib"]);
}

/// The converted jars (and on 11 msmlab's Manager) checked against everything else a lab of
/// `major` runs with every serializer: the other jars, the Tomcat release, the JDK.
fn link_report(major: u8, manager: &str) -> msmlab::jars::links::LinkReport {
    let lock = Lock::bundled();
    let release = &lock.tomcat[&major].distribution;
    let mut pool = ClassPool::default();
    let mut seen = std::collections::BTreeSet::new();
    for serializer in ["java", "kryo", "xstream"] {
        let (listing, dir) = jars_copied(&major.to_string(), serializer);
        assert_eq!(listing["distribution"]["coords"], release.to_string());
        let converted: Vec<&str> = listing["lib"].as_array().unwrap().iter().filter(|j| !j["converted"].is_null()).map(|j| j["file"].as_str().unwrap()).collect();
        let built: Vec<&str> = listing["built"].as_array().into_iter().flatten().map(|b| b["file"].as_str().unwrap()).collect();
        for e in std::fs::read_dir(dir.path()).unwrap() {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            if seen.insert(name.clone()) {
                let checked = converted.contains(&name.as_str()) || built.contains(&name.as_str());
                pool.add_jar(&std::fs::read(&path).unwrap(), checked).unwrap();
            }
        }
    }
    // Tomcat's own jars, from the distribution `jars` fetched into the cache.
    let dist = msmlab::jars::maven::default_cache_dir().join("maven").join(Coords::repo_path(release));
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(&dist).unwrap());
    let mut archive = tar::Archive::new(gz);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        if path.ends_with(".jar") && (path.contains("/lib/") || path.contains("/bin/")) {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            pool.add_jar(&bytes, false).unwrap();
        }
    }
    // And the JDK's, so that a search that climbs into a JDK class or interface finds what
    // is really there (the JDK's jmods are zips behind a 4-byte header).
    for jmod in std::fs::read_dir(java_home().join("jmods")).expect("the JDK's jmods (Debian: openjdk-17-jdk-headless)") {
        let bytes = std::fs::read(jmod.unwrap().path()).unwrap();
        pool.add_jar(&bytes[4..], false).unwrap();
    }
    pool.check(manager)
}

/// The JDK the tests build their webapps with (`javac` on the PATH).
fn java_home() -> std::path::PathBuf {
    let out = std::process::Command::new("java").args(["-XshowSettings:properties", "-version"]).output().expect("java runs");
    let text = String::from_utf8_lossy(&out.stderr);
    let home = text.lines().find_map(|l| l.trim().strip_prefix("java.home = ")).expect("java.home");
    std::path::PathBuf::from(home)
}

const MSM_MANAGER: &str = "de/javakaffee/web/msm/MemcachedBackupSessionManager";
const LAB_MANAGER_11: &str = "io/msmlab/tomcat11/MemcachedBackupSessionManager";

#[test]
fn the_converted_jars_link_against_every_pinned_jakarta_tomcat() {
    let lock = Lock::bundled();
    let lines: Vec<u8> = lock.tomcat.iter().filter(|(_, t)| t.migration.is_some()).map(|(m, _)| *m).collect();
    assert_eq!(lines, [10, 11]);
    for major in lines {
        let manager = if major >= 11 { LAB_MANAGER_11 } else { MSM_MANAGER };
        let report = link_report(major, manager);
        let summary: Vec<String> = report.missing.iter().map(|m| format!("{} in {} ({}: {})", m.member, m.used_by, if m.reachable { "FATAL" } else { "unreachable" }, m.why)).collect();
        eprintln!("Tomcat {major}: {} references, missing:\n  {}", report.references, summary.join("\n  "));
        assert!(report.references > 1000 && report.references < 3000, "{}", report.references);
        assert!(report.fatal().is_empty(), "Tomcat {major}: a member msm uses is gone:\n  {}", summary.join("\n  "));
        // Known, and harmless: msm's changeSessionId(Session) calls Tomcat 9's, which Tomcat
        // 10.1 renamed; Tomcat never calls msm's.
        assert!(report.missing.iter().any(|m| m.member == "org/apache/catalina/session/ManagerBase.changeSessionId:(Lorg/apache/catalina/Session;)V" && !m.reachable), "{summary:?}");
    }
}

#[test]
fn on_tomcat_11_only_msmlabs_manager_keeps_msm_off_the_removed_session_counter() {
    // With msm's own Manager the check finds what breaks every new session on Tomcat 11.
    let plain = link_report(11, MSM_MANAGER);
    let fatal: Vec<String> = plain.fatal().iter().map(|m| format!("{} in {}", m.member, m.used_by)).collect();
    assert_eq!(fatal, ["de/javakaffee/web/msm/MemcachedBackupSessionManager.sessionCounter:J in de/javakaffee/web/msm/MemcachedBackupSessionManager.incrementSessionCounter()V"]);
    // msmlab's subclass overrides the method that uses it.
    let lab = link_report(11, LAB_MANAGER_11);
    let counter = lab.missing.iter().find(|m| m.member.ends_with(".sessionCounter:J")).expect("still referenced by msm's class");
    assert!(!counter.reachable);
    assert_eq!(counter.why, "io/msmlab/tomcat11/MemcachedBackupSessionManager overrides incrementSessionCounter without calling it");
}

/// verify with the drills, as JSON: (exit code, checks that failed, drills that failed).
fn verify_all(lab: &str, extra: &[&str]) -> (Option<i32>, Vec<String>, Vec<String>, serde_json::Value) {
    let mut args = vec!["verify", "--name", lab, "--requests", "6", "--json"];
    args.extend_from_slice(extra);
    let out = msmlab(&args);
    let v = json(&out);
    let drills: Vec<String> =
        v["drills"].as_array().into_iter().flatten().filter(|d| d["outcome"] == "failed").map(|d| d["drill"].as_str().unwrap().to_string()).collect();
    (out.status.code(), failed_checks(&v), drills, v)
}

#[test]
fn tomcat_10_1_with_kryo_shares_sessions_through_every_drill_and_carries_a_users_webapp() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-jakarta-10");
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    let up = msmlab(&["up", "--name", "e2e-jakarta-10", "--port", "13505", "--tomcat", "10.1", "--serializer", "kryo", "--webapp", war.to_str().unwrap()]);
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));
    assert!(stderr(&up).contains("Convert msm's jars to jakarta.servlet"), "{}", stderr(&up));
    let (code, checks, drills, v) = verify_all("e2e-jakarta-10", &["--drill", "all"]);
    assert_eq!((code, checks, drills), (Some(0), vec![], vec![]), "{v}");
    // kryo carries the user's cart (not Serializable) from Tomcat to Tomcat on 10.1 too.
    let (code, checks, _, v) = verify_all("e2e-jakarta-10", &["--path", "/state/cart.jsp?item=book"]);
    assert_eq!((code, checks), (Some(0), vec![]), "{v}");
}

#[test]
fn tomcat_11_on_java_21_runs_msm_through_msmlabs_manager_in_sticky_mode_too() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-jakarta-11");
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    let up = msmlab(&["up", "--name", "e2e-jakarta-11", "--port", "13506", "--tomcat", "11", "--jre", "21", "--sticky", "--webapp", war.to_str().unwrap()]);
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));
    let xml = docker(&["exec", "msmlab-e2e-jakarta-11-tomcat-1", "cat", "conf/context.xml"]);
    assert!(xml.contains(r#"className="io.msmlab.tomcat11.MemcachedBackupSessionManager""#), "{xml}");
    let (code, checks, drills, v) = verify_all("e2e-jakarta-11", &["--drill", "all"]);
    assert_eq!((code, checks, drills), (Some(0), vec![], vec![]), "{v}");
    let (code, checks, _, v) = verify_all("e2e-jakarta-11", &["--path", "/state/plain.jsp"]);
    assert_eq!((code, checks), (Some(0), vec![]), "{v}");
}

#[test]
fn a_webapp_for_javax_servlet_is_refused_on_tomcat_10_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("old");
    std::fs::create_dir_all(app.join("WEB-INF")).unwrap();
    std::fs::write(app.join("index.jsp"), r#"<%@ page import="javax.servlet.http.Cookie" %><%= new Cookie("a", "b").getName() %>"#).unwrap();
    let out = msmlab(&["up", "--name", "e2e-jakarta-javax", "--port", "13507", "--tomcat", "10.1", "--webapp", app.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("uses javax.servlet (old/index.jsp), which Tomcat 10.1 does not have"), "{err}");
    assert!(err.contains("jakartaee-migration") && err.contains("--tomcat 9") && err.contains("--webapp-javaee"), "{err}");
    assert_eq!(labelled("e2e-jakarta-javax"), Vec::<String>::new());
}

#[test]
fn what_tomcat_logs_to_its_own_files_reaches_the_labs_log_on_tomcat_9_too() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-jakarta-logs");
    // An exception in a page: Tomcat's localhost logger reports it, which its own
    // logging.properties sends to logs/localhost.<date>.log only (Tomcat 11's msm failure
    // was seen only there).
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("boom");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("index.jsp"), r#"<% if (true) throw new IllegalStateException("msmlab-boom-7f3a"); %>"#).unwrap();
    let up = msmlab(&["up", "--name", "e2e-jakarta-logs", "--port", "13508", "--webapp", app.to_str().unwrap()]);
    // The lab is up, the webapp's root is not: up says no (exit 1), keeps the lab, and quotes
    // what Tomcat logged.
    assert_eq!(up.status.code(), Some(1), "{}", stderr(&up));
    assert!(stdout(&up).contains("msmlab-boom-7f3a"), "{}", stdout(&up));
    let status = reqwest::blocking::Client::builder().no_proxy().build().unwrap().get("http://127.0.0.1:13508/boom/").send().unwrap().status();
    assert_eq!(status.as_u16(), 500);
    std::thread::sleep(std::time::Duration::from_secs(1));
    let logs = stdout(&msmlab(&["logs", "--name", "e2e-jakarta-logs", "tomcat"]));
    assert!(logs.contains("msmlab-boom-7f3a") && logs.contains("StandardWrapperValve"), "{logs}");
}
