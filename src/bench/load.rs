//! The load generator: C clients, each on its own keep-alive HTTP/1.1 connection with its
//! own cookie jar (so each holds its own session), recording every answer's latency in an
//! HDR histogram. A warm-up phase runs first and is not recorded; then every client starts
//! the measured phase at the same moment.
//!
//! It speaks HTTP with hyper's bare connection API, not a pooled client: one connection per
//! client is exactly what is wanted. Like wrk, it runs one single-threaded event loop per CPU,
//! each with its share of the clients; that keeps the generator's own cost low enough to keep
//! up with `wrk` (see `docs/performance.md`).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{COOKIE, HOST, SET_COOKIE};
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use crate::exit::{Classified, ExitStatus};

/// Latencies are recorded in microseconds, from 1 µs to 60 s, with 3 significant digits.
pub const HIGHEST_MICROS: u64 = 60_000_000;
/// The cookie that carries Tomcat's session id.
pub const SESSION_COOKIE: &str = "JSESSIONID";

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0:?} is not a URL the load generator can use: give http://host:port/path")]
    Url(String),
    #[error("cannot resolve {host}")]
    Resolve { host: String, source: std::io::Error },
}

/// When the measured phase ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Limit {
    /// After this long.
    Duration(#[serde(serialize_with = "secs")] Duration),
    /// After this many requests, all clients together.
    Requests(u64),
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

#[derive(Debug, Clone)]
pub struct LoadSpec {
    pub url: String,
    pub concurrency: usize,
    pub limit: Limit,
    pub warmup: Duration,
    /// One request longer than this counts as an error (and its connection is replaced).
    pub timeout: Duration,
}

/// Why requests did not get a 2xx answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Errors {
    /// Answered, but not 2xx.
    pub status: u64,
    /// Connection refused, reset or closed mid-answer.
    pub io: u64,
    /// No answer within the timeout.
    pub timeout: u64,
}

impl Errors {
    pub fn total(&self) -> u64 {
        self.status + self.io + self.timeout
    }

    fn add(&mut self, o: &Errors) {
        self.status += o.status;
        self.io += o.io;
        self.timeout += o.timeout;
    }
}

/// What the measured phase saw.
#[derive(Debug, Clone)]
pub struct LoadResult {
    /// Requests that got a 2xx answer.
    pub ok: u64,
    pub errors: Errors,
    /// From the common start of the measured phase to the last client's last answer.
    pub elapsed: Duration,
    /// Latency of the 2xx answers, in microseconds.
    pub latency: Histogram<u64>,
    /// Times a client was handed a new session id after it had one: a session lost.
    pub session_changes: u64,
    /// Each client's session id at the end (clients that never got one are left out).
    pub sessions: Vec<String>,
}

impl LoadResult {
    /// 2xx answers per second.
    pub fn rate(&self) -> f64 {
        crate::bench::stats::rate(self.ok, self.elapsed)
    }
}

/// Where the clients connect, parsed once.
struct Target {
    addr: SocketAddr,
    host: String,
    path: String,
}

async fn target(url: &str) -> Result<Target, LoadError> {
    let bad = || LoadError::Url(url.to_string());
    let uri: Uri = url.parse().map_err(|_| bad())?;
    if uri.scheme_str() != Some("http") {
        return Err(bad());
    }
    let host = uri.host().ok_or_else(bad)?.to_string();
    let port = uri.port_u16().unwrap_or(80);
    let path = uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
    let addr = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|source| LoadError::Resolve { host: host.clone(), source })?
        .next()
        .ok_or_else(bad)?;
    Ok(Target { addr, host: format!("{host}:{port}"), path })
}

/// Shared by the clients: when the measured phase began, and how many requests it may send.
struct Shared {
    start: OnceLock<Instant>,
    barrier: tokio::sync::Barrier,
    claimed: AtomicU64,
}

/// One client's share of the result.
struct ClientResult {
    ok: u64,
    errors: Errors,
    finished: Instant,
    latency: Histogram<u64>,
    session_changes: u64,
    session: Option<String>,
}

/// Runs the warm-up, then the measured phase, and merges what every client saw.
pub async fn run(spec: &LoadSpec) -> Result<LoadResult, LoadError> {
    let target = Arc::new(target(&spec.url).await?);
    let shared = Arc::new(Shared {
        start: OnceLock::new(),
        barrier: tokio::sync::Barrier::new(spec.concurrency),
        claimed: AtomicU64::new(0),
    });
    let warmup_until = Instant::now() + spec.warmup;
    // As wrk does: one event loop per CPU, each running its share of the clients. A client
    // and its connection stay on one thread, so an answer wakes nothing on another thread.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(spec.concurrency).max(1);
    let loops: Vec<_> = (0..threads)
        .map(|t| {
            let count = spec.concurrency / threads + usize::from(t < spec.concurrency % threads);
            let (target, shared, limit, timeout) = (target.clone(), shared.clone(), spec.limit, spec.timeout);
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a load thread's runtime starts");
                let local = tokio::task::LocalSet::new();
                local.block_on(&rt, async move {
                    let clients: Vec<_> = (0..count)
                        .map(|_| tokio::task::spawn_local(client(target.clone(), shared.clone(), limit, timeout, warmup_until)))
                        .collect();
                    let mut results = Vec::with_capacity(count);
                    for c in clients {
                        results.push(c.await.expect("a load client does not panic"));
                    }
                    results
                })
            })
        })
        .collect();
    let clients: Vec<ClientResult> = tokio::task::spawn_blocking(move || {
        loops.into_iter().flat_map(|l| l.join().expect("a load thread does not panic")).collect()
    })
    .await
    .expect("the load threads are joined");
    let mut merged = LoadResult {
        ok: 0,
        errors: Errors::default(),
        elapsed: Duration::ZERO,
        latency: histogram(),
        session_changes: 0,
        sessions: Vec::new(),
    };
    let mut last = None;
    for r in clients {
        merged.ok += r.ok;
        merged.errors.add(&r.errors);
        merged.latency.add(&r.latency).expect("histograms share their bounds");
        merged.session_changes += r.session_changes;
        merged.sessions.extend(r.session);
        last = last.max(Some(r.finished));
    }
    if let (Some(start), Some(last)) = (shared.start.get(), last) {
        merged.elapsed = last.saturating_duration_since(*start);
    }
    Ok(merged)
}

pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_MICROS, 3).expect("valid histogram bounds")
}

/// A client's connection and cookie jar.
struct Conn {
    sender: Option<SendRequest<Empty<Bytes>>>,
    session: Option<String>,
}

enum RequestResult {
    Answer { ok: bool, new_session: bool },
    Io,
    Timeout,
}

async fn client(target: Arc<Target>, shared: Arc<Shared>, limit: Limit, timeout: Duration, warmup_until: Instant) -> ClientResult {
    let mut conn = Conn { sender: None, session: None };
    // Warm-up: the same requests, not recorded (it also creates the client's session).
    while Instant::now() < warmup_until {
        if let RequestResult::Io = once(&target, &mut conn, timeout).await {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    shared.barrier.wait().await;
    let start = *shared.start.get_or_init(Instant::now);
    let mut r = ClientResult {
        ok: 0,
        errors: Errors::default(),
        finished: start,
        latency: histogram(),
        session_changes: 0,
        session: None,
    };
    loop {
        let go_on = match limit {
            Limit::Duration(d) => start.elapsed() < d,
            Limit::Requests(n) => shared.claimed.fetch_add(1, Ordering::Relaxed) < n,
        };
        if !go_on {
            break;
        }
        let sent = Instant::now();
        match once(&target, &mut conn, timeout).await {
            RequestResult::Answer { ok, new_session } => {
                if ok {
                    r.ok += 1;
                    let micros = sent.elapsed().as_micros().min(HIGHEST_MICROS as u128) as u64;
                    r.latency.saturating_record(micros.max(1));
                } else {
                    r.errors.status += 1;
                }
                if new_session {
                    r.session_changes += 1;
                }
            }
            RequestResult::Io => {
                r.errors.io += 1;
                // A refused connection answers at once: do not spin on it.
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            RequestResult::Timeout => r.errors.timeout += 1,
        }
        r.finished = Instant::now();
    }
    r.session = conn.session;
    r
}

/// One request on the client's connection (opened, or opened again, as needed).
async fn once(target: &Target, conn: &mut Conn, timeout: Duration) -> RequestResult {
    match tokio::time::timeout(timeout, exchange(target, conn)).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(_)) => {
            conn.sender = None;
            RequestResult::Io
        }
        Err(_) => {
            conn.sender = None;
            RequestResult::Timeout
        }
    }
}

async fn exchange(target: &Target, conn: &mut Conn) -> Result<RequestResult, Box<dyn std::error::Error + Send + Sync>> {
    if conn.sender.as_ref().is_none_or(|s| s.is_closed()) {
        let stream = TcpStream::connect(target.addr).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        conn.sender = Some(sender);
    }
    let sender = conn.sender.as_mut().expect("connected above");
    sender.ready().await?;
    let mut req = Request::get(target.path.as_str()).header(HOST, target.host.as_str());
    if let Some(id) = &conn.session {
        req = req.header(COOKIE, format!("{SESSION_COOKIE}={id}"));
    }
    let resp = sender.send_request(req.body(Empty::new())?).await?;
    let status = resp.status();
    let issued = resp.headers().get_all(SET_COOKIE).iter().find_map(|v| session_cookie(v.to_str().ok()?));
    // The whole body is part of the answer's latency.
    resp.into_body().collect().await?;
    let mut new_session = false;
    if let Some(id) = issued {
        new_session = conn.session.as_ref().is_some_and(|old| *old != id);
        conn.session = Some(id);
    }
    Ok(RequestResult::Answer { ok: status.is_success(), new_session })
}

/// The session id in a `Set-Cookie` header, if it sets the session cookie.
pub fn session_cookie(set_cookie: &str) -> Option<String> {
    let pair = set_cookie.split(';').next()?.trim();
    let (name, value) = pair.split_once('=')?;
    (name == SESSION_COOKIE && !value.is_empty()).then(|| value.to_string())
}

impl Classified for LoadError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_id_is_read_from_set_cookie() {
        assert_eq!(session_cookie("JSESSIONID=ABC-n1; Path=/ShareSession; HttpOnly").as_deref(), Some("ABC-n1"));
        assert_eq!(session_cookie("other=1; Path=/"), None);
        assert_eq!(session_cookie("JSESSIONID=; Path=/"), None);
    }

    /// A tiny HTTP server on loopback that answers every request with 200 and a cookie on
    /// the first request of each connection: enough to check the generator's bookkeeping.
    async fn server(answers_with: &'static str) -> SocketAddr {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut n = 0;
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                n += 1;
                let id = format!("S{n}");
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    let mut first = true;
                    loop {
                        let read = match s.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(r) => r,
                        };
                        let req = String::from_utf8_lossy(&buf[..read]).to_string();
                        let cookie = if first && !req.contains("JSESSIONID=") { format!("Set-Cookie: JSESSIONID={id}; Path=/\r\n") } else { String::new() };
                        first = false;
                        let body = "ok";
                        let resp = format!("HTTP/1.1 {answers_with}\r\n{cookie}Content-Length: {}\r\n\r\n{body}", body.len());
                        if s.write_all(resp.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn each_client_keeps_its_own_session_and_every_answer_is_counted() {
        let addr = server("200 OK").await;
        let spec = LoadSpec {
            url: format!("http://{addr}/page?x=1"),
            concurrency: 4,
            limit: Limit::Requests(200),
            warmup: Duration::from_millis(50),
            timeout: Duration::from_secs(5),
        };
        let r = run(&spec).await.unwrap();
        assert_eq!(r.ok, 200);
        assert_eq!(r.errors.total(), 0);
        assert_eq!(r.latency.len(), 200);
        assert_eq!(r.session_changes, 0);
        let mut sessions = r.sessions.clone();
        sessions.sort();
        sessions.dedup();
        assert_eq!(sessions.len(), 4, "{:?}", r.sessions);
        assert!(r.elapsed > Duration::ZERO);
    }

    #[tokio::test]
    async fn non_2xx_answers_and_refused_connections_are_errors() {
        let addr = server("503 Service Unavailable").await;
        let spec = LoadSpec {
            url: format!("http://{addr}/"),
            concurrency: 2,
            limit: Limit::Requests(10),
            warmup: Duration::ZERO,
            timeout: Duration::from_secs(5),
        };
        let r = run(&spec).await.unwrap();
        assert_eq!((r.ok, r.errors.status), (0, 10));

        // A port nobody listens on: every request is an I/O error.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let spec = LoadSpec { url: format!("http://{closed}/"), ..spec };
        let r = run(&spec).await.unwrap();
        assert_eq!((r.ok, r.errors.io), (0, 10));
    }

    #[tokio::test]
    async fn only_http_urls_are_taken() {
        for bad in ["https://127.0.0.1/", "127.0.0.1:80", "ftp://x/"] {
            let spec = LoadSpec { url: bad.into(), concurrency: 1, limit: Limit::Requests(1), warmup: Duration::ZERO, timeout: Duration::from_secs(1) };
            assert!(matches!(run(&spec).await, Err(LoadError::Url(_))), "{bad}");
        }
    }
}
