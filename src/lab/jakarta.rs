//! msm on Tomcat 10.1 and 11, the parts that need a JVM (docs/jakarta.md): the lib jars that
//! use `javax.servlet` converted by Apache's migration tool, and on Tomcat 11 msmlab's own
//! subclass of msm's Manager, compiled against them. Both run in a throwaway container of the
//! lab's Tomcat image, which has Java: the host needs none. Both are cached (`jars::jakarta`,
//! `cache/built/`), so a second `up` runs neither.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::engine::{ContainerSpec, Engine, EngineError};
use crate::jars::jakarta::{self, Converted};
use crate::jars::maven::{default_cache_dir, Fetched};
use crate::lab::errors::{at, LabError};
use crate::lab::provision;
use crate::plan::archive::{tar, Entry};
use crate::ui::progress::Progress;

/// A conversion takes about 0.1 s a jar once the JVM runs; a cold container and JVM a few s.
const CONVERT_TIMEOUT: Duration = Duration::from_secs(180);

/// The lib jars as they go into a Jakarta Tomcat: each one that uses the renamed packages
/// replaced by its converted copy (converted now, or found in the cache); the others as they
/// are. Returns the jars for `lib/` and what was converted.
pub async fn convert(
    engine: &Engine,
    tomcat_image: &str,
    tool: &Fetched,
    jars: &[Fetched],
    labels: HashMap<String, String>,
    progress: &Progress,
) -> Result<(Vec<Fetched>, Vec<Converted>), LabError> {
    let cache = default_cache_dir();
    let step = progress.step("Convert msm's jars to jakarta.servlet");
    let mut pending: Vec<(&Fetched, Vec<u8>)> = Vec::new();
    let mut done: Vec<Converted> = Vec::new();
    for j in jars {
        let bytes = std::fs::read(&j.path).map_err(at(format!("reading {}", j.path.display())))?;
        if !jakarta::needs_conversion(&bytes).map_err(at(format!("reading {} as a jar", j.path.display())))? {
            continue;
        }
        match Converted::cached(&cache, &j.artifact, &tool.artifact) {
            Some(c) => done.push(c),
            None => pending.push((j, bytes)),
        }
    }
    let reused = done.len();
    if !pending.is_empty() {
        let tool_bytes = std::fs::read(&tool.path).map_err(at(format!("reading {}", tool.path.display())))?;
        let mut files: Vec<(String, Vec<u8>)> = vec![("jakarta/tool.jar".into(), tool_bytes)];
        files.extend(pending.iter().map(|(j, bytes)| (format!("jakarta/in/{}", j.artifact.coords.file_name()), bytes.clone())));
        let upload = tar(files.iter().map(|(path, data)| Entry { path, data, mode: 0o644, uid: 8080 })).map_err(at("packing the jars to convert"))?;
        let spec = ContainerSpec {
            name: format!("msmlab-jakarta-{}", std::process::id()),
            image: tomcat_image.into(),
            labels,
            network: "none".into(),
            // The tool converts a directory of jars in one JVM, into a directory it creates (in
            // /tmp: the uploaded one belongs to root); the command is fixed text.
            cmd: Some(["java", "-jar", "/tmp/jakarta/tool.jar", "/tmp/jakarta/in", "/tmp/out"].map(String::from).to_vec()),
            ..Default::default()
        };
        let (code, output, out) = step
            .check(engine.run_and_collect(&spec, vec![("/tmp", upload)], CONVERT_TIMEOUT, Some("/tmp/out")).await)
            .map_err(at::<EngineError>("converting msm's jars"))?;
        let failed = || EngineError::Call { action: "convert", target: "msm's jars".into(), message: format!("the migration tool exited {code}: {output}") };
        let out = step.check(out.ok_or_else(failed)).map_err(at::<EngineError>("converting msm's jars"))?;
        let mut converted = untar(&out).map_err(at("reading the converted jars"))?;
        for (j, _) in &pending {
            let name = j.artifact.coords.file_name();
            let bytes = converted.remove(&name).ok_or_else(failed).map_err(at::<EngineError>(format!("converting {name}")))?;
            let path = jakarta::cached_path(&cache, &j.artifact, &tool.artifact);
            let bytes = store(&path, bytes).map_err(at(format!("caching {}", path.display())))?;
            done.push(Converted {
                from: j.artifact.clone(),
                tool: tool.artifact.coords.to_string(),
                sha256: hex::encode(Sha256::digest(&bytes)),
                size: bytes.len() as u64,
                path,
            });
        }
    }
    let lib = jars
        .iter()
        .map(|j| match done.iter().find(|c| c.from == j.artifact) {
            Some(c) => Fetched { path: c.path.clone(), ..j.clone() },
            None => j.clone(),
        })
        .collect();
    step.done(format!("{} converted, {reused} from the cache, {} used as they are", done.len() - reused, jars.len() - done.len()));
    Ok((lib, done))
}

/// On Tomcat 11, msmlab's subclass of msm's Manager (`plan::TOMCAT11_MANAGER`), compiled
/// against the converted jars and the Tomcat in `tomcat_image`, for Java 17 (Tomcat 11's own).
pub async fn tomcat11_manager(engine: &Engine, tomcat_image: &str, lib_jars: &[Fetched], labels: HashMap<String, String>, progress: &Progress) -> Result<Vec<u8>, LabError> {
    let job = provision::CompileJob {
        what: "msmlab's Manager for Tomcat 11",
        source: ("MemcachedBackupSessionManager.java", crate::templates::TOMCAT11_MANAGER_SOURCE.to_string()),
        image: tomcat_image,
        jars: lib_jars,
        java: 17,
        cache_stem: "tomcat11-manager",
    };
    provision::compile_jar(engine, &job, labels, progress.step("Compile msmlab's Manager for Tomcat 11"), progress).await
}

/// A Jakarta line's `lib/` for servers of the user's own (`jars --copy-to`, `render`): the
/// jars converted, and on Tomcat 11 msmlab's Manager, made in `tomcat_image` (msmlab's, for
/// Java 17: `provision::tomcat_image`).
pub struct ForServers {
    pub lib: Vec<Fetched>,
    pub converted: Vec<Converted>,
    /// `(file name, bytes)` of the jars msmlab compiled.
    pub built: Vec<(String, Vec<u8>)>,
}

pub async fn for_servers(engine: &Engine, major: u8, tomcat_image: &str, lib: &[Fetched], tool: &Fetched, progress: &Progress) -> Result<ForServers, LabError> {
    let (lib, converted) = convert(engine, tomcat_image, tool, lib, HashMap::new(), progress).await?;
    let mut built = Vec::new();
    if major >= 11 {
        built.push((crate::plan::TOMCAT11_MANAGER_JAR.to_string(), tomcat11_manager(engine, tomcat_image, &lib, HashMap::new(), progress).await?));
    }
    Ok(ForServers { lib, converted, built })
}

/// The `out/<name>.jar` files of a tar downloaded from a container, by name.
fn untar(bytes: &[u8]) -> std::io::Result<HashMap<String, Vec<u8>>> {
    use std::io::Read;
    let mut out = HashMap::new();
    for entry in tar::Archive::new(bytes).entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        if let Some(name) = path.strip_prefix("out/").filter(|n| n.ends_with(".jar") && !n.contains('/')) {
            let name = name.to_string();
            let mut data = Vec::new();
            entry.read_to_end(&mut data)?;
            out.insert(name, data);
        }
    }
    Ok(out)
}

/// Caches a converted jar, and returns what the cache holds. The tool's output differs from run
/// to run (zip timestamps), so when two runs convert at once the first one's stays and both
/// use it: a jar's checksum, once printed, does not change under a later run. The write goes
/// through a `.part` of this process's own, so a cut-off write is never taken as cached.
fn store(path: &PathBuf, bytes: Vec<u8>) -> std::io::Result<Vec<u8>> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let part = path.with_extension(format!("{}.part", std::process::id()));
    std::fs::write(&part, &bytes)?;
    // A hard link fails when the name exists: the first writer wins.
    let linked = std::fs::hard_link(&part, path);
    let _ = std::fs::remove_file(&part);
    match linked {
        Ok(()) => Ok(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read(path),
        Err(e) => Err(e),
    }
}
