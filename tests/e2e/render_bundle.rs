//! `msmlab render`: the files for real servers, checked (nginx -t in a container, XML), with a
//! README saying where each goes.

use crate::common::*;

use std::process::Command;

#[test]
fn a_bundle_for_real_servers_holds_the_pinned_jars_and_configs_that_pass_nginx_t() {
    // One render with engine checks at a time: this test looks for their leftover containers.
    let _serial = one_lab_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("bundle");
    let out = msmlab(&[
        "render",
        "--out",
        out_dir.to_str().unwrap(),
        "--tomcat-hosts",
        "10.0.0.5:8080,10.0.0.6:8080,app3.internal:8080",
        "--store-nodes-at",
        "n1:10.0.0.9:11211,n2:10.0.0.10:11211",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let r = json(&out);
    assert_eq!(r["ok"], true);
    let files: Vec<&str> = r["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(
        files,
        [
            "tomcat/lib/memcached-session-manager-2.3.2.jar",
            "tomcat/lib/memcached-session-manager-tc9-2.3.2.jar",
            "tomcat/lib/spymemcached-2.12.0.jar",
            "tomcat/conf/context.xml",
            "nginx/nginx.conf",
            "README.md",
            "SHA256SUMS",
        ]
    );
    let checks: Vec<(&str, bool)> = r["checks"].as_array().unwrap().iter().map(|c| (c["name"].as_str().unwrap(), c["ok"] == true)).collect();
    assert_eq!(checks, [("context.xml", true), ("nginx -t", true)]);
    let nginx_t = r["checks"][1]["detail"].as_str().unwrap();
    assert!(nginx_t.contains("test is successful"), "{nginx_t}");

    // The jars are the ones jars.lock pins, byte for byte: `sha256sum -c` agrees.
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/jars.lock")).unwrap();
    let sums = std::fs::read_to_string(out_dir.join("SHA256SUMS")).unwrap();
    for line in sums.lines().filter(|l| l.contains("tomcat/lib/")) {
        let sha = line.split_whitespace().next().unwrap();
        assert!(lock.contains(sha), "{line} is not pinned in jars.lock");
    }
    let check = Command::new("sha256sum").args(["-c", "SHA256SUMS"]).current_dir(&out_dir).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));

    // context.xml: well-formed, msm's manager pointing at the given nodes.
    let xml = std::fs::read_to_string(out_dir.join("tomcat/conf/context.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let manager = doc.descendants().find(|n| n.has_tag_name("Manager")).unwrap();
    assert_eq!(manager.attribute("className"), Some("de.javakaffee.web.msm.MemcachedBackupSessionManager"));
    assert_eq!(manager.attribute("memcachedNodes"), Some("n1:10.0.0.9:11211,n2:10.0.0.10:11211"));
    assert_eq!(manager.attribute("sticky"), Some("false"));

    // nginx.conf: every Tomcat in the upstream, listening on 80.
    let conf = std::fs::read_to_string(out_dir.join("nginx/nginx.conf")).unwrap();
    for host in ["10.0.0.5:8080", "10.0.0.6:8080", "app3.internal:8080"] {
        assert!(conf.contains(&format!("server {host} weight=1;")), "{conf}");
    }
    assert!(conf.contains("listen 80;"));

    // Checked again, independently of msmlab: nginx -t on the written file, in msmlab's nginx
    // image, with no network (the host name mapped to a documentation address).
    let image = Command::new("docker").args(["images", "--filter", "label=io.msmlab.image=nginx", "--filter", "dangling=false", "--format", "{{.Repository}}:{{.Tag}}"]).output().unwrap();
    let image = String::from_utf8_lossy(&image.stdout).lines().next().expect("render built msmlab's nginx image").to_string();
    let mut t = Command::new("docker")
        .args(["run", "--rm", "-i", "--network", "none", "--user", "root", "--add-host", "app3.internal:192.0.2.1", &image, "sh", "-c", "cat > /tmp/nginx.conf && nginx -t -c /tmp/nginx.conf"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut t.stdin.take().unwrap(), conf.as_bytes()).unwrap();
    let t = t.wait_with_output().unwrap();
    assert!(t.status.success(), "nginx -t: {}", String::from_utf8_lossy(&t.stderr));

    // The README says where each file goes.
    let readme = std::fs::read_to_string(out_dir.join("README.md")).unwrap();
    assert!(readme.contains("| `tomcat/lib/spymemcached-2.12.0.jar` | every Tomcat | `$CATALINA_HOME/lib/` |"), "{readme}");
    assert!(readme.contains("| `nginx/nginx.conf` | the nginx host | `/etc/nginx/nginx.conf`"), "{readme}");
    assert!(readme.contains("✓ nginx -t"), "{readme}");

    // No container of the check is left behind.
    let left = Command::new("docker").args(["ps", "-a", "--filter", "name=msmlab-render-check", "--format", "{{.Names}}"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&left.stdout), "");

    // A second render into the same directory needs --force.
    let again = msmlab(&["render", "--out", out_dir.to_str().unwrap(), "--tomcat-hosts", "h:8080", "--store-nodes-at", "n1:h:11211"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("is not empty; choose an empty or new directory, or add --force"), "{}", stderr(&again));
}

#[test]
fn quiet_prints_no_progress_and_redis_gets_its_url() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("redis");
    let out = msmlab(&[
        "render", "-q", "--no-engine-check", "--out", out_dir.to_str().unwrap(), "--store", "redis",
        "--tomcat-hosts", "10.0.0.5:8080,10.0.0.6:8080", "--store-nodes-at", "10.0.0.9:6379",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "", "-q: no progress lines");
    assert!(stdout(&out).contains("✓ nginx -t: skipped (--no-engine-check)"), "{}", stdout(&out));
    let xml = std::fs::read_to_string(out_dir.join("tomcat/conf/context.xml")).unwrap();
    assert!(xml.contains(r#"memcachedNodes="redis://10.0.0.9:6379""#), "{xml}");
    let jars: Vec<String> = std::fs::read_dir(out_dir.join("tomcat/lib")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(jars.iter().any(|j| j.starts_with("jedis-")), "the Redis client: {jars:?}");
}

#[test]
fn bad_addresses_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("bundle");
    let cases: &[(&[&str], &str)] = &[
        (&["--tomcat-hosts", "10.0.0.5", "--store-nodes-at", "n1:h:11211"], "--tomcat-hosts: \"10.0.0.5\" is not HOST:PORT"),
        (&["--tomcat-hosts", "h:8080", "--store-nodes-at", "10.0.0.9:11211"], "--store-nodes-at: \"10.0.0.9:11211\" is not ID:HOST:PORT"),
        (&["--tomcat-hosts", "h:8080"], "--store-nodes-at is required with msm"),
        (&["--tomcat-hosts", "h;rm -rf /:8080", "--store-nodes-at", "n1:h:11211"], "is not HOST:PORT"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["render", "--out", out_dir.to_str().unwrap()];
        all.extend_from_slice(args);
        let out = msmlab(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(expected), "{args:?}: {}", stderr(&out));
        assert!(!out_dir.exists(), "nothing is written for {args:?}");
    }
}

#[test]
fn an_xstream_allow_list_goes_into_the_bundle_as_a_compiled_jar_with_its_source() {
    let _serial = one_lab_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("bundle");
    let out = msmlab(&[
        "render", "--out", out_dir.to_str().unwrap(), "--serializer", "xstream", "--xstream-allow", "com.example.**,com.example.Cart",
        "--tomcat-hosts", "10.0.0.5:8080,10.0.0.6:8080", "--store-nodes-at", "n1:10.0.0.9:11211", "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = json(&out);
    let files: Vec<&str> = r["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(files.contains(&"tomcat/lib/msmlab-xstream-allow.jar") && files.contains(&"tomcat/src/AllowListTranscoderFactory.java"), "{files:?}");
    // The jar holds the compiled factory, and context.xml names it.
    let jar = std::fs::File::open(out_dir.join("tomcat/lib/msmlab-xstream-allow.jar")).unwrap();
    let names: Vec<String> = zip::ZipArchive::new(jar).unwrap().file_names().map(str::to_string).collect();
    assert!(names.contains(&"io/msmlab/xstream/AllowListTranscoderFactory.class".to_string()), "{names:?}");
    let context = std::fs::read_to_string(out_dir.join("tomcat/conf/context.xml")).unwrap();
    assert!(context.contains(r#"transcoderFactoryClass="io.msmlab.xstream.AllowListTranscoderFactory""#), "{context}");
    let source = std::fs::read_to_string(out_dir.join("tomcat/src/AllowListTranscoderFactory.java")).unwrap();
    assert!(source.contains(r#"static final String[] ALLOW = { "com.example.**", "com.example.Cart" };"#), "{source}");
    let readme = std::fs::read_to_string(out_dir.join("README.md")).unwrap();
    assert!(readme.contains("## xstream's allow-list") && readme.contains("- `com.example.**`"), "{readme}");
    let sums = std::fs::read_to_string(out_dir.join("SHA256SUMS")).unwrap();
    assert!(sums.contains("  tomcat/lib/msmlab-xstream-allow.jar"), "{sums}");

    // Without an engine there is nothing to compile with.
    let refused = msmlab(&[
        "render", "--out", dir.path().join("b2").to_str().unwrap(), "--serializer", "xstream", "--xstream-allow", "com.example.*",
        "--tomcat-hosts", "h:8080", "--store-nodes-at", "n1:h:11211", "--no-engine-check",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("leave out --no-engine-check"), "{}", stderr(&refused));
}

#[test]
fn a_bundle_for_tomcat_11_holds_the_converted_jars_and_msmlabs_manager() {
    let _serial = one_lab_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("bundle");
    let out = msmlab(&[
        "render", "--out", out_dir.to_str().unwrap(), "--tomcat", "11", "--serializer", "kryo",
        "--tomcat-hosts", "10.0.0.5:8080,10.0.0.6:8080", "--store-nodes-at", "n1:10.0.0.9:11211", "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let context = std::fs::read_to_string(out_dir.join("tomcat/conf/context.xml")).unwrap();
    assert!(context.contains(r#"className="io.msmlab.tomcat11.MemcachedBackupSessionManager""#), "{context}");
    let manager = std::fs::File::open(out_dir.join("tomcat/lib/msmlab-tomcat11-manager.jar")).unwrap();
    let names: Vec<String> = zip::ZipArchive::new(manager).unwrap().file_names().map(str::to_string).collect();
    assert!(names.contains(&"io/msmlab/tomcat11/MemcachedBackupSessionManager.class".to_string()), "{names:?}");
    // msm core is the converted jar, and the README says so; kryo goes in as it is.
    let core = std::fs::File::open(out_dir.join("tomcat/lib/memcached-session-manager-2.3.2.jar")).unwrap();
    let mut valve = zip::ZipArchive::new(core).unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut valve.by_name("de/javakaffee/web/msm/RequestTrackingHostValve.class").unwrap(), &mut bytes).unwrap();
    let uses = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(uses(b"jakarta/servlet/") && !uses(b"javax/servlet/"));
    let readme = std::fs::read_to_string(out_dir.join("README.md")).unwrap();
    assert!(readme.contains("`de.javakaffee.msm:memcached-session-manager:2.3.2` (sha256 `c3b9c42e75349a81"), "{readme}");
    assert!(readme.contains("here converted to `jakarta.servlet` by `org.apache.tomcat:jakartaee-migration:jar:shaded:1.0.12`"), "{readme}");
    let sums = std::process::Command::new("sha256sum").current_dir(&out_dir).args(["-c", "--quiet", "SHA256SUMS"]).status().unwrap();
    assert!(sums.success(), "SHA256SUMS holds the converted jars' own checksums");
    // Without an engine there is no Java to convert with.
    let refused = msmlab(&["render", "--out", dir.path().join("b2").to_str().unwrap(), "--tomcat", "10.1", "--tomcat-hosts", "h:8080", "--store-nodes-at", "n1:h:11211", "--no-engine-check"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("leave out --no-engine-check"), "{}", stderr(&refused));
}
