//! `msmlab jars` tells a hand deployer exactly what goes into Tomcat's lib/, and `msmlab lock`
//! proves jars.lock is what the real POMs on Maven Central resolve to.

use crate::common::*;

use sha2::{Digest, Sha256};
use std::process::Command;

/// Runs msmlab with its cache in `cache`.
fn msmlab_cached(cache: &std::path::Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_msmlab")).args(args).env("MSMLAB_CACHE_DIR", cache).output().unwrap();
    eprintln!("$ msmlab {}\n{}{}", args.join(" "), String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

#[test]
fn jars_lists_the_kryo_set_for_tomcat_8_and_copies_it_verified() {
    let cache = tempfile::tempdir().unwrap();
    let listing = msmlab_cached(cache.path(), &["jars", "--tomcat", "8", "--serializer", "kryo", "--json"]);
    assert_eq!(listing.status.code(), Some(0));
    let j = json(&listing);
    let lib: Vec<&str> = j["lib"].as_array().unwrap().iter().map(|a| a["coords"].as_str().unwrap()).collect();
    // msm core and its Tomcat 8 jar, the kryo serializer with kryo 4's own dependencies and
    // kryo-serializers 0.45 (the POM's 0.41 fails on Java 9+), and the memcached client.
    assert_eq!(
        lib,
        [
            "de.javakaffee.msm:memcached-session-manager:2.3.2",
            "de.javakaffee.msm:memcached-session-manager-tc8:2.3.2",
            "de.javakaffee.msm:msm-kryo-serializer:2.3.2",
            "de.javakaffee:kryo-serializers:0.45",
            "com.esotericsoftware:kryo:4.0.3",
            "com.esotericsoftware:reflectasm:1.11.3",
            "com.esotericsoftware:minlog:1.3.0",
            "org.objenesis:objenesis:2.5.1",
            "org.ow2.asm:asm:5.0.4",
            "net.spy:spymemcached:2.12.0",
        ]
    );
    assert_eq!(j["distribution"]["coords"], "org.apache.tomcat:tomcat:tar.gz:8.5.100");
    assert_eq!(j["transcoder_factory"], "de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory");
    assert!(j["lib"].as_array().unwrap().iter().all(|a| a["cached"] == false && a["sha256"].as_str().unwrap().len() == 64));

    // --copy-to downloads, checks and copies them out; the listing then says they are cached.
    let out = tempfile::tempdir().unwrap();
    let copy = msmlab_cached(cache.path(), &["jars", "--tomcat", "8", "--serializer", "kryo", "--copy-to", out.path().to_str().unwrap()]);
    assert_eq!(copy.status.code(), Some(0));
    let text = stdout(&copy);
    assert!(text.starts_with("Tomcat 8 (8.5.100) + kryo + memcached: 10 jars for $CATALINA_HOME/lib"), "{text}");
    for a in j["lib"].as_array().unwrap() {
        let file = out.path().join(a["file"].as_str().unwrap());
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(hex::encode(Sha256::digest(&bytes)), a["sha256"].as_str().unwrap(), "{}", file.display());
    }
    let again = json(&msmlab_cached(cache.path(), &["jars", "--tomcat", "8", "--serializer", "kryo", "--json"]));
    assert!(again["lib"].as_array().unwrap().iter().all(|a| a["cached"] == true));
}

#[test]
fn jars_for_redis_swaps_the_client() {
    let j = json(&msmlab(&["jars", "--tomcat", "9", "--serializer", "xstream", "--store", "redis", "--json"]));
    let lib: Vec<&str> = j["lib"].as_array().unwrap().iter().map(|a| a["coords"].as_str().unwrap()).collect();
    assert!(lib.contains(&"redis.clients:jedis:2.9.0"), "{lib:?}");
    assert!(lib.contains(&"com.thoughtworks.xstream:xstream:1.4.21"), "{lib:?}");
    assert!(!lib.contains(&"net.spy:spymemcached:2.12.0"), "{lib:?}");
}

#[test]
fn lock_check_reproduces_the_committed_lock_from_maven_central() {
    let out = msmlab(&["lock", "--check", "--lockfile", concat!(env!("CARGO_MANIFEST_DIR"), "/jars.lock")]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("is up to date: the repository reproduces it byte for byte"), "{}", stdout(&out));
}

#[test]
fn lock_refuses_a_checksum_that_changed_under_the_same_coordinates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jars.lock");
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/jars.lock")).unwrap();
    // spymemcached 2.12.0's real sha256 starts with 9f280de9; pretend the lock said otherwise.
    let tampered = committed.replace("9f280de960fbe4cbecb4324f5e9dc3f67aeefc112d88f0cc11c3eea614d85d4a", &"0".repeat(64));
    assert_ne!(tampered, committed);
    std::fs::write(&path, &tampered).unwrap();
    let out = msmlab(&["lock", "--lockfile", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "the repository named serves other bytes than the lock pins");
    assert!(stderr(&out).contains("net.spy:spymemcached:2.12.0: the repository now serves a file with sha256 9f280de9"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), tampered, "the lock was not rewritten");
}

#[test]
fn another_tomcat_release_is_pinned_in_a_lock_of_ones_own_and_runs() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-pinned");
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("my.lock");
    let lockfile = lock.to_str().unwrap();
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/jars.lock"), &lock).unwrap();

    // The built-in lock refuses a release it does not pin, and says how to pin it.
    let refused = msmlab(&["up", "--name", "e2e-pinned", "--tomcat", "9.0.98", "--port", "13412"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("msmlab lock --lockfile my.lock --tomcat 9.0.98"), "{}", stderr(&refused));

    // Pinned from Maven Central's metadata and the file's .sha1, only the Tomcat 9 line moves.
    let pinned = msmlab(&["lock", "--lockfile", lockfile, "--tomcat", "9.0.98"]);
    assert_eq!(pinned.status.code(), Some(0));
    assert!(stdout(&pinned).contains("+ org.apache.tomcat:tomcat:tar.gz:9.0.98\n  - org.apache.tomcat:tomcat:tar.gz:9.0.117"), "{}", stdout(&pinned));

    let up = msmlab(&["up", "--name", "e2e-pinned", "--lockfile", lockfile, "--tomcat", "9.0.98", "--port", "13412", "-q"]);
    assert_eq!(up.status.code(), Some(0));
    let verify = json(&msmlab(&["verify", "--name", "e2e-pinned", "--json", "--requests", "6"]));
    assert_eq!(verify["ok"], true);
    let tomcat_log = Command::new("docker").args(["logs", "msmlab-e2e-pinned-tomcat-1"]).output().unwrap();
    let log = String::from_utf8_lossy(&tomcat_log.stdout).to_string() + &String::from_utf8_lossy(&tomcat_log.stderr);
    assert!(log.contains("Apache Tomcat/9.0.98"), "the Tomcat that runs is the pinned release");
}
