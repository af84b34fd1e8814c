//! msm's jars for Tomcat 10.1 and 11: which jars Apache's migration tool must convert from
//! `javax.servlet` to `jakarta.servlet`, and where the converted ones are cached.
//!
//! The conversion itself needs a JVM, so it runs on the engine (`lab::jakarta`). Here is what
//! needs none: a jar needs converting when one of its classes names a Java EE package the tool
//! renames; the others (spymemcached, kryo, jedis, …) go in as they are. A converted jar is
//! cached under a key made of its input's and the tool's SHA-256, so a second `up` converts
//! nothing, and its own SHA-256 is what `msmlab jars` prints.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::jars::lock::Artifact;

/// Java EE package roots, as class files spell them, that the tool renames to `jakarta/…`
/// and that a jar for a servlet container may use. (The tool also renames packages such as
/// `javax/persistence/`, which msm and its dependencies never use.)
const EE_PACKAGES: &[&[u8]] = &[b"javax/servlet/", b"javax/el/", b"javax/websocket/", b"javax/security/auth/message/", b"javax/annotation/security/"];

/// Whether a jar (its bytes) has a class that uses one of the renamed packages.
pub fn needs_conversion(jar: &[u8]) -> std::io::Result<bool> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(jar)).map_err(std::io::Error::other)?;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(std::io::Error::other)?;
        if !entry.name().ends_with(".class") {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        if EE_PACKAGES.iter().any(|p| bytes.windows(p.len()).any(|w| w == *p)) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Where the conversion of `input` by `tool` is cached: `<cache>/converted/<key>/<file name>`,
/// the key a hash of both checksums.
pub fn cached_path(cache: &Path, input: &Artifact, tool: &Artifact) -> PathBuf {
    let mut h = Sha256::new();
    h.update(input.sha256.as_bytes());
    h.update([0]);
    h.update(tool.sha256.as_bytes());
    let key = hex::encode(h.finalize());
    cache.join("converted").join(&key[..16]).join(input.coords.file_name())
}

/// A lib jar as it goes into a Jakarta Tomcat.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Converted {
    /// The pinned jar it was converted from.
    pub from: Artifact,
    /// The migration tool that converted it, as `group:artifact:…:version`.
    pub tool: String,
    /// The converted jar in the cache.
    pub path: PathBuf,
    pub sha256: String,
    pub size: u64,
}

impl Converted {
    /// A conversion already in the cache (`None`: not converted yet).
    pub fn cached(cache: &Path, input: &Artifact, tool: &Artifact) -> Option<Converted> {
        let path = cached_path(cache, input, tool);
        let bytes = std::fs::read(&path).ok()?;
        Some(Converted {
            from: input.clone(),
            tool: tool.coords.to_string(),
            sha256: hex::encode(Sha256::digest(&bytes)),
            size: bytes.len() as u64,
            path,
        })
    }

    /// "converted from de.javakaffee.msm:…:2.3.2 by org.apache.tomcat:jakartaee-migration:…".
    pub fn describe(&self) -> String {
        format!("converted from {} (sha256 {}) by {}", self.from.coords, &self.from.sha256[..12], self.tool)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jars::lock::Coords;
    use std::io::Write;

    fn jar(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_jar_that_names_the_servlet_api_in_a_class_needs_converting() {
        let uses = jar(&[("a/A.class", b"\xca\xfe\xba\xbe...javax/servlet/http/HttpSession...")]);
        let plain = jar(&[("a/A.class", b"\xca\xfe\xba\xbe...java/util/List..."), ("README.txt", b"see javax/servlet/ docs")]);
        assert!(needs_conversion(&uses).unwrap());
        assert!(!needs_conversion(&plain).unwrap(), "only class files count");
    }

    #[test]
    fn the_cache_key_follows_both_checksums() {
        let a = |coords: &str, sha: char| Artifact { coords: Coords::parse(coords).unwrap(), size: None, sha256: sha.to_string().repeat(64) };
        let (msm, tool) = (a("g:msm:1", 'a'), a("g:tool:1", 'b'));
        let p = cached_path(Path::new("/c"), &msm, &tool);
        assert!(p.starts_with("/c/converted") && p.ends_with("msm-1.jar"), "{}", p.display());
        assert_ne!(p, cached_path(Path::new("/c"), &msm, &a("g:tool:2", 'c')));
    }
}
