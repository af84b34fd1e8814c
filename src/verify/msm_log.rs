//! The `msm-errors` check: msm's warnings and errors in the Tomcats' logs, each with its cause;
//! and, for `answers`, the SEVERE line Tomcat logged about a page that answered 5xx.

use serde::Serialize;

use crate::engine::Engine;
use crate::lab::webapp_check::{context_of, severe_line};
use crate::labspec::webapp::WEBAPP_CONTEXT;
use crate::verify::errors::VerifyError;
use crate::verify::judge::Check;
use crate::verify::walk::{Answer, Page, Target};

/// One msm complaint found in a Tomcat's log.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LogFinding {
    pub container: String,
    pub line: String,
    /// The first exception line that follows, if any (`java.io.NotSerializableException: java.lang.Thread`).
    pub cause: Option<String>,
    pub kind: FindingKind,
}

/// What an msm complaint is about.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// The serializer could not write or read a session: the application's session objects
    /// do not work with this serializer.
    Serialization,
    /// A write to the store failed or took longer than msm's `sessionBackupTimeout` /
    /// `operationTimeout`: a loaded machine or a slow store. A session it loses fails the
    /// other checks (`counter`, `same-session`, `store`).
    Store,
    /// Anything else msm warned about (a store it cannot reach, …).
    Other,
}

/// Words in a record or its stack trace that say a serializer failed.
const SERIALIZATION_SIGNS: &[&str] = &[
    "NotSerializableException",
    "TranscoderDeserializationException",
    "ClassNotFoundException",
    "InvalidClassException",
    "KryoException",
    "SerializationException",
    "ConversionException",
    "Cannot serialize",
    "Could not deserialize",
    "Caught CNFE",
    "Caught IOException decoding",
    "Caught Exception decoding",
    "ForbiddenClassException",
    "does not implement Serializable",
];
/// Words that say a store write failed or was slow.
const STORE_SIGNS: &[&str] = &["TimeoutException", "Timed out", "timed out", "Could not store session"];

/// msm's warnings and errors in a Tomcat log: JUL records at WARNING or SEVERE from
/// `de.javakaffee.web.msm` (a `Serializable` value holding something that is not, a class
/// the other Tomcat cannot load, a store that fails or is slow), and msm's note that it
/// dropped a value that is not `Serializable`, which msm logs only at FINE (seen when the user
/// turns that on: at FINE msm also logs every attribute it stores, so the lab does not).
/// Each is classified from the record and the stack trace below it.
pub fn msm_errors(container: &str, log: &str) -> Vec<LogFinding> {
    let lines: Vec<&str> = log.lines().collect();
    let is_record = |l: &str| [" SEVERE [", " WARNING [", " INFO [", " FINE ["].iter().any(|lvl| l.contains(lvl));
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let record = [" SEVERE [", " WARNING ["].iter().any(|lvl| {
            line.find(lvl).is_some_and(|at| line[at..].split_once("] ").is_some_and(|(_, rest)| rest.starts_with("de.javakaffee.web.msm")))
        });
        let dropped = line.contains("de.javakaffee.web.msm") && line.contains("as it does not implement Serializable");
        if !(record || dropped) {
            continue;
        }
        // The stack trace: the lines up to the next log record, at most 200.
        let trace = |at: usize| -> Vec<&str> { lines[at + 1..].iter().take(200).take_while(|l| !is_record(l)).map(|l| l.trim()).collect() };
        let own = trace(i);
        let cause = own.iter().find(|l| !l.starts_with("at ") && l.contains("Exception")).map(|l| l.to_string());
        let mut text = std::iter::once(*line).chain(own.iter().filter(|l| !l.starts_with("at ")).copied()).collect::<Vec<_>>().join("\n");
        // msm logs why a backup failed at INFO, with the exception, and then that it failed at
        // WARNING, without: read the same thread's msm record just before.
        let thread = line.split_once(" [").and_then(|(_, rest)| rest.split_once("] ")).map(|(t, _)| format!("[{t}] de.javakaffee.web.msm"));
        if let Some(earlier) = thread.and_then(|t| (i.saturating_sub(400)..i).rev().find(|&j| lines[j].contains(&t))) {
            text.push('\n');
            text.push_str(&trace(earlier).join("\n"));
        }
        let kind = if SERIALIZATION_SIGNS.iter().any(|s| text.contains(s)) {
            FindingKind::Serialization
        } else if STORE_SIGNS.iter().any(|s| text.contains(s)) {
            FindingKind::Store
        } else {
            FindingKind::Other
        };
        found.push(LogFinding { container: container.into(), line: line.trim().to_string(), cause, kind });
    }
    found
}

/// `msm-errors`: fails on what msm logged since the walk began, except failed or slow store
/// writes: on a loaded machine msm's backup timeout can be missed. Those are counted
/// in the detail, and a session they cost fails the other checks.
pub fn judge_logs(tomcats: usize, found: &[LogFinding]) -> Check {
    let slow = found.iter().filter(|f| f.kind == FindingKind::Store).count();
    let timeout_note = match slow {
        0 => String::new(),
        n => format!(
            "; {n} store write{} failed or timed out (msm's sessionBackupTimeout / operationTimeout: a loaded machine or a slow store)",
            if n == 1 { "" } else { "s" }
        ),
    };
    let errors: Vec<&LogFinding> = found.iter().filter(|f| f.kind != FindingKind::Store).collect();
    match errors.first() {
        None => Check::new("msm-errors", true, format!("no msm error in the logs of {tomcats} Tomcats{timeout_note}")),
        Some(f) => {
            let what = f.cause.as_ref().map_or(f.line.clone(), |c| format!("{} ({c})", f.line));
            let about = if errors.iter().any(|f| f.kind == FindingKind::Serialization) {
                " (the serializer cannot handle what the application keeps in its session)"
            } else {
                ""
            };
            Check::new(
                "msm-errors",
                false,
                format!("{} msm warnings/errors in the Tomcat logs{about}; first, in {}: {what}{timeout_note}", errors.len(), f.container),
            )
        }
    }
}

pub async fn check_logs(engine: &Engine, target: &Target, since: i64) -> Result<(Check, Vec<LogFinding>), VerifyError> {
    let mut found = Vec::new();
    for t in target.tomcats.iter().filter(|t| t.state.is_running()) {
        found.extend(msm_errors(&t.name, &engine.logs_since_of(t, since).await?));
    }
    Ok((judge_logs(target.tomcats.len(), &found), found))
}

/// When an answer was 5xx, the `answers` check also quotes the first SEVERE line Tomcat logged
/// about the page's context (`lab::webapp_check`): a JSP that does not compile says why there.
pub async fn quote_severe(engine: &Engine, target: &Target, page: &Page, answers: &[Answer], check: &mut Check) {
    let Some(first) = answers.iter().find(|a| a.status.is_some_and(|s| s >= 500)) else { return };
    if check.ok {
        return;
    }
    let context = match page {
        Page::Test => format!("/{WEBAPP_CONTEXT}"),
        Page::User(path) => context_of(path.as_ref()),
        // A flow walks several pages: the one that failed names the context.
        Page::Flow(_) => context_of(&first.path),
    };
    // The Tomcat that gave the first 5xx is read first: its line is about that request.
    let mut running: Vec<_> = target.tomcats.iter().filter(|t| t.state.is_running()).cloned().collect();
    running.sort_by_key(|t| first.backend.as_deref() != Some(t.name.as_str()));
    if let Some(line) = severe_line(engine, &running, &context).await {
        check.detail = format!("{}; first SEVERE line of context {context}: {line}", check.detail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msm_errors_are_found_in_tomcat_logs_with_their_cause() {
        let log = "\
25-Nov-2026 17:18:28.752 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1347] milliseconds
25-Nov-2026 17:20:01.100 WARNING [http-nio-8080-exec-3] de.javakaffee.web.msm.JavaSerializationTranscoder.writeAttributes Cannot serialize session attribute [threads] for session [ABC-n1]
\tjava.io.NotSerializableException: java.lang.Thread
\t\tat java.base/java.io.ObjectOutputStream.writeObject0(ObjectOutputStream.java:1197)
25-Nov-2026 17:20:02.100 WARNING [http-nio-8080-exec-4] org.apache.catalina.core.Other something unrelated
25-Nov-2026 17:20:03.100 FINE [http-nio-8080-exec-5] de.javakaffee.web.msm.JavaSerializationTranscoder.writeAttributes Ignoring attribute 'x' as it does not implement Serializable
2026-11-25 17:18:37.298 INFO net.spy.memcached.MemcachedConnection:  Reconnecting";
        let found = msm_errors("tc-1", log);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].cause.as_deref(), Some("java.io.NotSerializableException: java.lang.Thread"));
        assert!(found[1].line.contains("Ignoring attribute 'x'"));
        assert!(found.iter().all(|f| f.kind == FindingKind::Serialization));
        let check = judge_logs(2, &found);
        assert!(!check.ok);
        assert!(check.detail.starts_with("2 msm warnings/errors in the Tomcat logs (the serializer cannot handle"), "{}", check.detail);
    }

    #[test]
    fn failed_store_writes_are_counted_but_do_not_fail_the_log_check() {
        let log = "\
25-Nov-2026 17:46:01.671 WARNING [http-nio-8080-exec-7] de.javakaffee.web.msm.LockingStrategy.onAfterBackupSession An error occurred during onAfterBackupSession.
\tnet.spy.memcached.internal.CheckedOperationTimeoutException: Timed out waiting for operation - failing node: m-1/172.20.0.2:11211
\t\tat net.spy.memcached.internal.OperationFuture.get(OperationFuture.java:167)
25-Nov-2026 17:46:02.000 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1] milliseconds";
        let found = msm_errors("tc-1", log);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, FindingKind::Store);
        let check = judge_logs(2, &found);
        assert!(check.ok, "{check:?}");
        // msm's WARNING that a backup failed comes without a stack trace; the reason is in the
        // INFO record the same thread logged just before.
        let log = "\
25-Nov-2026 17:45:07.010 INFO [http-nio-8080-exec-3] de.javakaffee.web.msm.BackupSessionTask.storeSessionInMemcached Could not store session 23AE in memcached.
\tjava.util.concurrent.TimeoutException
\t\tat java.base/java.util.concurrent.FutureTask.get(FutureTask.java:204)
25-Nov-2026 17:45:07.011 INFO [http-nio-8080-exec-4] org.apache.Other something else
25-Nov-2026 17:45:07.114 WARNING [http-nio-8080-exec-3] de.javakaffee.web.msm.BackupSessionTask.handleException Could not store session 23AE in memcached.";
        let found = msm_errors("tc-1", log);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, FindingKind::Store);
        // Judged on its own, not on the first scenario's check.
        let check = judge_logs(2, &found);
        assert!(check.detail.ends_with("; 1 store write failed or timed out (msm's sessionBackupTimeout / operationTimeout: a loaded machine or a slow store)"), "{}", check.detail);
    }
}
