//! Which Docker engine to talk to, found as the docker CLI finds it, and where the ports it
//! publishes are reached from here.
//!
//! In order: `DOCKER_HOST` (with TLS from `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`); the
//! context named by `DOCKER_CONTEXT`, else the current context of `~/.docker/config.json`
//! (`DOCKER_CONFIG` moves that directory); the default socket; and when that does not exist,
//! the rootless socket `$XDG_RUNTIME_DIR/docker.sock`. A port a remote engine publishes is
//! reached on the engine's host, or on `MSMLAB_HOST_OVERRIDE` where that host is not the right
//! address from here (as Testcontainers' `TESTCONTAINERS_HOST_OVERRIDE`).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// Client certificate files for a TLS engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Tls {
    fn in_dir(dir: &Path) -> Tls {
        Tls { ca: dir.join("ca.pem"), cert: dir.join("cert.pem"), key: dir.join("key.pem") }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `unix:///path` or `tcp://host:port`.
    pub host: String,
    pub tls: Option<Tls>,
    /// How it was found, for `doctor` and `--verbose`: "DOCKER_HOST", "docker context ci", …
    pub how: String,
    /// `MSMLAB_HOST_OVERRIDE`: where published ports are reached instead of the engine's host.
    pub host_override: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointError {
    #[error("docker context {name:?} ({how}) is not in {dir}: `docker context ls` lists the contexts")]
    NoContext { name: String, how: String, dir: String },
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{what} {host:?} is not an engine address msmlab can use: give unix:///path/to/docker.sock or tcp://HOST:PORT")]
    Scheme { what: String, host: String },
}

/// What the resolution reads: the environment and files, given so that tests can fake them.
pub trait Surroundings {
    fn var(&self, name: &str) -> Option<String>;
    fn read(&self, path: &Path) -> std::io::Result<String>;
    fn exists(&self, path: &Path) -> bool;
    fn home(&self) -> Option<PathBuf>;
}

/// This process's environment and file system.
pub struct Real;

impl Surroundings for Real {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
    fn read(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }
    fn home(&self) -> Option<PathBuf> {
        dirs::home_dir()
    }
}

impl Endpoint {
    pub fn resolve(s: &dyn Surroundings) -> Result<Endpoint, EndpointError> {
        let host_override = s.var("MSMLAB_HOST_OVERRIDE");
        let config_dir = s.var("DOCKER_CONFIG").map(PathBuf::from).or_else(|| s.home().map(|h| h.join(".docker"))).unwrap_or_else(|| PathBuf::from(".docker"));
        if let Some(host) = s.var("DOCKER_HOST") {
            let tls = s.var("DOCKER_TLS_VERIFY").filter(|v| v != "0").map(|_| Tls::in_dir(&s.var("DOCKER_CERT_PATH").map(PathBuf::from).unwrap_or_else(|| config_dir.clone())));
            return checked(Endpoint { host, tls, how: "DOCKER_HOST".into(), host_override });
        }
        let (context, how) = match s.var("DOCKER_CONTEXT") {
            Some(c) => (Some(c), "DOCKER_CONTEXT".to_string()),
            None => (current_context(s, &config_dir)?, format!("the current context of {}", config_dir.join("config.json").display())),
        };
        if let Some(name) = context.filter(|c| c != "default") {
            let id = hex::encode(Sha256::digest(name.as_bytes()));
            let meta = config_dir.join("contexts").join("meta").join(&id).join("meta.json");
            let text = s.read(&meta).map_err(|_| EndpointError::NoContext { name: name.clone(), how: how.clone(), dir: config_dir.join("contexts").display().to_string() })?;
            let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| EndpointError::Unreadable { path: meta.display().to_string(), reason: e.to_string() })?;
            let docker = &json["Endpoints"]["docker"];
            let host = docker["Host"].as_str().ok_or_else(|| EndpointError::Unreadable { path: meta.display().to_string(), reason: "it names no Endpoints.docker.Host".into() })?.to_string();
            let tls_dir = config_dir.join("contexts").join("tls").join(&id).join("docker");
            let tls = (docker["SkipTLSVerify"] != true && s.exists(&tls_dir.join("ca.pem"))).then(|| Tls::in_dir(&tls_dir));
            return checked(Endpoint { host, tls, how: format!("docker context {name} ({how})"), host_override });
        }
        let rootless = s.var("XDG_RUNTIME_DIR").map(|d| PathBuf::from(d).join("docker.sock"));
        match rootless.filter(|r| !s.exists(Path::new(DEFAULT_SOCKET)) && s.exists(r)) {
            Some(r) => Ok(Endpoint { host: format!("unix://{}", r.display()), tls: None, how: "the rootless socket ($XDG_RUNTIME_DIR/docker.sock)".into(), host_override }),
            None => Ok(Endpoint { host: format!("unix://{DEFAULT_SOCKET}"), tls: None, how: "the default socket".into(), host_override }),
        }
    }

    /// A socket on this machine: what it publishes on 127.0.0.1 is this machine's loopback.
    pub fn is_local(&self) -> bool {
        self.host.starts_with("unix://") || self.host.starts_with('/')
    }

    /// Where a port the engine publishes is reached from here: the override, else a remote
    /// engine's host (`None`: a local engine, reached where it publishes).
    pub fn reach_host(&self) -> Option<String> {
        if let Some(h) = &self.host_override {
            return Some(h.clone());
        }
        let rest = self.host.strip_prefix("tcp://").or_else(|| self.host.strip_prefix("https://")).or_else(|| self.host.strip_prefix("http://"))?;
        let authority = rest.split('/').next().unwrap_or(rest);
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(v6),
            None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
        };
        Some(host.to_string())
    }
}

fn current_context(s: &dyn Surroundings, config_dir: &Path) -> Result<Option<String>, EndpointError> {
    let path = config_dir.join("config.json");
    let Ok(text) = s.read(&path) else { return Ok(None) };
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| EndpointError::Unreadable { path: path.display().to_string(), reason: e.to_string() })?;
    Ok(json["currentContext"].as_str().filter(|c| !c.is_empty()).map(str::to_string))
}

fn checked(e: Endpoint) -> Result<Endpoint, EndpointError> {
    let ok = ["unix://", "tcp://", "http://", "https://"].iter().any(|p| e.host.starts_with(p)) || e.host.starts_with('/');
    if ok {
        Ok(e)
    } else {
        Err(EndpointError::Scheme { what: e.how.clone(), host: e.host })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[derive(Default)]
    struct Fake {
        vars: HashMap<&'static str, String>,
        files: HashMap<PathBuf, String>,
    }

    impl Surroundings for Fake {
        fn var(&self, name: &str) -> Option<String> {
            self.vars.get(name).cloned()
        }
        fn read(&self, path: &Path) -> std::io::Result<String> {
            self.files.get(path).cloned().ok_or_else(|| std::io::ErrorKind::NotFound.into())
        }
        fn exists(&self, path: &Path) -> bool {
            self.files.contains_key(path)
        }
        fn home(&self) -> Option<PathBuf> {
            Some("/home/u".into())
        }
    }

    #[test]
    fn docker_host_comes_first_with_tls_from_the_cli_variables() {
        let mut f = Fake::default();
        f.vars.insert("DOCKER_HOST", "tcp://docker:2376".into());
        f.vars.insert("DOCKER_TLS_VERIFY", "1".into());
        f.vars.insert("DOCKER_CERT_PATH", "/certs/client".into());
        let e = Endpoint::resolve(&f).unwrap();
        assert_eq!((e.host.as_str(), e.how.as_str()), ("tcp://docker:2376", "DOCKER_HOST"));
        assert_eq!(e.reach_host().as_deref(), Some("docker"));
        assert_eq!(e.tls.unwrap().ca, PathBuf::from("/certs/client/ca.pem"));
    }

    #[test]
    fn the_current_context_is_read_as_the_docker_cli_reads_it() {
        let mut f = Fake::default();
        f.files.insert("/home/u/.docker/config.json".into(), r#"{"currentContext":"ci"}"#.into());
        let id = hex::encode(Sha256::digest(b"ci"));
        f.files.insert(format!("/home/u/.docker/contexts/meta/{id}/meta.json").into(), r#"{"Name":"ci","Endpoints":{"docker":{"Host":"tcp://10.0.0.5:2375","SkipTLSVerify":false}}}"#.into());
        let e = Endpoint::resolve(&f).unwrap();
        assert_eq!(e.host, "tcp://10.0.0.5:2375");
        assert!(e.how.starts_with("docker context ci"), "{}", e.how);
        assert_eq!(e.reach_host().as_deref(), Some("10.0.0.5"));
        f.vars.insert("DOCKER_CONTEXT", "gone".into());
        assert!(matches!(Endpoint::resolve(&f), Err(EndpointError::NoContext { .. })));
    }

    #[test]
    fn the_rootless_socket_is_used_when_the_default_one_is_missing() {
        let mut f = Fake::default();
        f.vars.insert("XDG_RUNTIME_DIR", "/run/user/1000".into());
        f.files.insert("/run/user/1000/docker.sock".into(), String::new());
        assert_eq!(Endpoint::resolve(&f).unwrap().host, "unix:///run/user/1000/docker.sock");
        f.files.insert(DEFAULT_SOCKET.into(), String::new());
        let e = Endpoint::resolve(&f).unwrap();
        assert_eq!((e.host.as_str(), e.is_local(), e.reach_host()), ("unix:///var/run/docker.sock", true, None));
    }

    #[test]
    fn published_ports_are_reached_on_the_engines_host_unless_overridden() {
        let mut f = Fake::default();
        f.vars.insert("DOCKER_HOST", "tcp://[fd00::5]:2375".into());
        assert_eq!(Endpoint::resolve(&f).unwrap().reach_host().as_deref(), Some("fd00::5"));
        f.vars.insert("MSMLAB_HOST_OVERRIDE", "192.0.2.7".into());
        assert_eq!(Endpoint::resolve(&f).unwrap().reach_host().as_deref(), Some("192.0.2.7"));
        f.vars.insert("DOCKER_HOST", "ssh://me@box".into());
        assert!(matches!(Endpoint::resolve(&f), Err(EndpointError::Scheme { .. })));
    }
}
