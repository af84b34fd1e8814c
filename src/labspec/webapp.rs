//! The user's own webapp (`up --webapp PATH`): a WAR file or an exploded directory, or a WAR
//! pinned in a Maven repository (`maven:…`, `maven_war`), deployed into every Tomcat next to
//! the test page, at a context path of its own.
//!
//! The context path is checked without I/O (`ContextPath`); `load` reads the files (for the
//! Maven form, the copy the edge fetched into the cache) and refuses what Tomcat could not
//! deploy (a "WAR" that is not a zip archive), before anything is created.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::exit::{Classified, ExitStatus};
use crate::labspec::maven_war::{self, MavenWar, MavenWarError};
use crate::labspec::msm_kinds::TomcatLine;

/// Context path of the tutorial's test webapp, which every lab deploys.
pub const WEBAPP_CONTEXT: &str = "ShareSession";

/// Largest webapp msmlab uploads: it is sent to every Tomcat through the engine's API.
pub const MAX_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum WebappError {
    #[error(
        "invalid context path {0:?}: use \"/\" or segments of letters, digits, '.', '_' or '-' \
         separated by '/', such as /my or /shop/v2"
    )]
    ContextPath(String),
    #[error("context path /{WEBAPP_CONTEXT} is taken by msmlab's test page; choose another with --context-path")]
    Reserved,
    #[error(
        "cannot derive a context path from {given}: its name {name:?} is not a valid context path; \
         give one with --context-path, e.g. --context-path /my"
    )]
    Unnamed { given: String, name: String },
    // `error`, not `source`: the OS's words are said once, here, before the hint.
    #[error("cannot read webapp {path}: {error}; --webapp takes a WAR file or an exploded webapp directory")]
    Read { path: PathBuf, error: std::io::Error },
    #[error(
        "{path} is not a WAR: a WAR is a zip archive, and this file is not one ({reason}); \
         build it with `jar cf app.war -C dir .` or give the exploded directory instead"
    )]
    NotZip { path: PathBuf, reason: String },
    #[error("{path} is neither a WAR file nor a directory; give a .war file or an exploded webapp directory")]
    NotFileOrDir { path: PathBuf },
    #[error("webapp {path} is larger than {} MiB, which msmlab uploads to every Tomcat", MAX_BYTES / 1024 / 1024)]
    TooLarge { path: PathBuf },
    #[error(
        "webapp {path} uses javax.servlet ({file}), which Tomcat {tomcat} does not have (it is jakarta.servlet from Tomcat 10 on): \
         add --webapp-javaee to have Tomcat convert it at deployment (as a stock Tomcat does with webapps-javaee/), \
         rebuild it for Jakarta EE 9 or later, convert it with Apache's migration tool \
         (`java -jar jakartaee-migration-1.0.12-shaded.jar app.war app-jakarta.war`), or choose --tomcat 9"
    )]
    Javax { path: PathBuf, file: String, tomcat: String },
    #[error(
        "webapp {path} uses jakarta.servlet ({file}), which Tomcat {tomcat} does not have (it is javax.servlet up to Tomcat 9, \
         jakarta.servlet from Tomcat 10 on): choose --tomcat 10.1 or 11, or deploy a build of it for Java EE 8 or older (javax.servlet)"
    )]
    Jakarta { path: PathBuf, file: String, tomcat: String },
}

/// A context path: `/` (Tomcat's ROOT) or `/a/b`, normalized with a leading slash and no
/// trailing one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ContextPath(String);

impl ContextPath {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name Tomcat gives this context's WAR or directory under `webapps/`:
    /// `ROOT` for `/`, `a#b` for `/a/b`.
    pub fn base_name(&self) -> String {
        if self.0 == "/" {
            "ROOT".into()
        } else {
            self.0[1..].replace('/', "#")
        }
    }

    /// The URL path of the context's root, ending with a slash (`/my/`).
    pub fn url_path(&self) -> String {
        if self.0 == "/" {
            "/".into()
        } else {
            format!("{}/", self.0)
        }
    }
}

impl FromStr for ContextPath {
    type Err = WebappError;
    fn from_str(s: &str) -> Result<Self, WebappError> {
        let trimmed = s.trim_matches('/');
        if trimmed.is_empty() {
            return if s.is_empty() { Err(WebappError::ContextPath(s.into())) } else { Ok(ContextPath("/".into())) };
        }
        let segment_ok = |seg: &str| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        };
        if !trimmed.split('/').all(segment_ok) {
            return Err(WebappError::ContextPath(s.into()));
        }
        if trimmed == WEBAPP_CONTEXT {
            return Err(WebappError::Reserved);
        }
        Ok(ContextPath(format!("/{trimmed}")))
    }
}

impl fmt::Display for ContextPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where the webapp comes from, as `--webapp` says: a path here, or a pinned Maven WAR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebappSource {
    Path(PathBuf),
    Maven(MavenWar),
}

impl FromStr for WebappSource {
    type Err = MavenWarError;
    /// `maven:…` is the Maven form (a file of that name is `./maven:…`); anything else a path.
    fn from_str(s: &str) -> Result<Self, MavenWarError> {
        if s.starts_with(maven_war::PREFIX) {
            s.parse().map(WebappSource::Maven)
        } else {
            Ok(WebappSource::Path(s.into()))
        }
    }
}

impl fmt::Display for WebappSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebappSource::Path(p) => write!(f, "{}", p.display()),
            WebappSource::Maven(m) => write!(f, "{m}"),
        }
    }
}

/// A string, as the `io.msmlab.spec` label has always held the path.
impl Serialize for WebappSource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What the user asked for: where the webapp is and, optionally, its context path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebappSpec {
    // `path` in the label, which labs made before the Maven form carry.
    #[serde(rename = "path")]
    pub source: WebappSource,
    pub context_path: Option<ContextPath>,
}

impl WebappSpec {
    /// The webapp's path here, or `None` for a Maven WAR, which the edge fetches first.
    pub fn local_path(&self) -> Option<&Path> {
        match &self.source {
            WebappSource::Path(p) => Some(p),
            WebappSource::Maven(_) => None,
        }
    }

    /// The context path: the one given, else the file or directory name (`my.war` → `/my`,
    /// `ROOT.war` → `/`), or a Maven WAR's artifact id (as Maven names the war it builds).
    pub fn context_path(&self) -> Result<ContextPath, WebappError> {
        if let Some(c) = &self.context_path {
            return Ok(c.clone());
        }
        let file_name = match &self.source {
            WebappSource::Path(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            WebappSource::Maven(m) => m.artifact.clone(),
        };
        let name = file_name.strip_suffix(".war").unwrap_or(&file_name);
        if name == "ROOT" {
            return Ok(ContextPath("/".into()));
        }
        // Tomcat's own naming: `a#b.war` deploys at /a/b.
        let candidate = format!("/{}", name.replace('#', "/"));
        match candidate.parse::<ContextPath>() {
            Err(WebappError::Reserved) => Err(WebappError::Reserved),
            Err(_) => Err(WebappError::Unnamed { given: self.source.to_string(), name: name.into() }),
            Ok(c) if name.is_empty() => Err(WebappError::Unnamed { given: self.source.to_string(), name: c.to_string() }),
            Ok(c) => Ok(c),
        }
    }
}

/// A webapp read from disk, ready to upload.
#[derive(Debug, Clone)]
pub struct Webapp {
    pub context_path: ContextPath,
    /// Where it came from, as the user gave it, for messages.
    pub source: String,
    /// Files relative to Tomcat's `webapps/`: one `<name>.war`, or a directory's files.
    pub files: Vec<(String, Vec<u8>)>,
}

impl Webapp {
    /// The first of its files that uses the `javax.servlet` API: a class (also inside a jar
    /// of `WEB-INF/lib`) that names it, or a JSP that imports it. Tomcat 10 and later have
    /// only `jakarta.servlet`, so such a webapp fails there at its first request.
    pub fn javax_user(&self) -> Option<String> {
        self.servlet_api_user(JAVAX)
    }

    /// The same for `jakarta.servlet`, which Tomcat 9 and older do not have.
    pub fn jakarta_user(&self) -> Option<String> {
        self.servlet_api_user(JAKARTA)
    }

    /// The first file that names `api` (a package as class files write it, `javax/servlet/`).
    fn servlet_api_user(&self, api: &[u8]) -> Option<String> {
        self.files.iter().find_map(|(name, data)| file_uses(api, name, data, 0))
    }
}

/// Whether a class names `api`, or a JSP does (with dots: compared as a class file writes it);
/// jars and WARs are opened, two levels deep.
fn file_uses(api: &[u8], name: &str, data: &[u8], depth: u8) -> Option<String> {
    let names = |bytes: &[u8]| bytes.windows(api.len()).any(|w| w == api);
    let page = name.ends_with(".jsp") || name.ends_with(".jspf");
    if (name.ends_with(".class") && names(data)) || (page && names(&data.iter().map(|b| if *b == b'.' { b'/' } else { *b }).collect::<Vec<_>>())) {
        return Some(name.to_string());
    }
    if (name.ends_with(".jar") || name.ends_with(".war")) && depth < 2 {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(data)).ok()?;
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).ok()?;
            let inner = entry.name().to_string();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).ok()?;
            if let Some(found) = file_uses(api, &inner, &bytes, depth + 1) {
                return Some(format!("{name}!/{found}"));
            }
        }
    }
    None
}

/// How class files (and, with dots, sources) name the Java EE Servlet API, and the Jakarta one.
const JAVAX: &[u8] = b"javax/servlet/";
const JAKARTA: &[u8] = b"jakarta/servlet/";

/// Reads the webapp and checks that the Tomcat line can run it: Tomcat 10.1 and 11 have only
/// `jakarta.servlet`, 9 and older only `javax.servlet`; a webapp built for the other API
/// fails at its first request, so it is refused here, naming the file; unless Tomcat converts it
/// (`tomcat_converts`: `--webapp-javaee` on 10.1 and 11). `path` is the webapp's own, or a Maven
/// WAR's copy in the cache.
pub fn load_for(spec: &WebappSpec, path: &Path, tomcat: &TomcatLine, tomcat_converts: bool) -> Result<Webapp, WebappError> {
    let webapp = load(spec, path)?;
    if tomcat.jakarta() && tomcat_converts {
        return Ok(webapp);
    }
    let (user, error): (_, fn(PathBuf, String, String) -> WebappError) = if tomcat.jakarta() {
        (webapp.javax_user(), |path, file, tomcat| WebappError::Javax { path, file, tomcat })
    } else {
        (webapp.jakarta_user(), |path, file, tomcat| WebappError::Jakarta { path, file, tomcat })
    };
    match user {
        Some(file) => Err(error(path.to_path_buf(), file, tomcat.to_string())),
        None => Ok(webapp),
    }
}

/// Reads the webapp from `path` and checks that Tomcat can deploy it.
pub fn load(spec: &WebappSpec, path: &Path) -> Result<Webapp, WebappError> {
    let context_path = spec.context_path()?;
    let read = |p: &Path| std::fs::read(p).map_err(|error| WebappError::Read { path: p.to_path_buf(), error });
    let meta = std::fs::metadata(path).map_err(|error| WebappError::Read { path: path.to_path_buf(), error })?;
    let base = context_path.base_name();
    let files = if meta.is_file() {
        if meta.len() > MAX_BYTES {
            return Err(WebappError::TooLarge { path: path.to_path_buf() });
        }
        let bytes = read(path)?;
        check_zip(path, &bytes)?;
        vec![(format!("{base}.war"), bytes)]
    } else if meta.is_dir() {
        let mut files = Vec::new();
        let mut total = 0u64;
        for rel in walk(path).map_err(|error| WebappError::Read { path: path.to_path_buf(), error })? {
            let bytes = read(&path.join(&rel))?;
            total += bytes.len() as u64;
            if total > MAX_BYTES {
                return Err(WebappError::TooLarge { path: path.to_path_buf() });
            }
            files.push((format!("{base}/{rel}"), bytes));
        }
        files
    } else {
        return Err(WebappError::NotFileOrDir { path: path.to_path_buf() });
    };
    Ok(Webapp { context_path, source: spec.source.to_string(), files })
}

/// A WAR is a zip archive: read its central directory, as Tomcat will.
fn check_zip(path: &Path, bytes: &[u8]) -> Result<(), WebappError> {
    let not_zip = |reason: String| WebappError::NotZip { path: path.to_path_buf(), reason };
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| not_zip(e.to_string()))?;
    if archive.is_empty() {
        return Err(not_zip("the archive is empty".into()));
    }
    Ok(())
}

/// Regular files under `dir`, as sorted `/`-separated relative paths (symbolic links followed).
fn walk(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        for entry in std::fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let child = rel.join(entry.file_name());
            let meta = std::fs::metadata(entry.path())?;
            if meta.is_dir() {
                pending.push(child);
            } else if meta.is_file() {
                let parts: Vec<String> = child.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                out.push(parts.join("/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

impl Classified for WebappError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::BadInput
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webapp_for_javax_servlet_is_found_in_its_classes_jars_and_pages() {
        let webapp = |files: Vec<(&str, &[u8])>| Webapp { context_path: ContextPath("/a".into()), source: "a".into(), files: files.into_iter().map(|(n, b)| (n.to_string(), b.to_vec())).collect() };
        let page: &[u8] = b"<%@ page import=\"javax.servlet.http.Cookie\" %>";
        assert_eq!(webapp(vec![("a/index.jsp", page)]).javax_user().as_deref(), Some("a/index.jsp"));
        let mut jar = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        jar.start_file("x/Filter.class", zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut jar, b"\xca\xfe\xba\xbe javax/servlet/Filter").unwrap();
        let jar = jar.finish().unwrap().into_inner();
        assert_eq!(webapp(vec![("a/WEB-INF/lib/f.jar", &jar)]).javax_user().as_deref(), Some("a/WEB-INF/lib/f.jar!/x/Filter.class"));
        assert_eq!(webapp(vec![("a/index.jsp", b"<%= session.getId() %>")]).javax_user(), None);
    }

    #[test]
    fn a_jakarta_webapp_is_refused_on_javax_lines_and_a_javax_one_on_jakarta_lines() {
        let dir = tempfile::tempdir().unwrap();
        let class = dir.path().join("jk/WEB-INF/classes/app/Hello.class");
        std::fs::create_dir_all(class.parent().unwrap()).unwrap();
        std::fs::write(&class, b"\xca\xfe\xba\xbe jakarta/servlet/http/HttpServlet").unwrap();
        let jk_path = dir.path().join("jk");
        let jk = WebappSpec { source: jk_path.to_str().unwrap().parse().unwrap(), context_path: None };
        for line in ["7", "8.5", "9"] {
            let err = load_for(&jk, &jk_path, &line.parse().unwrap(), false).unwrap_err();
            assert!(matches!(err, WebappError::Jakarta { .. }), "{line}: {err}");
            assert_eq!(err.exit_status(), ExitStatus::BadInput);
            let text = err.to_string();
            assert!(text.contains("uses jakarta.servlet (jk/WEB-INF/classes/app/Hello.class), which Tomcat"), "{text}");
            assert!(text.contains("choose --tomcat 10.1 or 11"), "{text}");
        }
        assert!(load_for(&jk, &jk_path, &"10.1".parse().unwrap(), false).is_ok());
        std::fs::write(&class, b"\xca\xfe\xba\xbe javax/servlet/http/HttpServlet").unwrap();
        assert!(load_for(&jk, &jk_path, &"9".parse().unwrap(), false).is_ok());
        assert!(matches!(load_for(&jk, &jk_path, &"11".parse().unwrap(), false), Err(WebappError::Javax { .. })));
        assert!(load_for(&jk, &jk_path, &"11".parse().unwrap(), true).is_ok(), "--webapp-javaee: Tomcat converts it");
    }

    fn spec(path: &str, context: Option<&str>) -> WebappSpec {
        WebappSpec { source: path.parse().unwrap(), context_path: context.map(|c| c.parse().unwrap()) }
    }

    #[test]
    fn context_paths_are_normalized_and_named_as_tomcat_does() {
        let c: ContextPath = "my".parse().unwrap();
        assert_eq!((c.as_str(), c.base_name(), c.url_path()), ("/my", "my".into(), "/my/".into()));
        let c: ContextPath = "/shop/v2/".parse().unwrap();
        assert_eq!((c.as_str(), c.base_name()), ("/shop/v2", "shop#v2".into()));
        let root: ContextPath = "/".parse().unwrap();
        assert_eq!((root.as_str(), root.base_name(), root.url_path()), ("/", "ROOT".into(), "/".into()));
    }

    #[test]
    fn bad_context_paths_are_refused() {
        for bad in ["", "/a b", "/../etc", "/a//b", "/a?b", "/a#b", "/é"] {
            assert!(matches!(bad.parse::<ContextPath>(), Err(WebappError::ContextPath(_))), "{bad}");
        }
        assert!(matches!("/ShareSession".parse::<ContextPath>(), Err(WebappError::Reserved)));
    }

    #[test]
    fn the_context_path_comes_from_the_file_name_unless_given() {
        assert_eq!(spec("/tmp/my.war", None).context_path().unwrap().as_str(), "/my");
        assert_eq!(spec("/tmp/shop#v2.war", None).context_path().unwrap().as_str(), "/shop/v2");
        assert_eq!(spec("/tmp/ROOT.war", None).context_path().unwrap().as_str(), "/");
        assert_eq!(spec("/tmp/exploded", None).context_path().unwrap().as_str(), "/exploded");
        assert_eq!(spec("/tmp/my app.war", Some("/app")).context_path().unwrap().as_str(), "/app");
        assert!(matches!(spec("/tmp/my app.war", None).context_path(), Err(WebappError::Unnamed { .. })));
    }

    #[test]
    fn a_maven_war_deploys_at_its_artifact_id_and_keeps_its_form_in_the_label() {
        let hex = "a".repeat(64);
        let maven = spec(&format!("maven:org.example:shop-demo:1.2@sha256:{hex}"), None);
        assert!(matches!(&maven.source, WebappSource::Maven(m) if m.artifact == "shop-demo"));
        assert_eq!(maven.local_path(), None, "the edge fetches it first");
        assert_eq!(maven.context_path().unwrap().as_str(), "/shop-demo");
        let label = serde_json::to_value(&maven).unwrap();
        assert_eq!(label["path"], format!("maven:org.example:shop-demo:1.2@sha256:{hex}"));
        assert_eq!(spec("./maven:odd.war", None).local_path(), Some(Path::new("./maven:odd.war")), "a file of that name is a path");
        assert!("maven:org.example:shop".parse::<WebappSource>().is_err());
    }

    #[test]
    fn a_war_that_is_not_a_zip_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("my.war");
        std::fs::write(&path, b"<html>not a zip</html>").unwrap();
        let err = load(&WebappSpec { source: WebappSource::Path(path.clone()), context_path: None }, &path).unwrap_err();
        assert!(matches!(err, WebappError::NotZip { .. }), "{err}");
        assert!(err.to_string().contains("is not a WAR"), "{err}");
    }

    #[test]
    fn a_zip_war_and_an_exploded_directory_are_read() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let war = dir.path().join("my.war");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&war).unwrap());
        zip.start_file("index.jsp", zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored))
            .unwrap();
        zip.write_all(b"hello").unwrap();
        zip.finish().unwrap();
        let w = load(&WebappSpec { source: WebappSource::Path(war.clone()), context_path: None }, &war).unwrap();
        assert_eq!(w.files.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(), ["my.war"]);

        let exploded = dir.path().join("shop");
        std::fs::create_dir_all(exploded.join("WEB-INF")).unwrap();
        std::fs::write(exploded.join("index.jsp"), b"x").unwrap();
        std::fs::write(exploded.join("WEB-INF/web.xml"), b"<web-app/>").unwrap();
        let w = load(&WebappSpec { source: WebappSource::Path(exploded.clone()), context_path: Some("/s".parse().unwrap()) }, &exploded).unwrap();
        assert_eq!(w.files.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(), ["s/WEB-INF/web.xml", "s/index.jsp"]);
    }
}
