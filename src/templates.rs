//! Renders the files in `templates/` (compiled into the binary): a lab's and a bundle's
//! configs, the Dockerfiles, the bench chart, verify's JUnit report, `init`'s example.
//!
//! `.xml` and `.svg` templates escape every value for XML; the other templates only receive values that
//! `labspec` (and `labspec::names`) already restricted to safe characters.

use std::sync::LazyLock;

use minijinja::{AutoEscape, Environment, Value};
use serde::Serialize;
use crate::exit::{Classified, ExitStatus};

/// Every template, by its path under `templates/`.
const TEMPLATES: &[(&str, &str)] = &[
    ("context.xml", include_str!("../templates/context.xml")),
    ("nginx.conf", include_str!("../templates/nginx.conf")),
    ("junit.xml", include_str!("../templates/junit.xml")),
    ("jars.lock", include_str!("../templates/jars.lock")),
    ("images/tomcat.Dockerfile", include_str!("../templates/images/tomcat.Dockerfile")),
    ("probe/SessionProbe.java", include_str!("../templates/probe/SessionProbe.java")),
    ("probe/ValueDigest.java", include_str!("../templates/probe/ValueDigest.java")),
    ("xstream/AllowListTranscoderFactory.java", include_str!("../templates/xstream/AllowListTranscoderFactory.java")),
    ("images/nginx.Dockerfile", include_str!("../templates/images/nginx.Dockerfile")),
    ("images/memcached.Dockerfile", include_str!("../templates/images/memcached.Dockerfile")),
    ("images/redis.Dockerfile", include_str!("../templates/images/redis.Dockerfile")),
    ("images/lab.Dockerfile", include_str!("../templates/images/lab.Dockerfile")),
    ("bench/chart.svg", include_str!("../templates/bench/chart.svg")),
    ("bundle/README.md", include_str!("../templates/bundle/README.md")),
    ("msmlab.toml", include_str!("../templates/msmlab.toml")),
    ("docs/configuration.md", include_str!("../templates/docs/configuration.md")),
];

/// The test webapp's files, copied as they are (paths under `templates/webapp/`); its
/// `META-INF/context.xml` depends on the Tomcat line (`webapp`).
const WEBAPP: &[(&str, &str)] = &[
    ("WEB-INF/web.xml", include_str!("../templates/webapp/WEB-INF/web.xml")),
    ("ShowSession.jsp", include_str!("../templates/webapp/ShowSession.jsp")),
    ("Payload.jsp", include_str!("../templates/webapp/Payload.jsp")),
];

/// The test webapp for a Tomcat line (its major version): its context's `<JarScanner>` is
/// written as that line's Digester reads it.
pub fn webapp(tomcat_major: u8) -> Vec<(&'static str, &'static str)> {
    let context = if tomcat_major <= 7 {
        include_str!("../templates/webapp/META-INF/context-tomcat7.xml")
    } else {
        include_str!("../templates/webapp/META-INF/context.xml")
    };
    let mut files = WEBAPP.to_vec();
    files.insert(1, ("META-INF/context.xml", context));
    files
}

/// The session probe's declaration, uploaded into every lab Tomcat (never into a bundle) as
/// `conf/Catalina/localhost/web.xml.default`, which Tomcat merges into each webapp.
/// Tomcat's logging in a lab: everything to the console, the container's log.
pub const TOMCAT_LOGGING: &str = include_str!("../templates/tomcat/logging.properties");
/// msmlab's Manager for Tomcat 11 (`plan::TOMCAT11_MANAGER`), compiled by `up`.
pub const TOMCAT11_MANAGER_SOURCE: &str = include_str!("../templates/jakarta/MemcachedBackupSessionManager.java");
pub const PROBE_WEB_XML: &str = include_str!("../templates/probe/web.xml.default");

#[derive(Debug, thiserror::Error)]
#[error("cannot render template {template}: {message}")]
pub struct RenderError {
    pub template: String,
    pub message: String,
}

/// The session probe's Java sources (every `probe/*.java` template), rendered with the Servlet
/// API's package: compiled together into msmlab's Tomcat image (`plan::images`) and, for a lab
/// of official images, by `plan::probe`, whatever they are named.
pub fn probe_sources() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|(name, _)| *name).filter(|name| name.starts_with("probe/") && name.ends_with(".java"))
}

/// Built once: every render shares the parsed templates.
fn environment() -> &'static Environment<'static> {
    static ENV: LazyLock<Environment<'static>> = LazyLock::new(build_environment);
    &ENV
}

fn build_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    env.set_auto_escape_callback(|name| if name.ends_with(".xml") || name.ends_with(".svg") { AutoEscape::Custom("xml") } else { AutoEscape::None });
    env.set_formatter(|out, state, value| {
        if state.auto_escape() == AutoEscape::Custom("xml") && !value.is_safe() {
            let s = value.to_string();
            out.write_str(&xml_escape(&s))?;
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    for (name, source) in TEMPLATES {
        env.add_template(name, source).expect("templates are checked by the tests");
    }
    env
}

/// Escapes text for an XML attribute value or element.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders one template with a serializable context.
pub fn render(template: &str, ctx: impl Serialize) -> Result<String, RenderError> {
    let env = environment();
    let err = |e: minijinja::Error| RenderError { template: template.to_string(), message: e.to_string() };
    env.get_template(template).map_err(err)?.render(Value::from_serialize(ctx)).map_err(err)
}

/// The msm `<Manager>` settings that end up in `context.xml`.
#[derive(Debug, Clone, Serialize)]
pub struct MsmSettings {
    /// The Manager class: msm's, or on Tomcat 11 msmlab's subclass of it (`plan::TOMCAT11_MANAGER`).
    pub manager_class: String,
    pub memcached_nodes: String,
    pub sticky: bool,
    pub request_uri_ignore_pattern: String,
    pub session_backup_timeout_ms: u32,
    pub transcoder_factory: String,
    /// msm's `lockingMode`; `None` in sticky mode, where msm takes none.
    pub locking_mode: Option<String>,
    pub session_backup_async: bool,
    /// The attributes written only when set (msm's default otherwise), as `(name, value)`.
    pub extra: Vec<(String, String)>,
    pub copy_collections_for_serialization: bool,
}

#[derive(Serialize)]
struct ContextXml<'a> {
    msm: Option<&'a MsmSettings>,
}

/// `context.xml` with msm's `<Manager>`, or without any (the control lab).
pub fn context_xml(msm: Option<&MsmSettings>) -> Result<String, RenderError> {
    render("context.xml", ContextXml { msm })
}

/// One Tomcat behind nginx.
#[derive(Debug, Clone, Serialize)]
pub struct Backend {
    /// `host:port`
    pub address: String,
    /// Its jvmRoute, in sticky mode.
    pub route: Option<String>,
}

#[derive(Serialize)]
struct NginxConf<'a> {
    lab: &'a str,
    backends: &'a [Backend],
    listen_port: u16,
    servers: bool,
    sticky: bool,
    /// On a swarm: the Tomcats' service, resolved by Docker's DNS while nginx runs.
    swarm_service: Option<&'a str>,
}

/// The lab's nginx.conf: round robin over `backends`; with `sticky`, a session goes to the
/// Tomcat its route names.
///
/// nginx's configuration language has no escaping to speak of, so instead of escaping, every
/// value must be a plain name (lowercase letters, digits, `.`, `-`, `:`): the spec already
/// restricts lab names to that, and this refuses anything else that might reach the template.
pub fn nginx_conf(lab: &str, backends: &[Backend], listen_port: u16, sticky: bool) -> Result<String, RenderError> {
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b".-:".contains(&b));
    let values = backends.iter().flat_map(|b| std::iter::once(b.address.as_str()).chain(b.route.as_deref()));
    if let Some(bad) = std::iter::once(lab).chain(values).find(|s| !plain(s)) {
        return Err(RenderError { template: "nginx.conf".into(), message: format!("{bad:?} is not a plain host name") });
    }
    render("nginx.conf", NginxConf { lab, backends, listen_port, servers: false, sticky, swarm_service: None })
}

/// The lab's nginx.conf on a swarm: the Tomcats are the tasks of `service`, found through
/// Docker's resolver and looked up again every few seconds, so tasks that move are followed.
pub fn nginx_conf_for_swarm(lab: &str, service: &str, tomcat_port: u16, listen_port: u16) -> Result<String, RenderError> {
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-".contains(&b));
    if let Some(bad) = [lab, service].into_iter().find(|s| !plain(s)) {
        return Err(RenderError { template: "nginx.conf".into(), message: format!("{bad:?} is not a plain host name") });
    }
    let backends = [Backend { address: format!("{service}:{tomcat_port}"), route: None }];
    render("nginx.conf", NginxConf { lab, backends: &backends, listen_port, servers: false, sticky: false, swarm_service: Some(service) })
}

/// The same proxy settings for real servers: the packaged nginx's log paths and pid file,
/// run as nginx's usual user, instead of the lab's unprivileged /tmp layout. `backends` are
/// `host:port` of each Tomcat.
pub fn nginx_conf_for_servers(backends: &[String], listen_port: u16) -> Result<String, RenderError> {
    let backends: Vec<Backend> = backends.iter().map(|b| Backend { address: b.clone(), route: None }).collect();
    render("nginx.conf", NginxConf { lab: "", backends: &backends, listen_port, servers: true, sticky: false, swarm_service: None })
}

impl Classified for RenderError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msm() -> MsmSettings {
        MsmSettings {
            manager_class: "de.javakaffee.web.msm.MemcachedBackupSessionManager".into(),
            memcached_nodes: "n1:msmlab-default-memcached-1:11211".into(),
            sticky: false,
            request_uri_ignore_pattern: r".*\.(ico|png|gif|jpg|css|js)$".into(),
            session_backup_timeout_ms: 100,
            transcoder_factory: "de.javakaffee.web.msm.JavaSerializationTranscoderFactory".into(),
            locking_mode: Some("none".into()),
            session_backup_async: false,
            extra: Vec::new(),
            copy_collections_for_serialization: false,
        }
    }

    #[test]
    fn the_probes_sources_are_ascii_for_the_images_javac() {
        // Debian's JRE javac reads sources as US-ASCII: one `…` fails the image build.
        for source in probe_sources() {
            let text = TEMPLATES.iter().find(|(p, _)| *p == source).unwrap().1;
            assert!(text.is_ascii(), "{source} has a character that is not ASCII");
        }
    }

    #[test]
    fn on_a_swarm_nginx_resolves_the_tomcats_service_while_it_runs() {
        // No upstream block: a name in a variable is looked up through Docker's resolver,
        // again every 2 s, so Tomcat tasks that move to other hosts are followed.
        let conf = nginx_conf_for_swarm("sw", "msmlab-sw-tomcat", 8080, 13355).unwrap();
        assert!(conf.contains("resolver 127.0.0.11 valid=2s ipv6=off;"), "{conf}");
        assert!(conf.contains("set $tomcats msmlab-sw-tomcat:8080;") && conf.contains("proxy_pass http://$tomcats;"), "{conf}");
        assert!(!conf.contains("upstream tomcats"), "{conf}");
        assert!(nginx_conf_for_swarm("sw", "bad;name", 8080, 13355).is_err());
    }

    #[test]
    fn context_xml_with_msm() {
        insta::assert_snapshot!(context_xml(Some(&msm())).unwrap());
    }

    #[test]
    fn context_xml_for_the_control_lab_has_no_manager() {
        let xml = context_xml(None).unwrap();
        assert!(!xml.contains("<Manager"));
        insta::assert_snapshot!(xml);
    }

    fn backends(sticky: bool) -> Vec<Backend> {
        (1..=2)
            .map(|i| Backend { address: format!("msmlab-default-tomcat-{i}:8080"), route: sticky.then(|| format!("tomcat{i}")) })
            .collect()
    }

    #[test]
    fn nginx_conf_lists_every_tomcat_with_equal_weight() {
        insta::assert_snapshot!(nginx_conf("default", &backends(false), 13355, false).unwrap());
    }

    #[test]
    fn sticky_nginx_conf_routes_each_session_to_the_tomcat_its_route_names() {
        insta::assert_snapshot!(nginx_conf("default", &backends(true), 13355, true).unwrap());
    }

    #[test]
    fn nginx_conf_for_servers_uses_the_packaged_layout() {
        let backends = vec!["10.0.0.5:8080".to_string(), "10.0.0.6:8080".to_string()];
        insta::assert_snapshot!(nginx_conf_for_servers(&backends, 80).unwrap());
    }

    #[test]
    fn values_are_escaped_for_xml() {
        let mut m = msm();
        m.request_uri_ignore_pattern = r#"a"b<c>&'"#.into();
        let xml = context_xml(Some(&m)).unwrap();
        assert!(xml.contains(r#"requestUriIgnorePattern="a&quot;b&lt;c&gt;&amp;&apos;""#), "{xml}");
    }

    #[test]
    fn nothing_but_plain_names_reaches_nginx_conf() {
        let backend = |address: &str, route: Option<&str>| Backend { address: address.into(), route: route.map(Into::into) };
        let ok = vec![backend("msmlab-a-tomcat-1:8080", Some("tomcat1"))];
        assert!(nginx_conf("a", &ok, 13355, true).is_ok());
        for bad in ["x; include /etc/passwd", "x:8080;\n}", "a b", "${x}", "X"] {
            let err = nginx_conf("a", &[backend(bad, None)], 13355, false).unwrap_err();
            assert!(err.message.contains("is not a plain host name"), "{bad}: {err}");
            assert!(nginx_conf("a", &[backend("t:8080", Some(bad))], 13355, true).is_err(), "route {bad:?}");
            assert!(nginx_conf(bad, &ok, 13355, false).is_err(), "lab {bad:?}");
        }
    }

    #[test]
    fn rendered_xml_is_well_formed() {
        for xml in [context_xml(Some(&msm())).unwrap(), context_xml(None).unwrap()] {
            roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        }
        let (_, web_xml) = WEBAPP.iter().find(|(p, _)| *p == "WEB-INF/web.xml").unwrap();
        roxmltree::Document::parse(web_xml).unwrap();
        for major in [7, 9] {
            let files = webapp(major);
            let (_, context) = files.iter().find(|(p, _)| *p == "META-INF/context.xml").unwrap();
            let doc = roxmltree::Document::parse(context).unwrap();
            let filter = doc.descendants().any(|n| n.has_tag_name("JarScanFilter"));
            assert_eq!(filter, major > 7, "Tomcat 7's Digester has no rule for JarScanFilter");
        }
    }

    #[test]
    fn every_java_file_of_the_probe_is_a_probe_source() {
        // A file added to templates/probe/ but not to TEMPLATES would be left out of official labs.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/probe");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| format!("probe/{}", e.unwrap().file_name().to_string_lossy()))
            .filter(|name| name.ends_with(".java"))
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = probe_sources().map(String::from).collect();
        listed.sort();
        assert!(!listed.is_empty());
        assert_eq!(listed, on_disk);
    }

    #[test]
    fn every_template_parses() {
        let env = environment();
        for (name, _) in TEMPLATES {
            env.get_template(name).unwrap();
        }
    }
}
