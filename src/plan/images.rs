//! Image recipes: the Dockerfile (from `templates/images/`), the files of its build context,
//! and a tag derived from all of it, so an unchanged recipe is never built twice.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::templates::{self, RenderError};
use crate::labspec::Jre;
use crate::labspec::names::Role;

/// JVM flags for a lab Tomcat: C1 only, serial GC and no perf data start Tomcat about twice
/// as fast on a small machine (msm-facts §7). Fine for a lab; a benchmark would want C2.
pub const TOMCAT_JAVA_OPTS: &str = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData";

/// A file of a build context, with its known SHA-256: from the verified cache, or built into
/// msmlab (the test webapp).
#[derive(Debug, Clone)]
pub struct ContextFile {
    pub source: Source,
    pub sha256: String,
}

#[derive(Debug, Clone)]
pub enum Source {
    Path(PathBuf),
    Bytes(&'static [u8]),
    Rendered(String),
}

impl ContextFile {
    /// A file rendered from a template, with its checksum.
    pub fn rendered(text: String) -> ContextFile {
        let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
        ContextFile { source: Source::Rendered(text), sha256 }
    }
}

/// What to build, and under which tag.
#[derive(Debug, Clone)]
pub struct ImageRecipe {
    pub role: Role,
    pub dockerfile: String,
    pub files: BTreeMap<String, ContextFile>,
    /// `msmlab-<role>:<version>-<content hash>`
    pub tag: String,
}

#[derive(Serialize)]
struct TomcatVars<'a> {
    base_image: &'a str,
    tomcat_version: &'a str,
    java_opts: &'a str,
    jre: u8,
    jre_package: &'a str,
    /// A class-data sharing archive made at build time (dynamic archives need Java 13+).
    cds: bool,
    /// The Servlet API's package root (`jakarta` from Tomcat 10 on).
    servlet: &'a str,
}

/// The session probe's source: `servlet` is the Servlet API's package root (`javax` up to
/// Tomcat 9, `jakarta` from 10).
#[derive(Serialize)]
struct ProbeVars<'a> {
    servlet: &'a str,
}

/// The Servlet API's package root of a Tomcat release: `jakarta` from Tomcat 10 on.
pub fn servlet_package(tomcat_release: &str) -> &'static str {
    match tomcat_release.split('.').next().and_then(|m| m.parse::<u8>().ok()) {
        Some(major) if major >= 10 => "jakarta",
        _ => "javax",
    }
}

#[derive(Serialize)]
struct BaseVars<'a> {
    base_image: &'a str,
}

impl ImageRecipe {
    /// Tomcat `version` on `jre` (whose Debian release is the base image). `base_image_id`
    /// is the engine's id of that base image: a new base means a new tag.
    pub fn tomcat(jre: Jre, base_image_id: &str, version: &str, dist: PathBuf, dist_sha256: &str) -> Result<Self, RenderError> {
        let dockerfile = templates::render(
            "images/tomcat.Dockerfile",
            TomcatVars {
                base_image: &jre.base_image(),
                tomcat_version: version,
                java_opts: TOMCAT_JAVA_OPTS,
                jre: jre.version(),
                jre_package: &jre.package(),
                cds: jre.version() >= 13,
                servlet: servlet_package(version),
            },
        )?;
        let mut files = BTreeMap::from([("tomcat.tar.gz".to_string(), ContextFile { source: Source::Path(dist), sha256: dist_sha256.into() })]);
        // The test webapp, so that the image's training start compiles its JSP once, at build
        // time (see the Dockerfile); `up` uploads the same files again.
        let servlet = servlet_package(version);
        for source in templates::probe_sources() {
            files.insert(source.into(), ContextFile::rendered(templates::render(source, ProbeVars { servlet })?));
        }
        let major = version.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
        for (path, body) in templates::webapp(major) {
            let sha256 = hex::encode(Sha256::digest(body.as_bytes()));
            files.insert(format!("webapp/{path}"), ContextFile { source: Source::Bytes(body.as_bytes()), sha256 });
        }
        Ok(Self::tagged(Role::Tomcat, &format!("{version}-jre{jre}"), dockerfile, files, base_image_id))
    }

    /// The nginx, memcached or Redis image: Debian's package on the base image.
    pub fn packaged(role: Role, base_image: &str, base_image_id: &str) -> Result<Self, RenderError> {
        let dockerfile = templates::render(&format!("images/{role}.Dockerfile"), BaseVars { base_image })?;
        Ok(Self::tagged(role, "debian", dockerfile, BTreeMap::new(), base_image_id))
    }

    fn tagged(role: Role, version: &str, dockerfile: String, files: BTreeMap<String, ContextFile>, base_image_id: &str) -> Self {
        let mut h = Sha256::new();
        h.update(base_image_id.as_bytes());
        h.update([0]);
        h.update(dockerfile.as_bytes());
        for (name, ContextFile { sha256, .. }) in &files {
            h.update([0]);
            h.update(name.as_bytes());
            h.update([0]);
            h.update(sha256.as_bytes());
        }
        let hash = hex::encode(h.finalize());
        let tag = format!("msmlab-{role}:{version}-{}", &hash[..12]);
        ImageRecipe { role, dockerfile, files, tag }
    }

    /// The build context as an uncompressed tar: `Dockerfile` plus the recipe's files.
    pub fn context_tar(&self) -> std::io::Result<Vec<u8>> {
        let mut files: Vec<(String, Vec<u8>)> = vec![("Dockerfile".into(), self.dockerfile.clone().into_bytes())];
        for (name, ContextFile { source, .. }) in &self.files {
            let data = match source {
                Source::Path(path) => std::fs::read(path)?,
                Source::Bytes(bytes) => bytes.to_vec(),
                Source::Rendered(text) => text.clone().into_bytes(),
            };
            files.push((name.clone(), data));
        }
        crate::plan::archive::tar(files.iter().map(|(n, b)| crate::plan::archive::Entry { path: n, data: b, mode: 0o644, uid: 0 }))
    }
}

#[derive(Serialize)]
struct LabImageVars<'a> {
    base: &'a str,
    lab: &'a str,
    role: Role,
    uid: u64,
    dest: &'a str,
    /// Whether there are files at all (the store's image has none of the lab's).
    copy: bool,
}

/// The build context of a lab's own image on a swarm: `base` (the role's image) with `files`
/// (the tar `up` would upload, its paths relative to `dest`) copied in, owned as they are in
/// the tar.
pub fn lab_image_context(base: &str, lab: &str, role: Role, dest: &str, files: &[u8]) -> Result<Vec<u8>, RenderError> {
    let bad = |e: std::io::Error| RenderError { template: "images/lab.Dockerfile".into(), message: format!("reading the files of the {role} image: {e}") };
    let mut entries: Vec<(String, Vec<u8>, u32, u64)> = Vec::new();
    let mut archive = tar::Archive::new(files);
    for e in archive.entries().map_err(bad)? {
        let mut e = e.map_err(bad)?;
        let path = e.path().map_err(bad)?.display().to_string();
        let (mode, uid) = (e.header().mode().map_err(bad)?, e.header().uid().map_err(bad)?);
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut data).map_err(bad)?;
        entries.push((format!("files/{path}"), data, mode, uid));
    }
    let uid = entries.first().map_or(0, |e| e.3);
    let dockerfile = templates::render("images/lab.Dockerfile", LabImageVars { base, lab, role, uid, dest, copy: !entries.is_empty() })?;
    let mut all = vec![("Dockerfile".to_string(), dockerfile.into_bytes(), 0o644, 0)];
    all.extend(entries);
    crate::plan::archive::tar(all.iter().map(|(path, data, mode, uid)| crate::plan::archive::Entry { path, data, mode: *mode, uid: *uid })).map_err(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layer_of_every_image_carries_msmlabs_label() {
        // An interrupted build leaves its layers untagged; the label lets `up`'s rollback
        // find and remove them, and nothing else.
        let tomcat = ImageRecipe::tomcat(Jre::Jre17, "sha256:1", "9.0.117", PathBuf::from("t.tar.gz"), "ab").unwrap();
        let recipes = [Role::Memcached, Role::Redis, Role::Nginx].map(|r| ImageRecipe::packaged(r, "debian:bookworm-slim", "sha256:1").unwrap());
        for r in recipes.iter().chain([&tomcat]) {
            let mut lines = r.dockerfile.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty());
            assert!(lines.next().unwrap().starts_with("FROM "), "{}", r.dockerfile);
            assert_eq!(lines.next().unwrap(), format!("LABEL io.msmlab.image={}", r.role), "{}", r.dockerfile);
        }
    }

    #[test]
    fn tags_change_with_the_base_image_and_stay_put_otherwise() {
        let a = ImageRecipe::packaged(Role::Memcached, "debian:bookworm-slim", "sha256:1").unwrap();
        let b = ImageRecipe::packaged(Role::Memcached, "debian:bookworm-slim", "sha256:1").unwrap();
        let c = ImageRecipe::packaged(Role::Memcached, "debian:bookworm-slim", "sha256:2").unwrap();
        assert_eq!(a.tag, b.tag);
        assert_ne!(a.tag, c.tag);
        assert!(a.tag.starts_with("msmlab-memcached:debian-"), "{}", a.tag);
    }

    #[test]
    fn the_tomcat_image_is_built_from_the_pinned_distribution() {
        let r = ImageRecipe::tomcat(Jre::Jre17, "sha256:1", "9.0.117", "/nonexistent".into(), "ab").unwrap();
        assert!(r.tag.starts_with("msmlab-tomcat:9.0.117-jre17-"), "{}", r.tag);
        assert!(r.dockerfile.contains("FROM debian:bookworm-slim"));
        assert!(r.dockerfile.contains("apache-tomcat-9.0.117"));
        assert!(r.dockerfile.contains("openjdk-17-jre-headless"));
        let other = ImageRecipe::tomcat(Jre::Jre17, "sha256:1", "9.0.117", "/nonexistent".into(), "cd").unwrap();
        assert_ne!(r.tag, other.tag, "another distribution checksum is another image");
        let jre21 = ImageRecipe::tomcat(Jre::Jre21, "sha256:3", "9.0.117", "/nonexistent".into(), "ab").unwrap();
        assert!(jre21.dockerfile.contains("FROM debian:trixie-slim"));
        assert!(jre21.dockerfile.contains("openjdk-21-jre-headless"));
        // Java 11 cannot make a dynamic class-data archive; 17 and 21 make one at build time.
        assert!(jre21.dockerfile.contains("-XX:ArchiveClassesAtExit=") && r.dockerfile.contains("-XX:SharedArchiveFile="));
        let jre11 = ImageRecipe::tomcat(Jre::Jre11, "sha256:4", "9.0.117", "/nonexistent".into(), "ab").unwrap();
        assert!(!jre11.dockerfile.contains("SharedArchiveFile"));
        // The webapp is in the context, so a changed page is a new image.
        assert!(r.files.contains_key("webapp/ShowSession.jsp") && r.files.contains_key("webapp/WEB-INF/web.xml"));
    }
}
