//! Readiness without sleeps: each wait watches for a concrete sign (a log line, a protocol
//! answer, an HTTP answer) under a deadline, and says what it saw when it gives up.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::engine::{Engine, EngineError};
use crate::names::WEBAPP_CONTEXT;

/// Lines of a container's log quoted when it fails to become ready.
pub const LOG_LINES: usize = 30;

#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    #[error("{container} did not become ready within {}s: {reason}\n--- last {LOG_LINES} log lines of {container} ---\n{logs}", .waited.as_secs())]
    Timeout { container: String, waited: Duration, reason: String, logs: String },
    #[error("{container} stopped (exit code {exit_code}) before it was ready: {reason}\n--- last {LOG_LINES} log lines of {container} ---\n{logs}")]
    Exited { container: String, exit_code: i64, reason: String, logs: String },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

async fn not_ready(engine: &Engine, container: &str, waited: Duration, reason: String) -> NotReady {
    let logs = engine.logs_tail(container, LOG_LINES).await;
    match engine.state(container).await {
        Ok((state, exit_code)) if state != "running" => NotReady::Exited { container: container.into(), exit_code, reason, logs },
        _ => NotReady::Timeout { container: container.into(), waited, reason, logs },
    }
}

/// memcached answers `version` over its text protocol, from inside its container.
pub async fn memcached(engine: &Engine, container: &str, timeout: Duration) -> Result<String, NotReady> {
    const SCRIPT: &str = r#"exec 3<>/dev/tcp/127.0.0.1/11211 && printf 'version\r\nquit\r\n' >&3 && cat <&3"#;
    let started = Instant::now();
    let mut last = String::from("no answer yet");
    while started.elapsed() < timeout {
        let out = engine.exec(container, &["bash", "-c", SCRIPT]).await?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if out.exit_code == 0 && text.starts_with("VERSION ") {
            return Ok(text);
        }
        if engine.state(container).await?.0 != "running" {
            break;
        }
        last = format!("`version` got {:?} (exit {})", text, out.exit_code);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(not_ready(engine, container, started.elapsed(), last).await)
}

/// Tomcat logged `Server startup in …` and then served the test page (probe mode: no
/// session is created) from inside its container. Returns the startup line.
pub async fn tomcat(engine: &Engine, container: &str, timeout: Duration) -> Result<String, NotReady> {
    let started = Instant::now();
    if !engine.wait_for_log(container, "Server startup in", timeout).await? {
        return Err(not_ready(engine, container, started.elapsed(), "Tomcat never logged \"Server startup in\"".into()).await);
    }
    let script = format!(
        "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /{WEBAPP_CONTEXT}/ShowSession?probe=1 HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -c 12 <&3"
    );
    let mut last = String::new();
    // The connector is up before Tomcat logs its startup line; a few tries cover a slow exec.
    for _ in 0..20 {
        let out = engine.exec(container, &["bash", "-c", &script]).await?;
        last = String::from_utf8_lossy(&out.stdout).to_string();
        if last.starts_with("HTTP/1.1 200") {
            let line = engine.logs_tail(container, 5).await;
            let startup = line.lines().find(|l| l.contains("Server startup in")).unwrap_or("").trim().to_string();
            return Ok(startup);
        }
        if last.starts_with("HTTP/") {
            // Tomcat is up but the webapp is not: an answer like 404 will not change by waiting.
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let reason = format!(
        "Tomcat started but /{WEBAPP_CONTEXT}/ShowSession answered {:?} instead of 200 (did the webapp or msm fail to start?)",
        last.trim()
    );
    Err(not_ready(engine, container, started.elapsed(), reason).await)
}

/// nginx answers on its published port and has reached every Tomcat at least once.
pub async fn nginx(engine: &Engine, container: &str, url: &str, tomcats: &[String], timeout: Duration) -> Result<(), NotReady> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("a plain HTTP client builds");
    let probe = format!("{url}?probe=1");
    let want: BTreeSet<&str> = tomcats.iter().map(String::as_str).collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let started = Instant::now();
    let mut last = String::from("no answer yet");
    while started.elapsed() < timeout {
        match client.get(&probe).send().await {
            Ok(r) if r.status().is_success() => {
                let body = r.text().await.unwrap_or_default();
                if let Some(backend) = body.trim().strip_prefix("ready ") {
                    seen.insert(backend.to_string());
                }
                if want.iter().all(|t| seen.contains(*t)) {
                    return Ok(());
                }
                last = format!("reached {} of {} Tomcats: {:?}", seen.len(), want.len(), seen);
            }
            Ok(r) => last = format!("{probe} answered {}", r.status()),
            Err(e) => last = format!("{probe}: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(not_ready(engine, container, started.elapsed(), last).await)
}
