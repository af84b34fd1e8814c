//! `msmlab render`: the files to deploy on real servers, from the same lock and templates as
//! the lab (`plan::msm_settings`, `templates`), with the user's addresses instead of containers.
//! The files are checked before they are written: `context.xml` must be well-formed XML with
//! the right `<Manager>`, and `nginx -t` must accept `nginx.conf` (run in a throwaway
//! container of the lab's nginx image, with no network).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::engine::{ContainerSpec, Engine, EngineError};
use crate::exit::{Classified, ExitStatus};
use crate::jars::lock::{JarSet, Lock, LockError};
use crate::jars::maven::Fetched;
use crate::plan::archive::{self, Entry};
use crate::plan;
use crate::templates::{self, RenderError};
use crate::labspec::{MsmChoice, SessionManager, Store};
use crate::verify::Check;

/// Longest `nginx -t` may take; it answers in well under a second.
const NGINX_TEST_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("--xstream-allow is compiled into a jar on the Docker engine (with the javac of msmlab's Tomcat image): leave out --no-engine-check")]
    AllowNeedsEngine,
    #[error("--tomcat-hosts: {0:?} is not HOST:PORT (a host name or IP address, and a port from 1 to 65535)")]
    TomcatHost(String),
    #[error("--store-nodes-at: {0:?} is not ID:HOST:PORT (e.g. n1:10.0.0.9:11211; the id is letters, digits, '_' or '-')")]
    StoreNode(String),
    #[error("--store-nodes-at: node id {0:?} is given twice; each memcached node needs its own id")]
    DuplicateNode(String),
    #[error("--store-nodes-at is required with msm: give your memcached nodes, e.g. --store-nodes-at n1:10.0.0.9:11211")]
    NoStoreNodes,
    #[error("--store-nodes-at: with --store redis give one HOST:PORT (e.g. 10.0.0.9:6379), not {0:?}")]
    RedisNode(String),
    #[error(
        "--failover-nodes applies to msm's sticky mode, and render writes the tutorial's non-sticky setup \
         (nginx round robin); leave out --failover-nodes"
    )]
    FailoverNonSticky,
    #[error(
        "Tomcat {0} takes msm's jars converted to jakarta.servlet, which msmlab makes with Java on the Docker engine \
         (in its Tomcat image): leave out --no-engine-check"
    )]
    JakartaNeedsEngine(String),
    #[error(
        "--context-xml {0}: its <Manager> runs msm in sticky mode (sticky=\"true\", or no sticky attribute: msm's default), \
         and render writes the tutorial's non-sticky setup (nginx round robin); set sticky=\"false\" in the file to render it"
    )]
    StickyFile(String),
    #[error("--listen-port 0: choose the port nginx listens on, from 1 to 65535")]
    ListenPort,
    #[error("{dir} is not empty; choose an empty or new directory, or add --force to write into it")]
    NotEmpty { dir: String },
    #[error("cannot write {path}")]
    Write { path: String, source: std::io::Error },
    #[error("choosing the jars")]
    Lock(#[from] LockError),
    #[error("rendering the bundle")]
    Render(#[from] RenderError),
}

/// The addresses of the user's servers, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Servers {
    pub tomcats: Vec<String>,
    pub store_nodes: Vec<String>,
    pub listen_port: u16,
}

fn valid_host(host: &str) -> bool {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<IpAddr>().is_ok();
    }
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-'))
        && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
}

fn valid_port(port: &str) -> bool {
    port.parse::<u16>().is_ok_and(|p| p > 0)
}

/// The host of a `HOST:PORT`, if `s` is one (IPv6 in brackets).
fn split_host_port(s: &str) -> Option<(&str, &str)> {
    let (host, port) = s.rsplit_once(':')?;
    (valid_host(host) && valid_port(port)).then_some((host, port))
}

impl Servers {
    pub fn parse(tomcats: &[String], store_nodes: &[String], listen_port: u16, manager: SessionManager, store: Store) -> Result<Servers, BundleError> {
        let tomcats: Vec<String> = tomcats.iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
        if tomcats.is_empty() {
            return Err(BundleError::TomcatHost(String::new()));
        }
        for t in &tomcats {
            split_host_port(t).ok_or_else(|| BundleError::TomcatHost(t.clone()))?;
        }
        let mut store_nodes: Vec<String> = store_nodes.iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
        if store == Store::Redis {
            // msm takes a single `redis://host:port`.
            match store_nodes.as_slice() {
                [] => {}
                [one] if split_host_port(one).is_some() => store_nodes = vec![format!("redis://{one}")],
                _ => return Err(BundleError::RedisNode(store_nodes.join(","))),
            }
        }
        let mut ids: Vec<&str> = Vec::new();
        for n in store_nodes.iter().filter(|_| store == Store::Memcached) {
            let (id, rest) = n.split_once(':').ok_or_else(|| BundleError::StoreNode(n.clone()))?;
            let id_ok = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || "_-".contains(c));
            if !id_ok || split_host_port(rest).is_none() {
                return Err(BundleError::StoreNode(n.clone()));
            }
            if ids.contains(&id) {
                return Err(BundleError::DuplicateNode(id.into()));
            }
            ids.push(id);
        }
        if manager == SessionManager::Msm && store_nodes.is_empty() {
            return Err(BundleError::NoStoreNodes);
        }
        if listen_port == 0 {
            return Err(BundleError::ListenPort);
        }
        Ok(Servers { tomcats, store_nodes, listen_port })
    }

    /// Host names (not IP addresses) in the upstream: `nginx -t` resolves them, so the check
    /// container maps each to a placeholder address.
    pub fn host_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .tomcats
            .iter()
            .filter_map(|t| split_host_port(t).map(|(h, _)| h.to_string()))
            .filter(|h| !h.starts_with('[') && h.parse::<IpAddr>().is_err())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// Everything in a bundle but the jars' bytes, computed without I/O.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub choice: MsmChoice,
    pub servers: Servers,
    pub jars: JarSet,
    pub context_xml: String,
    pub nginx_conf: String,
    /// The lib jars that go in converted to jakarta.servlet (Tomcat 10.1 and 11), set by
    /// `render` once they are made.
    pub converted: Vec<crate::jars::lock::Coords>,
}

impl Bundle {
    pub fn new(choice: MsmChoice, servers: Servers, lock: &Lock) -> Result<Bundle, BundleError> {
        if !choice.options.failover_nodes.is_empty() {
            return Err(BundleError::FailoverNonSticky);
        }
        let with_msm = choice.session_manager == SessionManager::Msm;
        let jars = lock.select(&choice.tomcat, choice.serializer, choice.store, with_msm)?;
        // Real servers run msm in its default, non-sticky mode, as the tutorial does.
        let msm = plan::msm_settings(&choice, false, servers.store_nodes.join(","));
        let context_xml = templates::context_xml(msm.as_ref())?;
        let nginx_conf = templates::nginx_conf_for_servers(&servers.tomcats, servers.listen_port)?;
        Ok(Bundle { choice, servers, jars, context_xml, nginx_conf, converted: Vec::new() })
    }

    /// Well-formed XML, one `<Context>` and, with msm, msm's `<Manager>` pointing at the nodes.
    pub fn check_context_xml(&self) -> Check {
        let fail = |detail: String| Check { name: "context.xml", ok: false, detail };
        let doc = match roxmltree::Document::parse(&self.context_xml) {
            Ok(d) => d,
            Err(e) => return fail(format!("not well-formed XML: {e}")),
        };
        if doc.root_element().tag_name().name() != "Context" {
            return fail(format!("the root element is <{}>, not <Context>", doc.root_element().tag_name().name()));
        }
        let manager = doc.descendants().find(|n| n.has_tag_name("Manager"));
        match (self.choice.session_manager, manager) {
            (SessionManager::Msm, Some(m)) => {
                let nodes = m.attribute("memcachedNodes").unwrap_or("");
                Check {
                    name: "context.xml",
                    ok: nodes == self.servers.store_nodes.join(","),
                    detail: format!("well-formed; <Manager className=\"{}\" memcachedNodes=\"{nodes}\">", m.attribute("className").unwrap_or("?")),
                }
            }
            (SessionManager::Msm, None) => fail("well-formed, but has no <Manager>".into()),
            (SessionManager::None, None) => Check { name: "context.xml", ok: true, detail: "well-formed; no <Manager> (session manager none)".into() },
            (SessionManager::None, Some(_)) => fail("has a <Manager> although the session manager is none".into()),
        }
    }

    /// Files for the README's table of jars.
    fn readme(&self, checks: &[Check]) -> Result<String, RenderError> {
        #[derive(Serialize)]
        struct Jar {
            file: String,
            coords: String,
            sha256: String,
            converted: bool,
        }
        #[derive(Serialize)]
        struct Vars<'a> {
            version: &'static str,
            tomcat: String,
            serializer: &'a str,
            msm: bool,
            jars: Vec<Jar>,
            tomcat_hosts: &'a [String],
            listen_port: u16,
            memcached_nodes: String,
            jvm_flags: &'static str,
            checks: &'a [Check],
            xstream_allow: &'a [String],
            xstream_allow_jar: &'static str,
            migration: Option<String>,
            tomcat11_manager: Option<&'static str>,
        }
        let jars = self
            .jars
            .lib
            .iter()
            .map(|a| Jar { file: a.coords.file_name(), coords: a.coords.to_string(), sha256: a.sha256.clone(), converted: self.converted.contains(&a.coords) })
            .collect();
        templates::render(
            "bundle/README.md",
            Vars {
                version: env!("CARGO_PKG_VERSION"),
                tomcat: self.jars.distribution.coords.version.clone(),
                serializer: self.choice.serializer.lock_key(),
                msm: self.choice.session_manager == SessionManager::Msm,
                jars,
                tomcat_hosts: &self.servers.tomcats,
                listen_port: self.servers.listen_port,
                memcached_nodes: self.servers.store_nodes.join(","),
                jvm_flags: if self.choice.session_manager == SessionManager::Msm { plan::serializer_jvm_flags(self.choice.serializer) } else { "" },
                checks,
                xstream_allow: &self.choice.xstream_allow,
                xstream_allow_jar: plan::XSTREAM_ALLOW_JAR,
                migration: self.jars.migration.as_ref().map(|m| m.coords.to_string()),
                tomcat11_manager: (self.choice.tomcat.major() >= 11 && self.choice.session_manager == SessionManager::Msm).then_some(plan::TOMCAT11_MANAGER_JAR),
            },
        )
    }
}

/// `nginx -t` on the rendered nginx.conf, in a container of `image` with no network, as root
/// (the configuration names the packaged log paths). Returns nginx's own words.
pub async fn nginx_test(engine: &Engine, image: &str, bundle: &Bundle) -> Result<Check, EngineError> {
    let name = format!("msmlab-render-check-{}", std::process::id());
    let spec = ContainerSpec {
        name,
        image: image.into(),
        network: "none".into(),
        cmd: Some(["nginx", "-t", "-c", "/etc/nginx/nginx.conf"].map(String::from).to_vec()),
        user: Some("root".into()),
        // Root reading the packaged nginx's own paths: keep the engine's default capabilities.
        privileges: crate::engine::Privileges::ImageDefault,
        // Resolved by `nginx -t`; a documentation address (RFC 5737), never contacted.
        extra_hosts: bundle.servers.host_names().into_iter().map(|h| format!("{h}:192.0.2.1")).collect(),
        ..Default::default()
    };
    let tar = archive::tar([Entry { path: "nginx.conf", data: bundle.nginx_conf.as_bytes(), mode: 0o644, uid: 0 }])
        .map_err(|e| EngineError::Call { action: "pack", target: "nginx.conf".into(), message: e.to_string() })?;
    let (code, output) = engine.run_to_end(&spec, vec![("/etc/nginx", tar)], NGINX_TEST_TIMEOUT).await?;
    let said = output.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" / ");
    Ok(Check { name: "nginx -t", ok: code == 0, detail: format!("{said} (in {image})") })
}

/// One file written.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// What `render` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Rendered {
    pub ok: bool,
    pub out: PathBuf,
    pub files: Vec<Written>,
    pub checks: Vec<Check>,
}

/// Refuses a non-empty directory unless `force`.
pub fn check_out_dir(out: &Path, force: bool) -> Result<(), BundleError> {
    let non_empty = std::fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(false);
    if non_empty && !force {
        return Err(BundleError::NotEmpty { dir: out.display().to_string() });
    }
    Ok(())
}

/// Writes the bundle: the fetched jars, the rendered files, the README and `SHA256SUMS`.
/// `built` are jars msmlab compiled for this bundle (`--xstream-allow`), by file name; their
/// source goes next to them, to be read.
pub fn write(bundle: &Bundle, jars: &[Fetched], built: &[(String, Vec<u8>)], checks: Vec<Check>, out: &Path) -> Result<Rendered, BundleError> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for j in jars {
        let path = j.path.display().to_string();
        let data = std::fs::read(&j.path).map_err(|source| BundleError::Write { path, source })?;
        files.push((format!("tomcat/lib/{}", j.artifact.coords.file_name()), data));
    }
    files.extend(built.iter().map(|(name, data)| (format!("tomcat/lib/{name}"), data.clone())));
    if !bundle.choice.xstream_allow.is_empty() {
        let source = crate::plan::xstream_allow_source(&bundle.choice.xstream_allow)?;
        files.push(("tomcat/src/AllowListTranscoderFactory.java".into(), source.into_bytes()));
    }
    files.push(("tomcat/conf/context.xml".into(), bundle.context_xml.clone().into_bytes()));
    files.push(("nginx/nginx.conf".into(), bundle.nginx_conf.clone().into_bytes()));
    files.push(("README.md".into(), bundle.readme(&checks)?.into_bytes()));
    let mut written = Vec::new();
    for (rel, data) in &files {
        let path = out.join(rel);
        let parent = path.parent().expect("bundle paths have a parent");
        std::fs::create_dir_all(parent).map_err(|source| BundleError::Write { path: parent.display().to_string(), source })?;
        std::fs::write(&path, data).map_err(|source| BundleError::Write { path: path.display().to_string(), source })?;
        written.push(Written { path: rel.clone(), bytes: data.len() as u64, sha256: hex::encode(Sha256::digest(data)) });
    }
    let sums: String = written.iter().map(|w| format!("{}  {}\n", w.sha256, w.path)).collect();
    let sums_path = out.join("SHA256SUMS");
    std::fs::write(&sums_path, &sums).map_err(|source| BundleError::Write { path: sums_path.display().to_string(), source })?;
    written.push(Written { path: "SHA256SUMS".into(), bytes: sums.len() as u64, sha256: hex::encode(Sha256::digest(sums.as_bytes())) });
    Ok(Rendered { ok: checks.iter().all(|c| c.ok), out: out.to_path_buf(), files: written, checks })
}

impl Classified for BundleError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            BundleError::Write { .. } => ExitStatus::Failed,
            BundleError::Lock(e) => e.exit_status(),
            BundleError::Render(e) => e.exit_status(),
            _ => ExitStatus::BadInput,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::labspec::LabSpec;

    fn spec(session_manager: SessionManager) -> MsmChoice {
        MsmChoice { session_manager, ..LabSpec::example().msm }
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn addresses_are_checked() {
        let ok = Servers::parse(&strings(&["10.0.0.5:8080", "app-2.example.com:8080", "[::1]:8080"]), &strings(&["n1:10.0.0.9:11211"]), 80, SessionManager::Msm, Store::Memcached).unwrap();
        assert_eq!(ok.host_names(), ["app-2.example.com"]);
        let tc = |t: &str| Servers::parse(&strings(&[t]), &strings(&["n1:h:1"]), 80, SessionManager::Msm, Store::Memcached);
        for bad in ["10.0.0.5", "10.0.0.5:0", "host:http", "a b:80", "-a:80", "a;b:80", ":80"] {
            assert!(matches!(tc(bad), Err(BundleError::TomcatHost(_))), "{bad}");
        }
        let node = |n: &[&str]| Servers::parse(&strings(&["h:8080"]), &strings(n), 80, SessionManager::Msm, Store::Memcached);
        for bad in ["10.0.0.9:11211", "n1:10.0.0.9", "n 1:h:1", "n1:h:99999"] {
            assert!(matches!(node(&[bad]), Err(BundleError::StoreNode(_))), "{bad}");
        }
        assert!(matches!(node(&["n1:a:1", "n1:b:1"]), Err(BundleError::DuplicateNode(_))));
        assert!(matches!(node(&[]), Err(BundleError::NoStoreNodes)));
        assert!(Servers::parse(&strings(&["h:8080"]), &[], 80, SessionManager::None, Store::Memcached).is_ok());
    }

    #[test]
    fn the_bundle_points_msm_at_the_given_nodes_and_nginx_at_the_given_tomcats() {
        let servers = Servers::parse(&strings(&["10.0.0.5:8080", "10.0.0.6:8080"]), &strings(&["n1:10.0.0.9:11211", "n2:10.0.0.10:11211"]), 80, SessionManager::Msm, Store::Memcached).unwrap();
        let b = Bundle::new(spec(SessionManager::Msm), servers, &Lock::bundled()).unwrap();
        assert!(b.context_xml.contains(r#"memcachedNodes="n1:10.0.0.9:11211,n2:10.0.0.10:11211""#), "{}", b.context_xml);
        assert!(b.nginx_conf.contains("server 10.0.0.5:8080 weight=1;") && b.nginx_conf.contains("listen 80;"));
        assert!(!b.nginx_conf.contains("/tmp"), "the lab's unprivileged layout stays in the lab");
        let c = b.check_context_xml();
        assert!(c.ok, "{c:?}");
        assert_eq!(b.jars.lib.len(), 3);
        let readme = b.readme(&[c]).unwrap();
        assert!(readme.contains("| `tomcat/lib/memcached-session-manager-tc9-2.3.2.jar` | every Tomcat | `$CATALINA_HOME/lib/` |"), "{readme}");
        assert!(readme.contains("✓ context.xml: well-formed"), "{readme}");
    }

    #[test]
    fn a_broken_context_xml_is_caught() {
        let servers = Servers::parse(&strings(&["h:8080"]), &strings(&["n1:h:11211"]), 80, SessionManager::Msm, Store::Memcached).unwrap();
        let mut b = Bundle::new(spec(SessionManager::Msm), servers, &Lock::bundled()).unwrap();
        b.context_xml = b.context_xml.replace("</Context>", "");
        let c = b.check_context_xml();
        assert!(!c.ok && c.detail.starts_with("not well-formed XML"), "{c:?}");
    }

    #[test]
    fn a_non_empty_directory_needs_force() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_out_dir(dir.path(), false).is_ok());
        std::fs::write(dir.path().join("x"), "x").unwrap();
        assert!(matches!(check_out_dir(dir.path(), false), Err(BundleError::NotEmpty { .. })));
        assert!(check_out_dir(dir.path(), true).is_ok());
    }
}
