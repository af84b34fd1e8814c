//! The images a lab runs: msmlab's own, built from their recipes when the engine lacks the
//! tag, or Docker Hub's official ones, pulled (`--images official`).

use std::collections::HashMap;

use futures_util::future::try_join_all;

use crate::engine::{Engine, EngineError, PullProgress};
use crate::exit::ExitStatus;
use crate::jars::maven::Fetched;
use crate::lab::errors::{at, LabError};
use crate::plan::images::ImageRecipe;
use crate::plan::{official, Plan};
use crate::labspec::names::{Role, IMAGE_LABEL};
use crate::labspec::{ImageSource, MsmChoice};
use crate::ui::progress::{Progress, Step};

/// Image tags by role, and the command of a role whose image's own command does not suit.
pub struct Images {
    pub by_role: HashMap<Role, String>,
    pub cmd: HashMap<Role, Vec<String>>,
}

/// Builds the three images a lab needs (those the engine lacks): nginx and the store on
/// `--base-image`, Tomcat on the Debian release that ships the chosen JRE.
pub async fn build_images(engine: &Engine, plan: &Plan, distribution: &Fetched, progress: &Progress) -> Result<Images, LabError> {
    let base = plan.spec.msm.base_image.clone();
    let tomcat_base = plan.spec.shape.jre.base_image();
    let mut bases = vec![base.clone()];
    if tomcat_base != base {
        bases.push(tomcat_base.clone());
    }
    let ids: HashMap<String, String> =
        try_join_all(bases.into_iter().map(|b| async move { Ok::<_, LabError>((b.clone(), base_image(engine, &b, progress).await?)) }))
            .await?
            .into_iter()
            .collect();

    let dist = &distribution.artifact;
    let store_role = plan.stores[0].role;
    let recipes = [
        ImageRecipe::packaged(store_role, &base, &ids[&base]).map_err(at(format!("rendering the {store_role} Dockerfile")))?,
        ImageRecipe::tomcat(plan.spec.shape.jre, &ids[&tomcat_base], &dist.coords.version, distribution.path.clone(), &dist.sha256)
            .map_err(at("rendering the Tomcat Dockerfile"))?,
        ImageRecipe::packaged(Role::Nginx, &base, &ids[&base]).map_err(at("rendering the nginx Dockerfile"))?,
    ];
    let built = try_join_all(recipes.iter().map(|r| async move { Ok::<_, LabError>((r.role, built(engine, r, progress).await?)) })).await?;
    Ok(Images { by_role: built.into_iter().collect(), cmd: HashMap::new() })
}

/// msmlab's Tomcat image for `jre` and this distribution, built if the engine lacks it
/// (`render --xstream-allow` compiles in it).
pub async fn tomcat_image(engine: &Engine, jre: crate::labspec::Jre, distribution: &Fetched, progress: &Progress) -> Result<String, LabError> {
    let base = jre.base_image();
    let id = base_image(engine, &base, progress).await?;
    let dist = &distribution.artifact;
    let recipe = ImageRecipe::tomcat(jre, &id, &dist.coords.version, distribution.path.clone(), &dist.sha256).map_err(at("rendering the Tomcat Dockerfile"))?;
    built(engine, &recipe, progress).await
}

/// The nginx image a lab of this spec runs, built or pulled as `up` would (`render` runs
/// `nginx -t` in it).
pub async fn nginx_image(engine: &Engine, spec: &MsmChoice, progress: &Progress) -> Result<String, LabError> {
    if spec.images == ImageSource::Official {
        let image = official::reference(spec.registry.as_deref(), "nginx", official::NGINX_TAG);
        return pulled(engine, &image, progress).await;
    }
    let base_id = base_image(engine, &spec.base_image, progress).await?;
    let recipe = ImageRecipe::packaged(Role::Nginx, &spec.base_image, &base_id).map_err(at("rendering the nginx Dockerfile"))?;
    built(engine, &recipe, progress).await
}

/// A base image's id, pulled if the engine lacks it (else the error says how to make it).
async fn base_image(engine: &Engine, image: &str, progress: &Progress) -> Result<String, LabError> {
    let step = progress.step(format!("Base image {image}"));
    let id = step.check(engine.ensure_base_image(image).await).map_err(at::<EngineError>(format!("preparing the base image {image}")))?;
    step.done(short_id(&id));
    Ok(id)
}

/// A recipe's image, built unless the engine has its tag already; its tag.
async fn built(engine: &Engine, r: &ImageRecipe, progress: &Progress) -> Result<String, LabError> {
    let step = progress.step(format!("Image {}", r.tag));
    if engine.image_id(&r.tag).await?.is_some() {
        step.done("reused");
        return Ok(r.tag.clone());
    }
    step.update("building (Debian packages from the mirror)");
    let context = r.context_tar().map_err(at(format!("reading the build context of {}", r.tag)))?;
    let labels = HashMap::from([(IMAGE_LABEL.to_string(), r.role.to_string())]);
    // Each Dockerfile step is a milestone; the lines in between (apt's) show beside the spinner.
    let on_line = |line: &str| {
        let short: String = line.chars().take(100).collect();
        if line.starts_with("Step ") {
            step.milestone(short);
        } else {
            step.update(short);
        }
    };
    step.check(engine.build_image(&r.tag, context, &labels, on_line).await).map_err(at::<EngineError>(format!("building image {}", r.tag)))?;
    step.done("built");
    Ok(r.tag.clone())
}

/// An official image, pulled unless the engine has it, with its progress on the step's line.
async fn pulled(engine: &Engine, image: &str, progress: &Progress) -> Result<String, LabError> {
    let step = progress.step(format!("Image {image}"));
    let pulled = step.check(engine.pull(image, |p| step.update(describe(p))).await).map_err(at::<EngineError>("fetching the official images"))?;
    step.done(if pulled { "pulled" } else { "present" });
    Ok(image.to_string())
}

pub fn short_id(id: &str) -> String {
    id.chars().take(19).collect()
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// A pull's progress, for its step's line.
fn describe(p: &PullProgress) -> String {
    format!("pulling: {} of {} layers, {} of {}", p.layers_done, p.layers, megabytes(p.current), megabytes(p.total))
}

/// Pulls the three images (those the engine lacks), each with its own progress line.
pub async fn pull_official(engine: &Engine, plan: &Plan, progress: &Progress) -> Result<Images, LabError> {
    let spec = &plan.spec;
    let major = spec.msm.tomcat.major();
    let images = official::images_for(major, spec.shape.jre, spec.msm.store, spec.msm.registry.as_deref()).ok_or_else(|| LabError::Step {
        step: "choosing the official images".into(),
        cleanup: None,
        status: ExitStatus::BadInput,
        source: format!("no official Tomcat tag is known for Tomcat {major}").into(),
    })?;
    let store_role = plan.stores[0].role;
    let wanted = [(store_role, images.store), (Role::Tomcat, images.tomcat), (Role::Nginx, images.nginx)];
    let pulled =
        try_join_all(wanted.into_iter().map(|(role, image)| async move { Ok::<_, LabError>((role, pulled(engine, &image, progress).await?)) }))
            .await?;
    // The official store images run with their own defaults; give them the lab's settings
    // (the same as msmlab's own images: memory only, reachable on the lab network).
    let store_cmd: &[&str] = match store_role {
        Role::Redis => &["redis-server", "--port", "6379", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"],
        _ => &["memcached", "-p", "11211", "-U", "0", "-m", "64"],
    };
    let cmd = HashMap::from([(store_role, store_cmd.iter().map(|s| s.to_string()).collect())]);
    Ok(Images { by_role: pulled.into_iter().collect(), cmd })
}

/// How long compiling a class of msmlab's own may take.
pub const COMPILE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// A class of msmlab's own, compiled for a lab's `lib/`.
pub struct CompileJob<'a> {
    /// What it is, for progress lines and errors ("the xstream allow-list").
    pub what: &'a str,
    /// `(file name, Java source)`.
    pub source: (&'a str, String),
    /// The Tomcat image whose javac compiles it, against its Tomcat's `lib/` and `jars`.
    pub image: &'a str,
    pub jars: &'a [Fetched],
    /// `-source`/`-target`: 8 for classes a bundle may take to old servers.
    pub java: u8,
    /// The cached jar's name stem (`xstream-allow`).
    pub cache_stem: &'a str,
}

/// `--xstream-allow`: msmlab's allow-list transcoder factory (`plan::xstream_allow_source`),
/// compiled against the lab's own jars, as a jar for `lib/`.
pub async fn xstream_allow_jar(
    engine: &Engine,
    patterns: &[String],
    tomcat_image: &str,
    lib_jars: &[Fetched],
    labels: HashMap<String, String>,
    progress: &Progress,
) -> Result<Vec<u8>, LabError> {
    let source = crate::plan::xstream_allow_source(patterns).map_err(at("rendering the xstream allow-list factory"))?;
    let job = CompileJob {
        what: "the xstream allow-list",
        source: ("AllowListTranscoderFactory.java", source),
        image: tomcat_image,
        jars: lib_jars,
        java: 8,
        cache_stem: "xstream-allow",
    };
    compile_jar(engine, &job, labels, progress.step(format!("Compile the xstream allow-list ({})", patterns.join(", "))), progress).await
}

/// Compiles a job with the javac of its Tomcat image, in a one-off container with no
/// network, into a jar. Cached by what goes into it (source, image, jars), so it is compiled
/// once. `labels` mark the container as the lab's, so an interrupted `up` removes it.
pub async fn compile_jar(engine: &Engine, job: &CompileJob<'_>, labels: HashMap<String, String>, step: Step, progress: &Progress) -> Result<Vec<u8>, LabError> {
    use sha2::{Digest, Sha256};
    let (file, source) = &job.source;
    let mut h = Sha256::new();
    h.update(source.as_bytes());
    h.update(job.image.as_bytes());
    h.update([job.java]);
    for j in job.jars {
        h.update(j.artifact.sha256.as_bytes());
        h.update(j.path.to_string_lossy().as_bytes());
    }
    let hash = hex::encode(h.finalize());
    let cached = crate::jars::maven::default_cache_dir().join("built").join(format!("{}-{}.jar", job.cache_stem, &hash[..16]));
    if let Ok(jar) = std::fs::read(&cached) {
        step.done(format!("reused {}", cached.display()));
        return Ok(jar);
    }
    let mut files: Vec<(String, Vec<u8>)> = vec![(format!("build/src/{file}"), source.clone().into_bytes())];
    for j in job.jars {
        files.push((format!("build/jars/{}", j.artifact.coords.file_name()), std::fs::read(&j.path).map_err(at("reading the cached jars"))?));
    }
    let tar = crate::plan::archive::tar(files.iter().map(|(path, data)| crate::plan::archive::Entry { path, data, mode: 0o644, uid: 8080 }))
        .map_err(at(format!("packing the sources of {}", job.what)))?;
    let spec = crate::engine::ContainerSpec {
        name: format!("msmlab-compile-{}-{}", &hash[..12], std::process::id()),
        image: job.image.into(),
        labels,
        network: "none".into(),
        // -source/-target, not --release: the JRE package lacks the ct.sym that --release
        // reads. javac run as a module expands no classpath wildcards, so the shell lists the
        // jars; the command is fixed text but for the file name and the Java version.
        cmd: Some(vec![
            "sh".into(),
            "-c".into(),
            format!(
                "cp=$(echo /usr/local/tomcat/bin/tomcat-juli.jar /usr/local/tomcat/lib/*.jar /tmp/build/jars/*.jar | tr ' ' ':') && \
                 exec java -m jdk.compiler/com.sun.tools.javac.Main -source {v} -target {v} -Xlint:-options -nowarn \
                 -cp \"$cp\" -d /tmp/classes /tmp/build/src/{file}",
                v = job.java
            ),
        ]),
        ..Default::default()
    };
    let (code, output, classes) = step
        .check(engine.run_and_collect(&spec, vec![("/tmp", tar)], COMPILE_TIMEOUT, Some("/tmp/classes")).await)
        .map_err(at::<EngineError>(format!("compiling {}", job.what)))?;
    let failed = || EngineError::Call { action: "compile", target: job.what.into(), message: format!("javac exited {code}: {output}") };
    let classes = step.check(classes.ok_or_else(failed)).map_err(at::<EngineError>(format!("compiling {}", job.what)))?;
    let jar = jar_of_classes(&classes).map_err(at(format!("packing the classes of {}", job.what)))?;
    keep(&cached, &jar, job.what, progress);
    step.done(format!("{} bytes", jar.len()));
    Ok(jar)
}

/// Writes a jar msmlab compiled into the cache (through a `.part` file, so a jar found there
/// is whole); a failure is only a warning: it is compiled again next time.
pub fn keep(cached: &std::path::Path, jar: &[u8], what: &str, progress: &Progress) {
    if let Some(dir) = cached.parent() {
        let part = cached.with_extension("part");
        if std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&part, jar)).and_then(|_| std::fs::rename(&part, cached)).is_err() {
            progress.warn(format!("could not cache {}: {what} is compiled again next time", cached.display()));
        }
    }
}

/// A jar (a zip) of the `.class` files in a tar downloaded from a container (`classes/…`).
pub fn jar_of_classes(tar: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut archive = tar::Archive::new(tar);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        let Some(name) = path.strip_prefix("classes/").filter(|n| n.ends_with(".class")) else { continue };
        let name = name.to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        zip.start_file(name, options).map_err(std::io::Error::other)?;
        zip.write_all(&bytes)?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_in_megabytes() {
        let p = PullProgress { layers: 4, layers_done: 1, current: 12_345_678, total: 45_600_000 };
        assert_eq!(describe(&p), "pulling: 1 of 4 layers, 12.3 MB of 45.6 MB");
    }
}
