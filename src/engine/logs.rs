//! Containers' logs: the tail, what came since a time, waiting for a line, and the log as a
//! stream of lines (a swarm task's read through the manager).

use std::time::Duration;

use bollard::container::LogOutput;
use bollard::errors::Error as BollardError;
use bollard::query_parameters::{LogsOptions, LogsOptionsBuilder};
use bollard::Docker;
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};

use super::connection::Engine;
use super::containers::ContainerInfo;
use super::errors::{call, EngineError};

/// What `log_lines` asks for: both streams, from `since` (Unix seconds; 0: the start), the last
/// `tail` lines.
fn log_options(follow: bool, since: i64, tail: Option<u32>, timestamps: bool) -> LogsOptions {
    let mut options = LogsOptionsBuilder::default().stdout(true).stderr(true).follow(follow).timestamps(timestamps);
    if since > 0 {
        options = options.since(since.min(i32::MAX as i64) as i32);
    }
    let tail = tail.map_or_else(|| "all".to_string(), |t| t.to_string());
    options.tail(&tail).build()
}

/// One line of a container's log: which stream, and its text without the newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub stderr: bool,
    pub text: String,
}

/// Both streams written at or after `since` (Unix seconds), not followed: what `logs_since`
/// and a swarm task's `task_logs_since` ask for.
pub(super) fn since_options(since: i64) -> LogsOptions {
    LogsOptionsBuilder::default().stdout(true).stderr(true).since(since as i32).build()
}

/// A log read to its end as text; the first error ends it, as `action target`.
pub(super) async fn text_of(
    mut chunks: impl Stream<Item = Result<LogOutput, BollardError>> + Unpin,
    action: &'static str,
    target: &str,
) -> Result<String, EngineError> {
    let mut out = String::new();
    while let Some(chunk) = chunks.next().await {
        out.push_str(&String::from_utf8_lossy(&chunk.map_err(call(action, target))?.into_bytes()));
    }
    Ok(out)
}

impl Engine {
    /// The container's last `lines` lines of output.
    pub async fn logs_tail(&self, container: &str, lines: usize) -> String {
        let options = LogsOptionsBuilder::default().stdout(true).stderr(true).tail(&lines.to_string()).build();
        let mut out = String::new();
        let mut logs = self.docker.logs(container, Some(options));
        while let Some(Ok(chunk)) = logs.next().await {
            out.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
        }
        out
    }

    /// What a lab container (or, on a swarm, a task) wrote at or after `since`.
    pub async fn logs_since_of(&self, c: &ContainerInfo, since: i64) -> Result<String, EngineError> {
        match &c.task {
            Some(task) => self.task_logs_since(task, since).await,
            None => self.logs_since(&c.name, since).await,
        }
    }

    /// The container's output written at or after `since` (Unix seconds; the engine counts whole
    /// seconds, so up to a second before `since` may be included).
    pub async fn logs_since(&self, container: &str, since: i64) -> Result<String, EngineError> {
        text_of(self.docker.logs(container, Some(since_options(since))), "read logs of", container).await
    }

    /// Follows the container's output until a line contains `needle` and returns that line;
    /// `None` when the output ends (the container stopped) or `timeout` passes first.
    pub async fn wait_for_log(&self, container: &str, needle: &str, timeout: Duration) -> Result<Option<String>, EngineError> {
        self.wait_for_log_since(container, needle, 0, timeout).await
    }

    /// As `wait_for_log`, reading only what was written at or after `since` (Unix seconds), so a
    /// restarted container's earlier run does not count.
    pub async fn wait_for_log_since(
        &self,
        container: &str,
        needle: &str,
        since: i64,
        timeout: Duration,
    ) -> Result<Option<String>, EngineError> {
        let options = LogsOptionsBuilder::default().stdout(true).stderr(true).follow(true).since(since as i32).build();
        let mut logs = self.docker.logs(container, Some(options));
        let search = async {
            let mut pending = String::new();
            while let Some(chunk) = logs.next().await {
                let chunk = chunk.map_err(call("read logs of", container))?;
                pending.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
                if let Some(line) = pending.lines().find(|l| l.contains(needle)) {
                    return Ok(Some(line.trim().to_string()));
                }
                // Keep only the unfinished last line: the needle never spans lines.
                if let Some(nl) = pending.rfind('\n') {
                    pending.drain(..=nl);
                }
            }
            Ok(None)
        };
        tokio::time::timeout(timeout, search).await.unwrap_or(Ok(None))
    }

    /// A container's log as lines, from `since` (Unix seconds; 0: the start), the last `tail`
    /// lines of it, with the engine's RFC 3339 timestamp first when `timestamps` is set, and
    /// going on while the container runs when `follow` is set.
    pub fn log_lines(&self, container: &str, follow: bool, since: i64, tail: Option<u32>, timestamps: bool) -> BoxStream<'static, Result<LogLine, EngineError>> {
        let options = log_options(follow, since, tail, timestamps);
        let docker = self.docker.clone();
        let name = container.to_string();
        let chunks = docker.logs(&name, Some(options)).boxed();
        Self::lines(chunks, name, docker)
    }

    /// `log_lines` of a lab container, or on a swarm of a task (read through the manager).
    pub fn log_lines_of(&self, c: &ContainerInfo, follow: bool, since: i64, tail: Option<u32>, timestamps: bool) -> BoxStream<'static, Result<LogLine, EngineError>> {
        let Some(task) = &c.task else {
            return self.log_lines(&c.name, follow, since, tail, timestamps);
        };
        let options = log_options(follow, since, tail, timestamps);
        let docker = self.docker.clone();
        let chunks = docker.task_logs(task, Some(options)).boxed();
        Self::lines(chunks, c.name.clone(), docker)
    }

    fn lines(
        chunks: BoxStream<'static, Result<LogOutput, BollardError>>,
        name: String,
        docker: Docker,
    ) -> BoxStream<'static, Result<LogLine, EngineError>> {
        // Frames are writes, not lines: keep an unfinished line per stream until its newline.
        let state = (chunks, [String::new(), String::new()], std::collections::VecDeque::<LogLine>::new(), name, docker);
        futures_util::stream::unfold(state, |(mut chunks, mut pending, mut ready, name, docker)| async move {
            loop {
                if let Some(line) = ready.pop_front() {
                    return Some((Ok(line), (chunks, pending, ready, name, docker)));
                }
                match chunks.next().await {
                    Some(Ok(chunk)) => {
                        let stderr = matches!(chunk, LogOutput::StdErr { .. });
                        let buf = &mut pending[stderr as usize];
                        buf.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
                        while let Some(nl) = buf.find('\n') {
                            let text: String = buf.drain(..=nl).collect();
                            ready.push_back(LogLine { stderr, text: text.trim_end_matches(['\n', '\r']).to_string() });
                        }
                    }
                    Some(Err(e)) => {
                        let err = call("read logs of", name.clone())(e);
                        return Some((Err(err), (futures_util::stream::empty().boxed(), pending, ready, name, docker)));
                    }
                    None => {
                        for (i, buf) in pending.iter_mut().enumerate() {
                            if !buf.is_empty() {
                                ready.push_back(LogLine { stderr: i == 1, text: std::mem::take(buf) });
                            }
                        }
                        if ready.is_empty() {
                            return None;
                        }
                    }
                }
            }
        })
        .boxed()
    }
}
