//! The support matrix, for real: every Tomcat line × serializer msmlab supports comes up with
//! memcached and passes `verify`, each line also with Redis (10.1 and 11, whose msm jars are
//! converted to jakarta.servlet, with every serializer), Tomcat 9 + kryo on every JRE, and
//! Tomcat 11 on Java 21. What msm cannot do is refused before anything is created, with the reason.
//!
//! The labs run one after another under one name (the 2-core machine runs one lab well),
//! reusing images and cached jars; the table at the end is what the README's support table
//! promises.

use crate::common::*;

use std::fmt::Write;
use std::time::Instant;

const LAB: &str = "e2e-matrix";
const PORT: &str = "13410";

/// (tomcat, serializer, store, jre)
fn supported() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    let mut combos = Vec::new();
    for tomcat in ["7", "8", "9"] {
        for serializer in ["java", "kryo", "xstream"] {
            combos.push((tomcat, serializer, "memcached", "17"));
        }
        combos.push((tomcat, "kryo", "redis", "17"));
    }
    for tomcat in ["10.1", "11"] {
        for serializer in ["java", "kryo", "xstream"] {
            for store in ["memcached", "redis"] {
                combos.push((tomcat, serializer, store, "17"));
            }
        }
    }
    combos.push(("9", "kryo", "memcached", "11"));
    combos.push(("9", "kryo", "memcached", "21"));
    combos.push(("11", "kryo", "memcached", "21"));
    combos
}

#[test]
fn every_supported_combination_comes_up_and_shares_the_session() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim(LAB);
    let started = Instant::now();
    let mut table = String::from("\n tomcat  serializer  store      jre  up      verify\n");
    let mut failed = Vec::new();
    for (tomcat, serializer, store, jre) in supported() {
        let t = Instant::now();
        let up = msmlab(&[
            "up", "--name", LAB, "--port", PORT, "-q", "--tomcat", tomcat, "--serializer", serializer, "--store", store, "--jre", jre,
        ]);
        let up_secs = t.elapsed().as_secs_f64();
        let verdict = if up.status.success() {
            let v = msmlab(&["verify", "--name", LAB, "--json", "--requests", "10"]);
            let json = json(&v);
            let failed_checks: Vec<String> = json["checks"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["ok"] != true)
                .map(|c| c["name"].as_str().unwrap().to_string())
                .collect();
            if v.status.success() && failed_checks.is_empty() {
                "PASS".to_string()
            } else {
                format!("FAIL {}", failed_checks.join(","))
            }
        } else {
            "FAIL up".to_string()
        };
        let down = msmlab(&["down", "--name", LAB]);
        assert!(down.status.success());
        assert!(labelled(LAB).is_empty(), "down left resources of {LAB}");
        let _ = writeln!(table, " {tomcat:<7} {serializer:<11} {store:<10} {jre:<4} {up_secs:>5.1}s  {verdict}");
        if verdict != "PASS" {
            failed.push(format!("tomcat {tomcat} + {serializer} + {store} on Java {jre}: {verdict}"));
        }
    }
    let _ = writeln!(table, " {} combinations in {:.0}s", supported().len(), started.elapsed().as_secs_f64());
    eprintln!("{table}");
    assert!(failed.is_empty(), "{table}\nfailed:\n  {}", failed.join("\n  "));
}

#[test]
fn what_msm_cannot_do_is_refused_with_its_reason_and_creates_nothing() {
    let lab = "e2e-refused";
    let _cleanup = Lab::claim(lab);
    let cases: &[(&[&str], &str)] = &[
        (&["--tomcat", "6"], "no Apache Tomcat 6 distribution"),
        (&["--tomcat", "12"], "newer than msmlab knows"),
        (&["--tomcat", "10.0"], "Tomcat 10.0 is not offered"),
        (&["--tomcat", "11", "--jre", "11"], "Tomcat 11 needs Java 17 or later"),
        (&["--tomcat", "11.0.1"], "Tomcat 11.0.1 is not pinned"),
        (&["--tomcat", "8.0"], "Tomcat 8.0 is not offered"),
        (&["--serializer", "flexjson"], "AbstractMethodError"),
        (&["--serializer", "javolution"], "stopped publishing msm-javolution-serializer"),
        (&["--serializer", "protobuf"], "possible values: java, kryo, xstream"),
        (&["--store", "redis", "--store-nodes", "2"], "single Redis node"),
        (&["--store-nodes", "0"], "1 to 8 memcached nodes"),
        (&["--jre", "8"], "possible values: 11, 17, 21"),
    ];
    for (flags, reason) in cases {
        let mut args = vec!["up", "--name", lab, "--port", "13411"];
        args.extend_from_slice(flags);
        let out = msmlab(&args);
        assert_eq!(out.status.code(), Some(2), "{flags:?}");
        assert!(stderr(&out).contains(reason), "{flags:?} should say {reason:?}: {}", stderr(&out));
        assert!(labelled(lab).is_empty(), "{flags:?} created something");
    }
}
