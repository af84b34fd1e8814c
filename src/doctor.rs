//! `msmlab doctor`: what this machine has and lacks for a lab, each finding with a mark and,
//! when something is wrong, the command that fixes it. It changes nothing.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::engine::Engine;
use crate::jars::lock::Lock;
use crate::lab::preflight::{self, PortHolder};
use crate::lab::provision;
use crate::plan::official;
use crate::labspec::names::IMAGE_LABEL;
use crate::labspec::{Jre, Serializer, Store};

/// How long the registry and the Maven repository get to answer: where packets are dropped
/// rather than refused, the question would otherwise hang.
const NETWORK_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Works.
    Ok,
    /// Works, with something to know.
    Info,
    /// Not needed by default, but missing.
    Warn,
    /// `msmlab up` will fail until this is fixed.
    Fail,
}

impl Status {
    pub fn mark(self) -> &'static str {
        match self {
            Status::Ok => "✓",
            Status::Info => "·",
            Status::Warn => "!",
            Status::Fail => "✗",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub name: &'static str,
    pub status: Status,
    pub detail: String,
    /// The command (or setting) that fixes it.
    pub fix: Option<String>,
}

fn finding(name: &'static str, status: Status, detail: impl Into<String>, fix: Option<String>) -> Finding {
    Finding { name, status, detail: detail.into(), fix }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// No finding is `fail`.
    pub ok: bool,
    pub findings: Vec<Finding>,
}

/// What the doctor is asked to look at.
pub struct Question<'a> {
    pub port: u16,
    pub base_image: &'a str,
    pub maven_repo: &'a str,
    pub registry: Option<&'a str>,
    pub cache_dir: &'a Path,
}

pub async fn examine(q: &Question<'_>) -> Report {
    let mut findings = Vec::new();
    let engine = match Engine::connect().await {
        Ok(engine) => {
            match engine.version().await {
                Ok(v) => {
                    let reach = engine.reach_host().map(|h| format!("; its published ports are reached at {h}")).unwrap_or_default();
                    let detail = format!("Docker {} (API {}, {}) at {}, found through {}{reach}", v.version, v.api_version, v.os, v.host, engine.found_by());
                    findings.push(finding("engine", Status::Ok, detail, None))
                }
                Err(e) => findings.push(finding("engine", Status::Fail, e.to_string(), Some("sudo scripts/setup.sh".into()))),
            }
            Some(engine)
        }
        Err(e) => {
            let first = e.to_string().lines().next().unwrap_or("").to_string();
            findings.push(finding(
                "engine",
                Status::Fail,
                first,
                Some("sudo scripts/setup.sh (installs and starts Debian's Docker engine), or export DOCKER_HOST=… for another engine".into()),
            ));
            None
        }
    };
    match &engine {
        Some(engine) => {
            findings.push(base_image(engine, q.base_image).await);
            findings.push(lab_images(engine).await);
            findings.push(port(engine, q.port).await);
        }
        None => {
            for name in ["base image", "lab images", "port"] {
                findings.push(finding(name, Status::Info, "not checked: no engine", None));
            }
        }
    }
    findings.push(cache(q.cache_dir));
    findings.push(maven(q.maven_repo, q.cache_dir).await);
    findings.push(match &engine {
        Some(engine) => registry(engine, q.registry).await,
        None => finding("registry", Status::Info, "not checked: no engine", None),
    });
    Report { ok: findings.iter().all(|f| f.status != Status::Fail), findings }
}

async fn base_image(engine: &Engine, image: &str) -> Finding {
    match engine.image_id(image).await {
        Ok(Some(id)) => finding("base image", Status::Ok, format!("{image} is present ({})", provision::short_id(&id)), None),
        Ok(None) => finding(
            "base image",
            Status::Fail,
            format!("{image} is missing: msmlab builds its images on it (the first up tries to pull it)"),
            Some(format!("scripts/base-image.sh {image} (pulls it, or builds it with debootstrap where no registry answers)")),
        ),
        Err(e) => finding("base image", Status::Fail, e.to_string(), None),
    }
}

async fn lab_images(engine: &Engine) -> Finding {
    match engine.images_with_label(IMAGE_LABEL).await {
        Ok(tags) if tags.is_empty() => finding("lab images", Status::Info, "none built yet: the first up builds them (a minute or two, once)", None),
        Ok(tags) => {
            let mut by_repo: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
            for t in &tags {
                *by_repo.entry(t.split(':').next().unwrap_or(t)).or_default() += 1;
            }
            let kinds = by_repo.iter().map(|(r, n)| format!("{r} ×{n}")).collect::<Vec<_>>().join(", ");
            finding("lab images", Status::Ok, format!("{} built, reused by every up ({kinds})", tags.len()), None)
        }
        Err(e) => finding("lab images", Status::Warn, e.to_string(), None),
    }
}

async fn port(engine: &Engine, port: u16) -> Finding {
    match preflight::port_holder(engine, std::net::Ipv4Addr::LOCALHOST.into(), port).await {
        Err(e) => finding("port", Status::Warn, e.to_string(), None),
        // A lab already on the port is not a fault: its own `up` says "already up"; only a new
        // lab needs another port.
        Ok(PortHolder::Lab { lab, container }) => finding(
            "port",
            Status::Info,
            format!("127.0.0.1:{port} is published by lab {lab:?} ({container}); a new lab needs another --port"),
            Some(format!("msmlab up --port {} for a second lab, or msmlab down --name {lab} first", port.wrapping_add(1))),
        ),
        Ok(PortHolder::Program) => {
            finding("port", Status::Fail, format!("127.0.0.1:{port} is taken by another program"), Some(format!("msmlab up --port {}", port.wrapping_add(1))))
        }
        Ok(PortHolder::Free) => finding("port", Status::Ok, format!("127.0.0.1:{port} is free for nginx"), None),
    }
}

/// Bytes and files under `dir`.
pub fn dir_size(dir: &Path) -> (u64, u64) {
    let mut total = (0, 0);
    let Ok(entries) = std::fs::read_dir(dir) else { return total };
    for e in entries.flatten() {
        match e.file_type() {
            Ok(t) if t.is_dir() => {
                let (b, f) = dir_size(&e.path());
                total = (total.0 + b, total.1 + f);
            }
            Ok(_) => total = (total.0 + e.metadata().map(|m| m.len()).unwrap_or(0), total.1 + 1),
            Err(_) => {}
        }
    }
    total
}

fn cache(dir: &Path) -> Finding {
    let (bytes, files) = dir_size(dir);
    let shown = dir.display();
    if std::fs::create_dir_all(dir).is_err() {
        return finding("cache", Status::Fail, format!("{shown} cannot be created"), Some("export MSMLAB_CACHE_DIR=<a writable directory>".into()));
    }
    finding("cache", Status::Ok, format!("{shown}: {:.1} MB in {files} files (remove it to start over; jars are checked on every use)", bytes as f64 / 1e6), None)
}

/// Whether the repository serves the jar every lab needs, msm's core, with its pinned path.
async fn maven(repo: &str, cache_dir: &Path) -> Finding {
    let lock = Lock::bundled();
    let set = match lock.select(&"9".parse().expect("9 is a Tomcat line"), Serializer::Java, Store::Memcached, true) {
        Ok(set) => set,
        Err(e) => return finding("maven", Status::Warn, e.to_string(), None),
    };
    let core = &set.lib[0];
    let url = format!("{}/{}", repo.trim_end_matches('/'), core.coords.repo_path());
    let cached = set.all().all(|a| cache_dir.join("maven").join(a.coords.repo_path()).is_file());
    let client = reqwest::Client::builder().no_proxy().timeout(NETWORK_TIMEOUT).build().expect("a plain HTTP client builds");
    let fix = Some("--maven-repo URL or MSMLAB_MAVEN_REPO=URL: a reachable mirror of Maven Central".to_string());
    match client.head(&url).send().await {
        Ok(r) if r.status().is_success() => finding("maven", Status::Ok, format!("{repo} answers ({} for {})", r.status(), core.coords), None),
        Ok(r) => finding("maven", if cached { Status::Warn } else { Status::Fail }, format!("{url} answered {}", r.status()), fix),
        Err(e) if cached => finding("maven", Status::Warn, format!("{repo} does not answer ({e}); the Tomcat 9 + java jars are cached, so up works offline"), fix),
        Err(e) => finding("maven", Status::Fail, format!("{repo} does not answer ({e}) and the jars are not cached"), fix),
    }
}

async fn registry(engine: &Engine, registry: Option<&str>) -> Finding {
    let image = official::images_for(9, Jre::Jre17, Store::Memcached, registry).expect("Tomcat 9 has an official tag").tomcat;
    let which = registry.unwrap_or("Docker Hub");
    match tokio::time::timeout(NETWORK_TIMEOUT, engine.registry_has(&image)).await {
        Ok(Ok(())) => finding("registry", Status::Ok, format!("{which} answers for {image}: --images official works"), None),
        Ok(Err(e)) => {
            let why = e.to_string().lines().next().unwrap_or("").to_string();
            unreachable_registry(which, &why)
        }
        Err(_) => unreachable_registry(which, &format!("no answer within {}s", NETWORK_TIMEOUT.as_secs())),
    }
}

fn unreachable_registry(which: &str, why: &str) -> Finding {
    finding(
        "registry",
        Status::Warn,
        format!(
            "{which} does not answer ({why}). That is fine: msmlab builds its own images on the base image \
             (--images built, the default); only --images official needs a registry"
        ),
        Some("--registry HOST:PORT or MSMLAB_REGISTRY=HOST:PORT for a mirror with Docker Hub's images".into()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_size_counts_every_file_below() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("maven/a")).unwrap();
        std::fs::write(dir.path().join("maven/a/x.jar"), vec![0u8; 1000]).unwrap();
        std::fs::write(dir.path().join("y"), vec![0u8; 24]).unwrap();
        assert_eq!(dir_size(dir.path()), (1024, 2));
        assert_eq!(dir_size(&dir.path().join("missing")), (0, 0));
    }
}
