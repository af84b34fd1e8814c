//! `--images official`: Docker Hub's image names, pulled through the engine. No registry answers
//! here, so scripts/local-registry.sh runs one on loopback with stand-ins built under the
//! official names; msmlab pulls them from it as it would from Docker Hub or a mirror.

use crate::common::*;

use std::process::Command;

const REGISTRY: &str = "127.0.0.1:5555";
const IMAGES: [&str; 3] = ["tomcat:9.0-jre17", "nginx:1.27", "memcached:1.6"];

fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker").args(args).output().expect("the docker CLI runs")
}

#[test]
fn a_lab_of_official_images_is_pulled_from_the_registry_and_shares_the_session() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-official-pull");
    let setup = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/local-registry.sh")).status().unwrap();
    assert!(setup.success(), "scripts/local-registry.sh failed");
    // Drop the registry's names (only those: the layers stay), so up must pull through the API.
    for image in IMAGES {
        let _ = docker(&["rmi", &format!("{REGISTRY}/library/{image}")]);
    }

    let up = msmlab(&["up", "--name", "e2e-official-pull", "--port", "13461", "--images", "official", "--registry", REGISTRY]);
    assert_eq!(up.status.code(), Some(0));
    for image in IMAGES {
        assert!(stderr(&up).contains(&format!("✓ Image {REGISTRY}/library/{image}: pulled")), "{image}: {}", stderr(&up));
        assert!(docker(&["image", "inspect", &format!("{REGISTRY}/library/{image}")]).status.success(), "{image} was pulled");
    }
    // The containers run the official images, with msmlab's files uploaded into them.
    let image_of = |c: &str| String::from_utf8_lossy(&docker(&["inspect", "-f", "{{.Config.Image}}", c]).stdout).trim().to_string();
    assert_eq!(image_of("msmlab-e2e-official-pull-tomcat-1"), format!("{REGISTRY}/library/tomcat:9.0-jre17"));
    assert_eq!(image_of("msmlab-e2e-official-pull-nginx-1"), format!("{REGISTRY}/library/nginx:1.27"));
    assert_eq!(image_of("msmlab-e2e-official-pull-memcached-1"), format!("{REGISTRY}/library/memcached:1.6"));

    let verify = msmlab(&["verify", "--name", "e2e-official-pull", "--json"]);
    assert_eq!(verify.status.code(), Some(0));
    assert_eq!(json(&verify)["ok"], true);

    // A second up finds the images present and pulls nothing.
    assert_eq!(msmlab(&["down", "--name", "e2e-official-pull"]).status.code(), Some(0));
    let again = msmlab(&["up", "--name", "e2e-official-pull", "--port", "13461", "--images", "official", "--registry", REGISTRY]);
    assert_eq!(again.status.code(), Some(0));
    assert!(stderr(&again).contains(&format!("✓ Image {REGISTRY}/library/tomcat:9.0-jre17: present")), "{}", stderr(&again));
    assert_eq!(msmlab(&["down", "--name", "e2e-official-pull"]).status.code(), Some(0));
    assert_eq!(labelled("e2e-official-pull"), Vec::<String>::new());
}

#[test]
fn tomcat_10_1_and_11_from_the_official_images_run_the_converted_jars_and_sticky_is_refused_with_the_reason() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-official-jakarta");
    let setup = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/local-registry.sh")).status().unwrap();
    assert!(setup.success(), "scripts/local-registry.sh failed");
    // msm's jars are converted with the Java of the official image itself.
    let up = msmlab(&["up", "--name", "e2e-official-jakarta", "--port", "13462", "--tomcat", "10.1", "--images", "official", "--registry", REGISTRY]);
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));
    assert!(stderr(&up).contains("Convert msm's jars to jakarta.servlet"), "{}", stderr(&up));
    // The probe in its jakarta form, compiled by the image's own ecj: state is really checked.
    assert!(stderr(&up).contains("Compile msmlab's session probe (jakarta.servlet)"), "{}", stderr(&up));
    let verify = msmlab(&["verify", "--name", "e2e-official-jakarta", "--json"]);
    assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));
    assert!(check_detail(&json(&verify), "state").starts_with("every attribute arrived as it was left"), "{}", stdout(&verify));
    assert_eq!(msmlab(&["down", "--name", "e2e-official-jakarta"]).status.code(), Some(0));
    // Tomcat 11 runs from the JDK tag, whose javac compiles msmlab's Manager.
    let up = msmlab(&["up", "--name", "e2e-official-jakarta", "--port", "13462", "--tomcat", "11", "--images", "official", "--registry", REGISTRY]);
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));
    assert!(stderr(&up).contains(&format!("✓ Image {REGISTRY}/library/tomcat:11.0-jdk17: pulled")) || stderr(&up).contains("tomcat:11.0-jdk17: present"), "{}", stderr(&up));
    assert!(stderr(&up).contains("Compile msmlab's Manager for Tomcat 11"), "{}", stderr(&up));
    let verify = msmlab(&["verify", "--name", "e2e-official-jakarta", "--json"]);
    assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));
    assert!(check_detail(&json(&verify), "state").starts_with("every attribute arrived as it was left"), "{}", stdout(&verify));
    assert_eq!(msmlab(&["down", "--name", "e2e-official-jakarta"]).status.code(), Some(0));
    // Sticky needs a jvmRoute in server.xml, which msmlab cannot set in an image it only pulls.
    let out = msmlab(&["up", "--name", "e2e-official-jakarta", "--port", "13462", "--images", "official", "--registry", REGISTRY, "--tomcat", "10.1", "--sticky"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is read from server.xml only"), "{}", stderr(&out));
    assert_eq!(labelled("e2e-official-jakarta"), Vec::<String>::new());
}

#[test]
fn a_registry_that_does_not_answer_fails_the_pull_before_anything_is_created() {
    let _cleanup = Lab::claim("e2e-official-none");
    // Nothing listens on this port.
    let up = msmlab(&["up", "--name", "e2e-official-none", "--port", "13463", "--images", "official", "--registry", "127.0.0.1:13479"]);
    assert_eq!(up.status.code(), Some(3), "a registry that does not answer is the environment failing");
    let err = stderr(&up);
    assert!(err.contains("fetching the official images failed: 127.0.0.1:13479/library/"), "{err}");
    assert!(err.contains("use the images msmlab builds itself (--images built, the default)"), "{err}");
    assert_eq!(labelled("e2e-official-none"), Vec::<String>::new());
}

#[test]
fn an_official_lab_carries_the_session_probe_so_verify_checks_the_state_and_names_a_lost_attribute() {
    let _serial = one_lab_at_a_time();
    let _cleanup = Lab::claim("e2e-official-state");
    let setup = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/local-registry.sh")).status().unwrap();
    assert!(setup.success(), "scripts/local-registry.sh failed");
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    // A cache of its own, so the probe is really compiled (in the official image, by its ecj).
    let cache = dir.path().join("cache");
    let env = [("MSMLAB_CACHE_DIR", cache.to_str().unwrap())];
    let up = msmlab_with(
        &["up", "--name", "e2e-official-state", "--port", "13464", "--images", "official", "--registry", REGISTRY, "--serializer", "java", "--webapp", war.to_str().unwrap()],
        &env,
    );
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));
    let compiled = stderr(&up).lines().find(|l| l.contains("Compile msmlab's session probe (javax.servlet)")).map(str::to_string);
    assert!(compiled.as_deref().is_some_and(|l| l.contains("bytes, kept in")), "{}", stderr(&up));
    let kept: Vec<_> = std::fs::read_dir(cache.join("built")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(kept.iter().any(|f| f.starts_with("probe-javax-") && f.ends_with(".jar")), "{kept:?}");

    // The jar and its declaration arrived with the other uploaded files, and the label says so.
    let tomcat = "msmlab-e2e-official-state-tomcat-1";
    let files = docker(&["exec", tomcat, "ls", "lib/msmlab-probe.jar", "conf/Catalina/localhost/web.xml.default"]);
    assert!(files.status.success(), "{}", String::from_utf8_lossy(&files.stderr));
    let label = docker(&["inspect", "-f", "{{index .Config.Labels \"io.msmlab.probe\"}}", tomcat]);
    assert_eq!(String::from_utf8_lossy(&label.stdout).trim().len(), 16, "the probe label is the key of its build");

    // The test page: the state check compared the session's attributes, it did not skip them.
    let verify = msmlab(&["verify", "--name", "e2e-official-state", "--json"]);
    assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));
    let state = check_detail(&json(&verify), "state");
    assert!(!state.starts_with("not checked") && state.contains("hand-overs"), "{state}");

    // Java serialization drops the cart (not Serializable) at every switch of Tomcat: named.
    let out = msmlab(&["verify", "--name", "e2e-official-state", "--path", "/state/cart.jsp?item=book", "--requests", "6", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let v = json(&out);
    assert_eq!(failed_checks(&v), ["state"]);
    let detail = check_detail(&v, "state");
    assert!(detail.starts_with("`cart` (state.Cart, not Serializable) was lost: msmlab-e2e-official-state-tomcat-"), "{detail}");
    assert_eq!(v["state"]["losses"][0]["attribute"], "cart");

    assert_eq!(msmlab(&["down", "--name", "e2e-official-state"]).status.code(), Some(0));
    assert_eq!(labelled("e2e-official-state"), Vec::<String>::new());
}

#[test]
fn compat_examines_an_application_on_official_images() {
    let _serial = one_lab_at_a_time();
    let _labs = [Lab::claim("e2e-ocompat-java"), Lab::claim("e2e-ocompat-kryo")];
    let setup = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/local-registry.sh")).status().unwrap();
    assert!(setup.success(), "scripts/local-registry.sh failed");
    let dir = tempfile::tempdir().unwrap();
    let war = build_state_war(dir.path());
    #[rustfmt::skip]
    let out = msmlab(&[
        "compat", "--name", "e2e-ocompat", "--port", "13465", "--webapp", war.to_str().unwrap(), "--images", "official", "--registry", REGISTRY,
        "--path", "/state/cart.jsp?item=book", "--serializers", "java,kryo", "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    let row = |s: &str| report["results"].as_array().unwrap().iter().find(|r| r["serializer"] == s).unwrap().clone();
    assert_eq!(row("java")["lost_attributes"], serde_json::json!(["cart"]), "{report}");
    assert_eq!(row("kryo")["ok"], true, "{report}");
    assert_eq!(labelled("e2e-ocompat-java"), Vec::<String>::new());
    assert_eq!(labelled("e2e-ocompat-kryo"), Vec::<String>::new());
}
