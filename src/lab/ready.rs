//! Readiness without sleeps: each wait watches for a concrete sign (a log line, a protocol
//! answer, an HTTP answer) under a deadline, and says what it saw when it gives up.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::labspec::webapp::ContextPath;
use crate::engine::{Engine, EngineError};
use crate::exit::{Classified, ExitStatus};
use crate::lab::store;
use crate::lab::tomcat::{self, Read};
use crate::labspec::names::Role;
use crate::labspec::webapp::WEBAPP_CONTEXT;

/// How long each kind of container may take to become ready. Cold Tomcats on a loaded
/// 2-core machine take seconds, not minutes; these bounds only catch the stuck ones.
pub const STORE_TIMEOUT: Duration = Duration::from_secs(30);
pub const TOMCAT_TIMEOUT: Duration = Duration::from_secs(120);
pub const NGINX_TIMEOUT: Duration = Duration::from_secs(30);

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
    match engine.state(container).await {
        // The wait failed because the engine went away, not the container: say that.
        Err(e) if e.is_unreachable() => NotReady::Engine(e),
        Ok((state, exit_code)) if !state.is_running() => {
            let logs = engine.logs_tail(container, LOG_LINES).await;
            NotReady::Exited { container: container.into(), exit_code, reason, logs }
        }
        _ => {
            let logs = engine.logs_tail(container, LOG_LINES).await;
            NotReady::Timeout { container: container.into(), waited, reason, logs }
        }
    }
}

/// The store answers over its own protocol, from inside its container: memcached's
/// `version`, Redis's `INFO server`. Returns the version it gave.
pub async fn store(engine: &Engine, role: Role, container: &str, timeout: Duration) -> Result<String, NotReady> {
    let started = Instant::now();
    let mut last = String::from("no answer yet");
    while started.elapsed() < timeout {
        let answer = match role {
            Role::Redis => store::redis_version(engine, container).await,
            _ => store::memcached_version(engine, container).await,
        };
        match answer {
            Ok(version) => return Ok(version),
            Err(e) => last = format!("the {role} protocol got no answer: {e}"),
        }
        if !running(engine, container).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(not_ready(engine, container, started.elapsed(), last).await)
}

async fn running(engine: &Engine, container: &str) -> bool {
    matches!(engine.state(container).await, Ok((state, _)) if state.is_running())
}

/// Tomcat logged `Server startup in …` and then served the test page (probe mode: no
/// session is created) from inside its container. Returns the startup line.
pub async fn tomcat(engine: &Engine, container: &str, timeout: Duration) -> Result<String, NotReady> {
    tomcat_since(engine, container, 0, timeout).await
}

/// As `tomcat`, for a container (re)started at `since` (Unix seconds): the startup line of an
/// earlier run does not count.
pub async fn tomcat_since(engine: &Engine, container: &str, since: i64, timeout: Duration) -> Result<String, NotReady> {
    let started = Instant::now();
    let startup = match engine.wait_for_log_since(container, "Server startup in", since, timeout).await {
        Ok(Some(line)) => line,
        Ok(None) => return Err(not_ready(engine, container, started.elapsed(), "Tomcat never logged \"Server startup in\"".into()).await),
        Err(e) => return Err(not_ready(engine, container, started.elapsed(), e.to_string()).await),
    };
    let probe = format!("/{WEBAPP_CONTEXT}/ShowSession?probe=1");
    let mut last = String::new();
    // The connector is up before Tomcat logs its startup line; a few tries cover a slow exec.
    for _ in 0..20 {
        match tomcat::get(engine, container, &probe, Read::Head(12)).await {
            Ok(reply) => last = reply.trim().to_string(),
            Err(e) => last = e.to_string(),
        }
        if last.starts_with("HTTP/1.1 200") {
            return Ok(startup);
        }
        // Tomcat is up but the webapp is not: an answer like 404 will not change by waiting.
        if last.starts_with("HTTP/") || !running(engine, container).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let reason = format!(
        "Tomcat started but /{WEBAPP_CONTEXT}/ShowSession answered {last:?} instead of 200 (did the webapp or msm fail to start?)"
    );
    Err(not_ready(engine, container, started.elapsed(), reason).await)
}

/// nginx answers on its published port and has reached every Tomcat at least once.
/// Returns how long its first proxied answer took.
pub async fn nginx(engine: &Engine, container: &str, url: &str, tomcats: &[String], timeout: Duration) -> Result<Duration, NotReady> {
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
    let mut first_answer = None;
    while started.elapsed() < timeout {
        let sent = Instant::now();
        match client.get(&probe).send().await {
            Ok(r) if r.status().is_success() => {
                let body = r.text().await.unwrap_or_default();
                let took = *first_answer.get_or_insert(sent.elapsed());
                if let Some(backend) = body.trim().strip_prefix("ready ") {
                    seen.insert(backend.to_string());
                }
                if want.iter().all(|t| seen.contains(*t)) {
                    return Ok(took);
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

/// With `--webapp-javaee`: Tomcat converted the webapp from `webapps-javaee/` and deployed the
/// copy, checked once the Tomcat is ready (it deploys before "Server startup in"). A failed
/// conversion leaves no "startup failed" line, only Tomcat's "Migration failure" and no context.
pub async fn converted_webapp(engine: &Engine, container: &str, context: &ContextPath) -> Result<(), NotReady> {
    let log = engine.logs_tail(container, 2000).await;
    match conversion_problem(&log, &context.base_name()) {
        None => Ok(()),
        Some(why) => Err(not_ready(engine, container, Duration::ZERO, format!("your webapp at {context} was not converted and deployed: {why}")).await),
    }
}

/// What the log says went wrong with the conversion of `base` (`None`: its copy deployed).
fn conversion_problem(log: &str, base: &str) -> Option<String> {
    let deployed = |l: &&str| l.contains("has finished in") && (l.contains(&format!("/webapps/{base}.war]")) || l.contains(&format!("/webapps/{base}]")));
    if log.lines().any(|l| deployed(&l)) {
        return None;
    }
    let failure = log.lines().skip_while(|l| !l.contains("Migration failure")).take(2).map(str::trim).collect::<Vec<_>>();
    Some(match failure.is_empty() {
        true => format!("Tomcat logged no deployment of webapps/{base}"),
        false => failure.join(" "),
    })
}

impl Classified for NotReady {
    fn exit_status(&self) -> ExitStatus {
        match self {
            NotReady::Engine(e) => e.exit_status(),
            NotReady::Timeout { .. } | NotReady::Exited { .. } => ExitStatus::Failed,
        }
    }
}

#[cfg(test)]
mod conversion_tests {
    use super::conversion_problem;

    #[test]
    fn a_converted_webapp_is_deployed_when_tomcat_logs_its_copy_in_webapps() {
        let done = "07-Dec-2026 INFO [main] org.apache.catalina.startup.HostConfig.deployWAR Deployment of web application archive [/usr/local/tomcat/webapps/old.war] has finished in [3,412] ms";
        assert_eq!(conversion_problem(done, "old"), None);
        let failed = "WARNING [main] org.apache.catalina.startup.HostConfig.migrateLegacyApp Migration failure\n\tjava.io.IOException: Permission denied";
        assert_eq!(conversion_problem(failed, "old").unwrap(), "WARNING [main] org.apache.catalina.startup.HostConfig.migrateLegacyApp Migration failure java.io.IOException: Permission denied");
        assert_eq!(conversion_problem("Server startup in [400] milliseconds", "old").unwrap(), "Tomcat logged no deployment of webapps/old");
    }
}
