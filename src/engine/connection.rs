//! The `Engine` handle: one connection to the engine the docker CLI would use, its API
//! version negotiated, and what it says about itself (version, where it was found, where its
//! published ports are reached).

use bollard::errors::Error as BollardError;
use bollard::Docker;
use serde::Serialize;

use super::endpoint::{self, Endpoint};
use super::errors::{call, short, EngineError, MIN_API};

/// The engine's version, as `doctor` and `-v` report it.
#[derive(Debug, Clone, Serialize)]
pub struct EngineVersion {
    pub host: String,
    pub version: String,
    pub api_version: String,
    pub os: String,
}

#[derive(Clone)]
pub struct Engine {
    // Seen by the other files of `engine` (each an `impl Engine` block), by nobody else.
    pub(super) docker: Docker,
    pub(super) endpoint: Endpoint,
}

impl Engine {
    /// Connects to the engine the docker CLI would use (`endpoint`: `DOCKER_HOST`, contexts,
    /// the rootless socket) and negotiates the API version.
    pub async fn connect() -> Result<Engine, EngineError> {
        let endpoint = Endpoint::resolve(&endpoint::Real).map_err(|e| EngineError::Unreachable { host: "(none)".into(), message: e.to_string() })?;
        Engine::connect_endpoint(endpoint).await
    }

    /// Connects to `host` (`unix://…`, `tcp://…`), and refuses an engine older than `MIN_API`:
    /// the unit tests' door to a fake engine.
    #[cfg(test)]
    pub async fn connect_to(host: &str) -> Result<Engine, EngineError> {
        Engine::connect_endpoint(Endpoint { host: host.into(), tls: None, how: "given".into(), host_override: None }).await
    }

    async fn connect_endpoint(endpoint: Endpoint) -> Result<Engine, EngineError> {
        let host = endpoint.host.clone();
        let unreachable = |e: BollardError| EngineError::Unreachable { host: host.clone(), message: short(&e) };
        let docker = match &endpoint.tls {
            Some(tls) => Docker::connect_with_ssl(&host, &tls.key, &tls.cert, &tls.ca, 120, bollard::API_DEFAULT_VERSION).map_err(unreachable)?,
            None => Docker::connect_with_host(&host).map_err(unreachable)?,
        };
        let docker = docker.negotiate_version().await.map_err(unreachable)?;
        let api = docker.client_version();
        if (api.major_version, api.minor_version) < MIN_API {
            let version = docker.version().await.ok().and_then(|v| v.version).unwrap_or_else(|| "unknown".into());
            return Err(EngineError::TooOld { host: host.clone(), api: format!("{}.{}", api.major_version, api.minor_version), version });
        }
        docker.ping().await.map_err(unreachable)?;
        Ok(Engine { docker, endpoint })
    }

    /// Whether the engine runs on this machine (a unix socket), so that what it publishes on
    /// 127.0.0.1 is this machine's loopback.
    pub fn is_local(&self) -> bool {
        self.endpoint.is_local()
    }

    /// Where a port the engine publishes is reached from here (`None`: a local engine, at the
    /// address it publishes on).
    pub fn reach_host(&self) -> Option<String> {
        self.endpoint.reach_host()
    }

    /// How the engine was found ("DOCKER_HOST", "docker context ci", "the default socket").
    pub fn found_by(&self) -> &str {
        &self.endpoint.how
    }

    /// The engine's version and API version.
    pub async fn version(&self) -> Result<EngineVersion, EngineError> {
        let v = self.docker.version().await.map_err(call("ask the version of", &self.endpoint.host))?;
        Ok(EngineVersion {
            host: self.endpoint.host.clone(),
            version: v.version.unwrap_or_default(),
            api_version: v.api_version.unwrap_or_default(),
            os: format!("{}/{}", v.os.unwrap_or_default(), v.arch.unwrap_or_default()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A fake engine on loopback that answers `/version` with the given API version, and
    /// `/_ping` with OK, one request per connection.
    async fn fake_engine(api: &'static str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = vec![0u8; 4096];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let body = if request.contains("/version") {
                    format!(r#"{{"Version":"1.12.6","ApiVersion":"{api}","MinAPIVersion":"1.12","Os":"linux"}}"#)
                } else {
                    "OK".to_string()
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(body.as_bytes()).await;
            }
        });
        format!("tcp://{addr}")
    }

    #[tokio::test]
    async fn an_engine_that_is_too_old_is_refused_with_what_to_do() {
        let host = fake_engine("1.24").await;
        let err = Engine::connect_to(&host).await.err().expect("API 1.24 is refused");
        let msg = err.to_string();
        assert!(matches!(err, EngineError::TooOld { .. }), "{msg}");
        assert!(msg.contains("speaks API 1.24 (Docker 1.12.6)"), "{msg}");
        assert!(msg.contains("needs API 1.41 (Docker 20.10) or newer; upgrade it"), "{msg}");
        assert!(!msg.contains('\n'), "one line: {msg}");
    }

    #[tokio::test]
    async fn an_engine_with_api_1_41_is_accepted() {
        let host = fake_engine("1.41").await;
        let engine = Engine::connect_to(&host).await.unwrap();
        assert!(!engine.is_local());
    }

    #[tokio::test]
    async fn no_engine_is_a_one_line_error_that_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let host = format!("unix://{}/docker.sock", dir.path().display());
        let err = Engine::connect_to(&host).await.err().expect("no socket, no engine");
        let msg = err.to_string();
        assert!(err.is_unreachable(), "{msg}");
        assert!(msg.starts_with(&format!("cannot reach the Docker engine at {host}")), "{msg}");
        assert!(msg.contains("point DOCKER_HOST at a running engine"), "{msg}");
        assert!(!msg.contains('\n'), "one line: {msg}");
    }
}
