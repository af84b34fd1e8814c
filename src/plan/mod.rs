//! Everything that follows from a `LabSpec` and the lock, computed without I/O: the jar set,
//! the containers and their names, and the rendered files each container receives.

pub mod archive;
pub mod images;
pub mod official;
pub mod probe;

/// Where the session probe is declared in a lab Tomcat: the host's default web.xml, which
/// Tomcat merges into every webapp's, the user's included.
pub const PROBE_CONFIG: &str = "conf/Catalina/localhost/web.xml.default";


use crate::exit::{Classified, ExitStatus};
use crate::jars::lock::{Artifact, JarSet, Lock, LockError};
use crate::jars::maven::Fetched;
use crate::plan::archive::{Dir, Entry};
use crate::plan::probe::ProbeBuild;
use crate::templates::{self, Backend, MsmSettings, RenderError};
use crate::labspec::names::{self, Role, MEMCACHED_PORT, NGINX_PORT, REDIS_PORT, TOMCAT_PORT};
use crate::labspec::support::{self, Unsupported};
use crate::labspec::webapp::{Webapp, WEBAPP_CONTEXT};
use crate::labspec::{ImageSource, LabSpec, MsmChoice, Serializer, SessionManager, Store};

/// Where the Apache distribution is unpacked in the Tomcat image.
pub const CATALINA_HOME: &str = "/usr/local/tomcat";
/// Tomcat 10's `legacyAppBase` (the Host's default): a Java EE webapp put there is converted by
/// Apache's migration tool, from `lib/`, into `webapps/` before deployment (`--webapp-javaee`).
pub const LEGACY_APP_BASE: &str = "webapps-javaee";
/// The mtime of what goes into `LEGACY_APP_BASE`. Tomcat converts a webapp there only when it
/// is newer than its copy in `webapps/` (0 when missing): at the uploads' usual 0 it never would.
/// A fixed 1 s keeps the archive reproducible, and the copy (written at start) stays newer.
const LEGACY_MTIME: u64 = 1;
/// The uid the Tomcat image runs as (see `templates/images/tomcat.Dockerfile`).
pub const TOMCAT_UID: u64 = 8080;
/// Requests for static files never trigger a session backup (the seed's pattern, plus .ico).
pub const REQUEST_URI_IGNORE_PATTERN: &str = r".*\.(ico|png|gif|jpg|css|js)$";
/// msm's `sessionBackupTimeout`: how long a request waits for its session to reach the store.
/// The seed (and msm's default) says 100 ms. On a busy machine (a CI runner, a laptop running
/// a lab of JVMs) a write can take longer; msm then drops it and the next Tomcat starts a new
/// session, so the lab would fail for a reason no server has. 1 s keeps the lab about sharing.
pub const SESSION_BACKUP_TIMEOUT_MS: u32 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Unsupported(#[from] Unsupported),
    // Not transparent: the lock's error stays a cause of its own, so callers that classify
    // errors (exit codes) find it in the chain.
    #[error("choosing the jars")]
    Lock(#[from] LockError),
    #[error("rendering the lab's files")]
    Render(#[from] RenderError),
}

/// One container of the lab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub role: Role,
    pub index: u8,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub spec: LabSpec,
    pub jars: JarSet,
    pub network: String,
    /// The session store's nodes: memcached `n1..nN`, or one Redis.
    pub stores: Vec<Node>,
    pub tomcats: Vec<Node>,
    pub nginx: Node,
    pub context_xml: String,
    pub nginx_conf: String,
    /// The user's webapp, read from disk (`with_webapp`), deployed next to the test page.
    pub webapp: Option<Webapp>,
    /// The session probe to compile for official images (msmlab's own have it built in).
    pub probe: Option<ProbeBuild>,
    /// With `--webapp-javaee`: Apache's migration tool, which goes into `lib/` as it is (the
    /// line's pinned one, also for a lab without msm), for Tomcat to convert the webapp.
    pub webapp_migration: Option<Artifact>,
}

impl Plan {
    pub fn new(spec: LabSpec, lock: &Lock) -> Result<Plan, PlanError> {
        support::check(&spec)?;
        let with_msm = spec.msm.session_manager == SessionManager::Msm;
        let jars = lock.select(&spec.msm.tomcat, spec.msm.serializer, spec.msm.store, with_msm)?;
        let node = |role, index| Node { role, index, name: names::container_name(&spec.shape.name, role, index) };
        let stores: Vec<Node> = match spec.msm.store {
            Store::Memcached => (1..=spec.shape.store_nodes).map(|i| node(Role::Memcached, i)).collect(),
            Store::Redis => vec![node(Role::Redis, 1)],
        };
        let tomcats: Vec<Node> = (1..=spec.shape.tomcats).map(|i| node(Role::Tomcat, i)).collect();
        let nginx = node(Role::Nginx, 1);
        let major = spec.msm.tomcat.major();
        let probe = (spec.msm.images == ImageSource::Official).then(|| ProbeBuild::new(major, official::java_of(major, spec.shape.jre))).transpose()?;
        // The tool the lock pins for msm's jars on this line: selected as for a lab with msm.
        let webapp_migration = match spec.shape.webapp_javaee {
            true => lock.select(&spec.msm.tomcat, spec.msm.serializer, spec.msm.store, true)?.migration,
            false => None,
        };

        let msm = msm_settings(&spec.msm, spec.shape.sticky, memcached_nodes(spec.msm.store, &stores));
        let context_xml = templates::context_xml(msm.as_ref())?;
        let backends: Vec<Backend> = tomcats
            .iter()
            .map(|t| Backend { address: format!("{}:{TOMCAT_PORT}", t.name), route: spec.shape.sticky.then(|| names::jvm_route(t.index)) })
            .collect();
        let nginx_conf = match spec.shape.swarm {
            Some(_) => templates::nginx_conf_for_swarm(spec.shape.name.as_str(), &names::tomcat_service_name(&spec.shape.name), TOMCAT_PORT, NGINX_PORT)?,
            None => templates::nginx_conf(spec.shape.name.as_str(), &backends, NGINX_PORT, spec.shape.sticky)?,
        };
        Ok(Plan {
            network: names::network_name(&spec.shape.name),
            spec,
            jars,
            stores,
            tomcats,
            nginx,
            context_xml,
            nginx_conf,
            webapp: None,
            probe,
            webapp_migration,
        })
    }

    /// The plan with the user's webapp added to every Tomcat.
    pub fn with_webapp(self, webapp: Option<Webapp>) -> Plan {
        Plan { webapp, ..self }
    }

    /// Environment of a container: the serializer's JVM flags, in sticky mode the jvmRoute
    /// (Tomcat's Engine reads the `jvmRoute` system property), and the user's JVM options
    /// reach the Tomcats only.
    pub fn env(&self, node: &Node) -> Vec<String> {
        if node.role != Role::Tomcat {
            return Vec::new();
        }
        // Java 8 (the official Tomcat 7 image) knows no --add-opens, and needs none.
        let java8 = self.spec.msm.images == ImageSource::Official && crate::plan::official::java_of(self.spec.msm.tomcat.major(), self.spec.shape.jre) == 8;
        let serializer = if self.spec.msm.session_manager == SessionManager::Msm && !java8 { serializer_jvm_flags(self.spec.msm.serializer) } else { "" };
        let route = if self.spec.shape.sticky { format!("-DjvmRoute={}", names::jvm_route(node.index)) } else { String::new() };
        let opts = [serializer, route.as_str(), self.spec.shape.java_opts.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" ");
        let mut env = Vec::new();
        // msmlab's own image sets its start-up tuning; an official image needs it given.
        if self.spec.msm.images == ImageSource::Official {
            env.push(format!("JAVA_OPTS={}", crate::plan::official::tomcat_java_opts()));
        }
        if !opts.is_empty() {
            env.push(format!("CATALINA_OPTS={opts}"));
        }
        env
    }

    /// Every container, in start order.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.stores.iter().chain(&self.tomcats).chain(std::iter::once(&self.nginx))
    }

    /// The files every Tomcat receives, as a tar to unpack at `CATALINA_HOME`: the lock's jars
    /// in `lib/`, `conf/context.xml`, the probe's declaration, the test webapp and the user's
    /// (in `LEGACY_APP_BASE` with `--webapp-javaee`). `jars` are the fetched lib jars (and the
    /// `webapp_migration` tool). `built` are jars msmlab compiled for this lab
    /// (`XSTREAM_ALLOW_JAR`, on official images `probe::PROBE_JAR`), by file name.
    pub fn tomcat_archive(&self, jars: &[Fetched], built: &[(String, Vec<u8>)]) -> std::io::Result<Vec<u8>> {
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        for j in jars {
            files.push((format!("lib/{}", j.artifact.coords.file_name()), std::fs::read(&j.path)?));
        }
        files.extend(built.iter().map(|(name, bytes)| (format!("lib/{name}"), bytes.clone())));
        files.push(("conf/context.xml".into(), self.context_xml.clone().into_bytes()));
        files.push(("conf/logging.properties".into(), templates::TOMCAT_LOGGING.as_bytes().to_vec()));
        if self.has_probe() {
            files.push((PROBE_CONFIG.into(), templates::PROBE_WEB_XML.as_bytes().to_vec()));
        }
        for (path, body) in templates::webapp(self.spec.msm.tomcat.major()) {
            files.push((format!("webapps/{WEBAPP_CONTEXT}/{path}"), body.as_bytes().to_vec()));
        }
        let javaee = self.spec.shape.webapp_javaee;
        let app_base = if javaee { LEGACY_APP_BASE } else { "webapps" };
        for (path, body) in self.webapp.iter().flat_map(|w| &w.files) {
            files.push((format!("{app_base}/{path}"), body.clone()));
        }
        // Tomcat writes its conversion's temporary files into LEGACY_APP_BASE: it must own it.
        let dirs: &[Dir] = if javaee { &[Dir { path: LEGACY_APP_BASE, uid: TOMCAT_UID }] } else { &[] };
        let mtime = |path: &str| if path.starts_with(&format!("{LEGACY_APP_BASE}/")) { LEGACY_MTIME } else { 0 };
        archive::tar_with(dirs, files.iter().map(|(path, data)| (Entry { path, data, mode: 0o644, uid: TOMCAT_UID }, mtime(path))))
    }

    /// Whether the Tomcats carry msmlab's session probe: msmlab's own images compile it in;
    /// official ones receive it compiled (`probe`).
    pub fn has_probe(&self) -> bool {
        self.spec.msm.images == ImageSource::Built || self.probe.is_some()
    }

    /// The probe label a container of `role` carries (`names::PROBE_LABEL`, the key of the
    /// probe's build): the Tomcats of official images. msmlab's own always had the probe.
    pub fn probe_label(&self, role: Role) -> Option<(String, String)> {
        let probe = self.probe.as_ref().filter(|_| role == Role::Tomcat)?;
        Some((names::PROBE_LABEL.to_string(), probe.key[..16].to_string()))
    }

    /// `nginx.conf`, as a tar to unpack at `/etc/nginx`.
    pub fn nginx_archive(&self) -> std::io::Result<Vec<u8>> {
        archive::tar([Entry { path: "nginx.conf", data: self.nginx_conf.as_bytes(), mode: 0o644, uid: 0 }])
    }
}

/// The msm `<Manager>` settings for a spec and its store nodes (`None`: the control lab).
/// `up` and `render` both take them from here, so a lab and a bundle never differ.
pub fn msm_settings(choice: &MsmChoice, sticky: bool, memcached_nodes: String) -> Option<MsmSettings> {
    let o = &choice.options;
    let extra: Vec<(String, String)> = [
        ("backupThreadCount", o.backup_thread_count.map(|n| n.to_string())),
        ("operationTimeout", o.operation_timeout.map(|ms| ms.to_string())),
        ("memcachedProtocol", o.memcached_protocol.map(|p| format!("{p:?}").to_lowercase())),
        ("sessionAttributeFilter", o.session_attribute_filter.clone()),
        ("storageKeyPrefix", o.storage_key_prefix.clone()),
        ("enableStatistics", o.enable_statistics.map(|b| b.to_string())),
        // Space-separated, as msm's documentation writes them.
        ("failoverNodes", (!o.failover_nodes.is_empty()).then(|| o.failover_nodes.join(" "))),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name.to_string(), value?)))
    .chain(o.custom.iter().map(|(k, v)| (k.clone(), v.clone())))
    .collect();
    let manager_class = if choice.tomcat.major() >= 11 { TOMCAT11_MANAGER } else { MSM_MANAGER };
    (choice.session_manager == SessionManager::Msm).then(|| MsmSettings {
        manager_class: manager_class.into(),
        memcached_nodes,
        sticky,
        request_uri_ignore_pattern: o.request_uri_ignore_pattern.clone().unwrap_or_else(|| REQUEST_URI_IGNORE_PATTERN.into()),
        session_backup_timeout_ms: o.session_backup_timeout.unwrap_or(SESSION_BACKUP_TIMEOUT_MS),
        session_backup_async: o.session_backup_async,
        extra,
        copy_collections_for_serialization: o.copy_collections_for_serialization,
        transcoder_factory: if choice.xstream_allow.is_empty() { choice.serializer.transcoder_factory() } else { XSTREAM_ALLOW_FACTORY }.into(),
        locking_mode: (!sticky).then(|| choice.locking_mode.to_string()),
    })
}
/// msm's session manager.
pub const MSM_MANAGER: &str = "de.javakaffee.web.msm.MemcachedBackupSessionManager";
/// msmlab's subclass of it for Tomcat 11 (`templates/jakarta/`), which removed a field msm
/// writes (`ManagerBase.sessionCounter`): compiled by `up` into `TOMCAT11_MANAGER_JAR`.
pub const TOMCAT11_MANAGER: &str = "io.msmlab.tomcat11.MemcachedBackupSessionManager";
pub const TOMCAT11_MANAGER_JAR: &str = "msmlab-tomcat11-manager.jar";

/// msmlab's xstream transcoder factory with an allow-list (`templates/xstream/`), in
/// `XSTREAM_ALLOW_JAR`.
pub const XSTREAM_ALLOW_FACTORY: &str = "io.msmlab.xstream.AllowListTranscoderFactory";
/// The jar msmlab compiles it into, in Tomcat's `lib/` (and the bundle's).
pub const XSTREAM_ALLOW_JAR: &str = "msmlab-xstream-allow.jar";

/// The allow-list factory's source, with the patterns (`labspec` let through only characters
/// that cannot leave a Java string) as its `ALLOW` array.
pub fn xstream_allow_source(patterns: &[String]) -> Result<String, RenderError> {
    #[derive(serde::Serialize)]
    struct Vars {
        patterns: String,
    }
    let patterns = patterns.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
    templates::render("xstream/AllowListTranscoderFactory.java", Vars { patterns })
}

/// The test page's path on every Tomcat and through nginx.
pub const TEST_PAGE_PATH: &str = "/ShareSession/ShowSession";

/// msm's `memcachedNodes`. memcached nodes are written with ids (`n1:host:port`), so
/// session ids carry the node suffix the seed shows (`…-n1`) and msm can fail over between
/// nodes; Redis is a single `redis://host:port`.
fn memcached_nodes(store: Store, nodes: &[Node]) -> String {
    match store {
        Store::Memcached => nodes.iter().map(|n| format!("n{}:{}:{MEMCACHED_PORT}", n.index, n.name)).collect::<Vec<_>>().join(","),
        Store::Redis => format!("redis://{}:{REDIS_PORT}", nodes[0].name),
    }
}

/// JVM flags a serializer needs on Java 17+: reflective access beyond what Tomcat's
/// `catalina.sh` opens (java.lang, java.io, java.util, java.util.concurrent).
pub fn serializer_jvm_flags(serializer: Serializer) -> &'static str {
    match serializer {
        Serializer::Java => "",
        Serializer::Kryo | Serializer::Xstream | Serializer::Flexjson | Serializer::Javolution => {
            "--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED \
             --add-opens=java.base/java.math=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
             --add-opens=java.base/java.lang.reflect=ALL-UNNAMED"
        }
    }
}

impl Classified for PlanError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            PlanError::Unsupported(e) => e.exit_status(),
            PlanError::Lock(e) => e.exit_status(),
            PlanError::Render(e) => e.exit_status(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn spec(session_manager: SessionManager) -> LabSpec {
        let mut spec = LabSpec::example();
        spec.msm.session_manager = session_manager;
        spec.shape.tomcats = 3;
        spec
    }

    #[test]
    fn the_test_page_lives_in_the_test_webapp() {
        assert_eq!(TEST_PAGE_PATH, format!("/{WEBAPP_CONTEXT}/ShowSession"));
    }

    #[test]
    fn a_plan_names_every_container_and_points_msm_at_the_store() {
        let plan = Plan::new(spec(SessionManager::Msm), &Lock::bundled()).unwrap();
        let names: Vec<&str> = plan.nodes().map(|n| n.name.as_str()).collect();
        assert_eq!(
            names,
            ["msmlab-default-memcached-1", "msmlab-default-tomcat-1", "msmlab-default-tomcat-2", "msmlab-default-tomcat-3", "msmlab-default-nginx-1"]
        );
        assert!(plan.context_xml.contains(r#"memcachedNodes="n1:msmlab-default-memcached-1:11211""#));
        assert!(plan.context_xml.contains(r#"sticky="false""#));
        assert!(plan.nginx_conf.contains("server msmlab-default-tomcat-3:8080 weight=1;"));
    }

    #[test]
    fn sticky_mode_gives_each_tomcat_its_jvm_route_and_nginx_routes_on_it() {
        let mut sticky = spec(SessionManager::Msm);
        (sticky.shape.sticky, sticky.shape.java_opts) = (true, "-Xmx256m".into());
        let plan = Plan::new(sticky, &Lock::bundled()).unwrap();
        assert!(plan.context_xml.contains(r#"sticky="true""#));
        assert_eq!(plan.env(&plan.tomcats[1]), ["CATALINA_OPTS=-DjvmRoute=tomcat2 -Xmx256m"]);
        assert_eq!(plan.env(&plan.nginx), Vec::<String>::new());
        assert!(plan.nginx_conf.contains("upstream route_tomcat3 {"), "{}", plan.nginx_conf);
        let plain = Plan::new(spec(SessionManager::Msm), &Lock::bundled()).unwrap();
        assert_eq!(plain.env(&plain.tomcats[0]), Vec::<String>::new());
    }

    #[test]
    fn the_users_webapp_goes_next_to_the_test_page() {
        let webapp = Webapp { context_path: "/my".parse().unwrap(), source: "my.war".into(), files: vec![("my.war".into(), b"PK".to_vec())] };
        let plan = Plan::new(spec(SessionManager::Msm), &Lock::bundled()).unwrap().with_webapp(Some(webapp));
        let bytes = plan.tomcat_archive(&[], &[]).unwrap();
        let mut archive = tar::Archive::new(bytes.as_slice());
        let paths: Vec<String> = archive.entries().unwrap().map(|e| e.unwrap().path().unwrap().display().to_string()).collect();
        assert!(paths.contains(&"webapps/my.war".to_string()) && paths.contains(&"webapps/ShareSession/ShowSession.jsp".to_string()));
    }

    #[test]
    fn a_javaee_webapp_goes_to_webapps_javaee_and_the_migration_tool_to_lib() {
        let mut javaee = spec(SessionManager::None);
        javaee.msm.tomcat = "10.1".parse().unwrap();
        javaee.shape.webapp_javaee = true;
        let webapp = Webapp { context_path: "/old".parse().unwrap(), source: "old.war".into(), files: vec![("old.war".into(), b"PK".to_vec())] };
        let plan = Plan::new(javaee, &Lock::bundled()).unwrap().with_webapp(Some(webapp));
        // The line's pinned tool, also in a lab without msm (which converts no jar of its own).
        let tool = plan.webapp_migration.clone().expect("the tool goes into lib/");
        assert_eq!(tool.coords.to_string(), "org.apache.tomcat:jakartaee-migration:jar:shaded:1.0.12");
        assert_eq!(plan.jars.migration, None);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tool.jar");
        std::fs::write(&path, b"PK").unwrap();
        let fetched = Fetched { artifact: tool, path, downloaded: false, replaced_corrupt: None };
        let bytes = plan.tomcat_archive(&[fetched], &[]).unwrap();
        let mut archive = tar::Archive::new(bytes.as_slice());
        let entries: Vec<(String, u64, u64, bool)> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| (e.path().unwrap().display().to_string(), e.header().mtime().unwrap(), e.header().uid().unwrap(), e.header().entry_type().is_dir()))
            .collect();
        let find = |p: &str| entries.iter().find(|e| e.0 == p).cloned().unwrap_or_else(|| panic!("{p} in {entries:?}"));
        assert!(find("lib/jakartaee-migration-1.0.12-shaded.jar").0.starts_with("lib/"));
        // Same file name, so the same context path; newer than its missing copy, or Tomcat skips it.
        assert_eq!(find("webapps-javaee/old.war").1, 1);
        assert_eq!(find("webapps-javaee/"), ("webapps-javaee/".into(), 0, TOMCAT_UID, true), "owned by Tomcat, which writes there");
        assert!(!entries.iter().any(|e| e.0 == "webapps/old.war"));
        assert_eq!(find("webapps/ShareSession/ShowSession.jsp").1, 0, "the test page keeps mtime 0");
    }

    #[test]
    fn the_locking_mode_reaches_context_xml_in_non_sticky_mode_only() {
        let mut locked = spec(SessionManager::Msm);
        locked.msm.locking_mode = "uriPattern:/cart/.*".parse().unwrap();
        let plan = Plan::new(locked, &Lock::bundled()).unwrap();
        assert!(plan.context_xml.contains(r#"lockingMode="uriPattern:/cart/.*""#), "{}", plan.context_xml);
        let mut sticky = spec(SessionManager::Msm);
        sticky.shape.sticky = true;
        let sticky = Plan::new(sticky, &Lock::bundled()).unwrap();
        assert!(!sticky.context_xml.contains("lockingMode=\""), "{}", sticky.context_xml);
        assert!("sometimes".parse::<crate::labspec::LockingMode>().is_err() && "uriPattern:".parse::<crate::labspec::LockingMode>().is_err());
    }

    #[test]
    fn the_tomcat_archive_holds_context_xml_and_the_webapp() {
        let plan = Plan::new(spec(SessionManager::None), &Lock::bundled()).unwrap();
        let bytes = plan.tomcat_archive(&[], &[]).unwrap();
        let mut archive = tar::Archive::new(bytes.as_slice());
        let paths: Vec<String> = archive.entries().unwrap().map(|e| e.unwrap().path().unwrap().display().to_string()).collect();
        // The session probe is declared for every webapp: lab Tomcats only, never in a bundle.
        assert_eq!(paths, ["conf/context.xml", "conf/logging.properties", "conf/Catalina/localhost/web.xml.default", "webapps/ShareSession/WEB-INF/web.xml", "webapps/ShareSession/META-INF/context.xml", "webapps/ShareSession/ShowSession.jsp", "webapps/ShareSession/Payload.jsp"]);
        assert!(!plan.context_xml.contains("<Manager"));
    }

    #[test]
    fn an_official_tomcat_receives_the_compiled_probe_and_its_declaration() {
        let mut spec = spec(SessionManager::Msm);
        spec.msm.images = ImageSource::Official;
        let plan = Plan::new(spec, &Lock::bundled()).unwrap();
        let probe = plan.probe.as_ref().expect("official images get the probe compiled");
        assert_eq!(probe.servlet, "javax");
        assert!(plan.has_probe());
        // verify tells these Tomcats from those an older msmlab made without the probe.
        assert_eq!(plan.probe_label(Role::Tomcat), Some(("io.msmlab.probe".into(), probe.key[..16].to_string())));
        assert_eq!(plan.probe_label(Role::Nginx), None);
        let bytes = plan.tomcat_archive(&[], &[(probe::PROBE_JAR.into(), b"PK".to_vec())]).unwrap();
        let mut archive = tar::Archive::new(bytes.as_slice());
        let paths: Vec<String> = archive.entries().unwrap().map(|e| e.unwrap().path().unwrap().display().to_string()).collect();
        assert!(paths.contains(&"lib/msmlab-probe.jar".to_string()) && paths.contains(&PROBE_CONFIG.to_string()), "{paths:?}");
        // Jakarta lines get the jakarta flavour; msmlab's own images compile it in at build time.
        let mut jakarta = super::tests::spec(SessionManager::Msm);
        (jakarta.msm.images, jakarta.msm.tomcat) = (ImageSource::Official, "10.1".parse().unwrap());
        assert_eq!(Plan::new(jakarta, &Lock::bundled()).unwrap().probe.unwrap().servlet, "jakarta");
        assert_eq!(Plan::new(super::tests::spec(SessionManager::Msm), &Lock::bundled()).unwrap().probe, None);
    }
}
