//! What the end-to-end tests (`tests/e2e/`, and the binaries kept apart from it) share: running the real `msmlab` binary against the real
//! engine, and asking the engine (through the docker CLI, independently of msmlab) what
//! carries a lab's label. There is no fake here, and no skipping: without an engine, `up`
//! fails and so does the test.

pub mod dind;
pub mod proxy;

use std::process::{Command, Output};

/// Runs `msmlab ARGS…` and returns what it printed.
pub fn msmlab(args: &[&str]) -> Output {
    msmlab_with(args, &[])
}

/// Runs `msmlab ARGS…` with extra environment variables (`DOCKER_HOST`, `MSMLAB_CACHE_DIR`, …).
pub fn msmlab_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_msmlab"))
        .args(args)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("the msmlab binary runs");
    eprintln!(
        "$ msmlab {}\n  exit {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
        args.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `msmlab ARGS…` in `dir` (where it looks for msmlab.toml) with extra environment.
pub fn msmlab_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_msmlab"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1").env_remove("MSMLAB_CONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the msmlab binary runs");
    eprintln!(
        "$ (cd {}; msmlab {})\n  exit {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
        dir.display(),
        args.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The finding of `msmlab doctor --json` named `name`.
pub fn finding<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["findings"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap_or_else(|| panic!("no finding {name}: {report}"))
}

/// Runs `msmlab ARGS…` and hands each line it prints on stderr (its progress) to `on_line`
/// with msmlab's pid, as it comes, so a test can act at a given step (send a signal, cut the
/// engine). Returns the exit code and the whole stderr.
pub fn msmlab_watching(args: &[&str], env: &[(&str, &str)], mut on_line: impl FnMut(&str, u32)) -> (Option<i32>, String) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_msmlab"))
        .args(args)
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the msmlab binary runs");
    let pid = child.id();
    let mut seen = Vec::new();
    for line in BufReader::new(child.stderr.take().expect("stderr is piped")).lines() {
        let line = line.expect("stderr is text");
        on_line(&line, pid);
        seen.push(line);
    }
    (child.wait().expect("msmlab ends").code(), seen.join("\n"))
}

/// Sends `signal` (`-INT`, `-TERM`) to `pid`.
pub fn signal(pid: u32, signal: &str) {
    assert!(Command::new("kill").args([signal, &pid.to_string()]).status().expect("kill runs").success());
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(o)))
}

/// Names of every container, network and volume labelled `io.msmlab.lab=<lab>`.
pub fn labelled(lab: &str) -> Vec<String> {
    labelled_by(&format!("label=io.msmlab.lab={lab}"))
}

/// `docker inspect` of one object, as JSON.
pub fn inspect(name: &str) -> serde_json::Value {
    let out = Command::new("docker").args(["inspect", name]).output().expect("the docker CLI runs");
    assert!(out.status.success(), "docker inspect {name}: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v[0].clone()
}

/// Runs the docker CLI and says whether it succeeded (for setup, cleanup and probes that may fail).
pub fn docker_ok(args: &[&str]) -> bool {
    Command::new("docker").args(args).output().expect("the docker CLI runs").status.success()
}

/// Names of every container, network and volume that the docker `--filter` matches.
pub fn labelled_by(filter: &str) -> Vec<String> {
    let mut names = Vec::new();
    for what in [
        vec!["ps", "-a", "--format", "{{.Names}}"],
        vec!["network", "ls", "--format", "{{.Name}}"],
        vec!["volume", "ls", "--format", "{{.Name}}"],
    ] {
        let mut args = what.clone();
        args.extend(["--filter", filter]);
        let out = Command::new("docker").args(&args).output().expect("the docker CLI runs");
        assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        names.extend(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string));
    }
    names
}

/// A lab name owned by one test: whatever an earlier, crashed run left under that name is
/// removed first, and the lab is removed when the test ends, passed or not.
pub struct Lab(pub &'static str);

impl Lab {
    pub fn claim(name: &'static str) -> Lab {
        let _ = Command::new(env!("CARGO_BIN_EXE_msmlab")).args(["down", "--name", name]).output();
        Lab(name)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_msmlab")).args(["down", "--name", self.0]).output();
    }
}

/// A repository on loopback that answers every request with `head` followed by `body`, then
/// keeps the connection open for `hold` (a stalled download) before closing it.
pub fn serve_repo(head: &'static str, body: &'static [u8], hold: std::time::Duration) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf);
                let _ = conn.write_all(head.as_bytes());
                let _ = conn.write_all(body);
                let _ = conn.flush();
                std::thread::sleep(hold);
            });
        }
    });
    format!("http://{addr}/maven2")
}

/// Every file under `dir`, recursively (hidden ones included).
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Runs `docker ARGS…` (the engine checked independently of msmlab, or broken on purpose)
/// and returns its stdout; fails the test if docker fails.
pub fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().expect("the docker CLI runs");
    assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Waits until a Tomcat container serves the test page again (after the test restarted it):
/// a readiness wait with a bound, not a timed assertion.
pub fn wait_until_tomcat_serves(container: &str) {
    let probe = "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /ShareSession/ShowSession?probe=1 HTTP/1.0\\r\\n\\r\\n' >&3 && head -c 12 <&3";
    for _ in 0..240 {
        let out = Command::new("docker").args(["exec", container, "bash", "-c", probe]).output().expect("the docker CLI runs");
        if String::from_utf8_lossy(&out.stdout).starts_with("HTTP/1.1 200") {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    panic!("{container} did not serve the test page again within a minute");
}

/// The small webapp the tests deploy with `up --webapp`. Its pages, compiled by Tomcat's JSP
/// engine at first use:
/// - `index.jsp`: counts visits in the session (`Visits: N`), as a real app keeps state;
/// - `fail.jsp`: answers 500, as a broken app does;
/// - `thread.jsp`: puts a `Serializable` list holding a `Thread` into the session, which
///   Java serialization cannot write (msm logs `NotSerializableException`).
pub fn webapp_files() -> &'static [(&'static str, &'static str)] {
    &[
        (
            "WEB-INF/web.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://xmlns.jcp.org/xml/ns/javaee" version="3.1"><display-name>my</display-name></web-app>
"#,
        ),
        (
            "index.jsp",
            r#"<%@ page contentType="text/plain; charset=UTF-8" %><%
Integer n = (Integer) session.getAttribute("visits");
n = n == null ? 1 : n + 1;
session.setAttribute("visits", n);
out.println("Visits: " + n);
%>"#,
        ),
        ("fail.jsp", r#"<%@ page contentType="text/plain; charset=UTF-8" %><% response.sendError(500, "broken on purpose"); %>"#),
        (
            "thread.jsp",
            r#"<%@ page contentType="text/plain; charset=UTF-8" import="java.util.ArrayList" %><%
ArrayList<Object> list = new ArrayList<>();
list.add(new Thread());
session.setAttribute("threads", list);
out.println("a Thread is in the session now");
%>"#,
        ),
    ]
}

/// The webapp as a WAR (a zip archive, written with the `zip` crate): `dir/my.war`.
pub fn build_war(dir: &std::path::Path) -> std::path::PathBuf {
    use std::io::Write;
    let path = dir.join("my.war");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in webapp_files() {
        zip.start_file(*name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    path
}

/// The webapp as an exploded directory: `dir/exploded/`.
pub fn build_exploded(dir: &std::path::Path) -> std::path::PathBuf {
    let root = dir.join("exploded");
    for (name, body) in webapp_files() {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    root
}

/// Names of the checks that failed in a `verify --json` answer.
pub fn failed_checks(v: &serde_json::Value) -> Vec<String> {
    v["checks"].as_array().unwrap().iter().filter(|c| c["ok"] == false).map(|c| c["name"].as_str().unwrap().to_string()).collect()
}

/// The detail of one check in a `verify --json` answer.
pub fn check_detail(v: &serde_json::Value, name: &str) -> String {
    let c = v["checks"].as_array().unwrap().iter().find(|c| c["name"] == name);
    c.unwrap_or_else(|| panic!("no check {name} in {v}"))["detail"].as_str().unwrap().to_string()
}

/// Tests that hold this run their labs one after another: a 2-core machine runs one lab of
/// JVMs well, and under heavy load msm misses its 100 ms backup timeout and really loses
/// sessions, which would make such tests fail for the wrong reason. Every end-to-end test
/// that brings up a lab (or an engine of its own) holds it, first thing, so its lab is down
/// before the next one starts; the tests that bring nothing up (refusals, help) do not, and
/// run beside them. The lock is one per test binary: all the end-to-end tests are one binary
/// (`tests/e2e/`), and cargo runs the binaries (soak's) one after another.
pub fn one_lab_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The `state` webapp (`tests/webapps/state/`, whose README lists its pages), built into
/// `dir/state.war`: its classes compiled with the JDK's `javac` for Java 11, the lab's oldest
/// JRE, and zipped with its pages and `WEB-INF/lib/msmlab-tags.jar` (a tag library, from
/// `taglib/`).
pub fn build_state_war(dir: &std::path::Path) -> std::path::PathBuf {
    state_war(dir, false)
}

/// The state webapp with its gate filter (`tests/webapps/state/gate/`), which answers `/gate/*`
/// itself. Kept out of `build_state_war`: it uses `javax.servlet`, which Tomcat 10.1 and 11 refuse.
pub fn build_gate_war(dir: &std::path::Path) -> std::path::PathBuf {
    state_war(dir, true)
}

fn java_sources(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "java")).collect()
}

/// Compiles `sources` with the JDK's `javac` for Java 11, the lab's oldest JRE, into `classes`;
/// `options` go before the sources. Fails the test with javac's message.
pub fn javac(classes: &std::path::Path, options: &[&std::ffi::OsStr], sources: &[std::path::PathBuf]) {
    let out = Command::new("javac")
        .args(["--release", "11", "-d"])
        .arg(classes)
        .args(options)
        .args(sources)
        .output()
        .expect("javac runs (the tests build their Java with the JDK)");
    assert!(out.status.success(), "javac failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn state_war(dir: &std::path::Path, gate: bool) -> std::path::PathBuf {
    use std::io::Write;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/webapps/state");
    let classes = dir.join(if gate { "gate-classes" } else { "state-classes" });
    let mut sources = java_sources(&root.join("src/state"));
    let stubs = root.join("gate/servlet-stubs");
    let mut options: Vec<&std::ffi::OsStr> = Vec::new();
    if gate {
        // The Servlet API's stand-ins are read for their signatures, never compiled into the WAR.
        sources.extend(java_sources(&root.join("gate/src/gate")));
        options.extend(["-sourcepath".as_ref(), stubs.as_os_str(), "-implicit:none".as_ref()]);
    }
    javac(&classes, &options, &sources);
    // Named state.war either way: its name is its context path, /state.
    let path = if gate { dir.join("gate") } else { dir.to_path_buf() }.join("state.war");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let web_xml = if gate { root.join("gate/web.xml") } else { root.join("web/WEB-INF/web.xml") };
    let mut add_tree = |base: &std::path::Path, prefix: &str| {
        let mut stack = vec![base.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let name = format!("{prefix}{}", p.strip_prefix(base).unwrap().to_str().unwrap());
                    let body = if name == "WEB-INF/web.xml" { std::fs::read(&web_xml).unwrap() } else { std::fs::read(&p).unwrap() };
                    zip.start_file(name, options).unwrap();
                    zip.write_all(&body).unwrap();
                }
            }
        }
    };
    add_tree(&root.join("web"), "");
    add_tree(&classes, "WEB-INF/classes/");
    zip.start_file("WEB-INF/lib/msmlab-tags.jar", options).unwrap();
    zip.write_all(&zip_tree(&root.join("taglib"))).unwrap();
    zip.finish().unwrap();
    path
}

/// The files under `dir` as a zip archive (a jar needs no manifest), in memory.
pub fn zip_tree(dir: &std::path::Path) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for file in files_under(dir) {
        let name = file.strip_prefix(dir).unwrap().to_str().unwrap().replace('\\', "/");
        zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(&std::fs::read(&file).unwrap()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}
