//! Runs `wrk` (Debian's package) as the reference load generator and reads its summary.

use std::time::Duration;

use serde::Serialize;
use crate::exit::{Classified, ExitStatus};

#[derive(Debug, thiserror::Error)]
pub enum WrkError {
    #[error("wrk is not installed (Debian: `apt-get install wrk`); it is needed for --compare-wrk")]
    Missing,
    #[error("running wrk: {0}")]
    Run(std::io::Error),
    #[error("wrk failed (exit code {code:?}): {stderr}")]
    Failed { code: Option<i32>, stderr: String },
    #[error("wrk printed no {what:?} line; its output was:\n{output}")]
    Parse { what: &'static str, output: String },
}

/// What wrk's summary says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WrkRun {
    pub requests: u64,
    pub seconds: f64,
    pub requests_per_sec: f64,
    /// Answers that were not 2xx or 3xx.
    pub non_2xx: u64,
    /// connect + read + write + timeout errors.
    pub socket_errors: u64,
    pub p50_ms: Option<f64>,
    pub p90_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// `wrk -t threads -c connections -d duration --latency url`.
pub async fn run(url: &str, connections: usize, threads: usize, duration: Duration) -> Result<WrkRun, WrkError> {
    let secs = duration.as_secs().max(1).to_string();
    let out = tokio::process::Command::new("wrk")
        .args(["-t", &threads.min(connections).max(1).to_string(), "-c", &connections.to_string(), "-d", &format!("{secs}s")])
        .args(["--timeout", "10s", "--latency", url])
        .output()
        .await
        .map_err(|e| if e.kind() == std::io::ErrorKind::NotFound { WrkError::Missing } else { WrkError::Run(e) })?;
    if !out.status.success() {
        return Err(WrkError::Failed { code: out.status.code(), stderr: String::from_utf8_lossy(&out.stderr).trim().to_string() });
    }
    parse(&String::from_utf8_lossy(&out.stdout))
}

/// Reads wrk's summary.
pub fn parse(output: &str) -> Result<WrkRun, WrkError> {
    let missing = |what| WrkError::Parse { what, output: output.to_string() };
    let line = |prefix: &str| output.lines().map(str::trim).find_map(|l| l.strip_prefix(prefix).map(str::trim));
    let rps: f64 = line("Requests/sec:").and_then(|v| v.parse().ok()).ok_or_else(|| missing("Requests/sec:"))?;
    // "179763 requests in 10.01s, 28.11MB read"
    let (requests, seconds) = output
        .lines()
        .find_map(|l| {
            let (n, rest) = l.trim().split_once(" requests in ")?;
            let secs = rest.split(',').next()?;
            Some((n.parse::<u64>().ok()?, duration_ms(secs)? / 1000.0))
        })
        .ok_or_else(|| missing("requests in"))?;
    let non_2xx = line("Non-2xx or 3xx responses:").and_then(|v| v.parse().ok()).unwrap_or(0);
    // "Socket errors: connect 0, read 0, write 0, timeout 0"
    let socket_errors = line("Socket errors:")
        .map(|v| v.split(',').filter_map(|p| p.split_whitespace().nth(1)?.parse::<u64>().ok()).sum())
        .unwrap_or(0);
    let pct = |p: &str| line(p).and_then(duration_ms);
    Ok(WrkRun { requests, seconds, requests_per_sec: rps, non_2xx, socket_errors, p50_ms: pct("50%"), p90_ms: pct("90%"), p99_ms: pct("99%") })
}

/// wrk's durations (`381.00us`, `1.10ms`, `2.00s`, `1.50m`) in milliseconds.
fn duration_ms(v: &str) -> Option<f64> {
    let v = v.trim();
    let (number, factor) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = v.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

impl Classified for WrkError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Running 10s test @ http://127.0.0.1:13481/msmlab/static
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   635.91us    0.89ms  12.92ms   93.69%
    Req/Sec     9.03k     1.06k   11.84k    72.00%
  Latency Distribution
     50%  381.00us
     75%  601.00us
     90%    1.10ms
     99%    4.67ms
  179763 requests in 10.01s, 28.11MB read
  Non-2xx or 3xx responses: 12
  Socket errors: connect 0, read 1, write 0, timeout 2
Requests/sec:  17961.21
Transfer/sec:      2.81MB
";

    #[test]
    fn the_summary_is_read_whole() {
        let r = parse(SAMPLE).unwrap();
        assert_eq!(r.requests, 179763);
        assert!((r.seconds - 10.01).abs() < 1e-9);
        assert_eq!(r.requests_per_sec, 17961.21);
        assert_eq!(r.non_2xx, 12);
        assert_eq!(r.socket_errors, 3);
        assert!((r.p50_ms.unwrap() - 0.381).abs() < 1e-9);
        assert_eq!(r.p90_ms, Some(1.1));
        assert_eq!(r.p99_ms, Some(4.67));
    }

    #[test]
    fn a_clean_run_has_no_error_lines() {
        let clean: String = SAMPLE.lines().filter(|l| !l.contains("Non-2xx") && !l.contains("Socket errors")).map(|l| format!("{l}\n")).collect();
        let r = parse(&clean).unwrap();
        assert_eq!((r.non_2xx, r.socket_errors), (0, 0));
    }

    #[test]
    fn output_without_a_summary_is_an_error_that_quotes_it() {
        let e = parse("unable to connect to 127.0.0.1:1 Connection refused\n").unwrap_err();
        assert!(e.to_string().contains("Requests/sec:"), "{e}");
        assert!(e.to_string().contains("Connection refused"), "{e}");
    }

    #[test]
    fn durations_in_every_unit() {
        assert_eq!(duration_ms("2.00s"), Some(2000.0));
        assert_eq!(duration_ms("1.50m"), Some(90_000.0));
        assert_eq!(duration_ms("12"), None);
    }
}
