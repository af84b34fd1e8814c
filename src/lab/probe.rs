//! msmlab's session probe for a lab of official Tomcat images (`plan::probe`): compiled in a
//! one-off container with no network, once per Servlet API flavour, and kept in the cache's
//! `built/` under the key of what went into it, so later labs only read the jar.

use std::collections::HashMap;

use crate::engine::{ContainerSpec, Engine, EngineError};
use crate::jars::maven::{default_cache_dir, FetchError, Fetcher};
use crate::lab::errors::{at, LabError};
use crate::lab::provision::{self, COMPILE_TIMEOUT};
use crate::plan::archive::{tar, Entry};
use crate::plan::probe::{Compiler, ProbeBuild, CLASSES_DIR, SOURCE_DIR};
use crate::plan::{Plan, CATALINA_HOME};
use crate::ui::progress::Progress;

/// The probe's jar for `build`: from the cache, or compiled in `official_image` (its own ecj)
/// or, where that cannot (`Compiler::MsmlabJavac`), in msmlab's Tomcat image of the line,
/// fetched and built as `up --images built` would. `labels` mark the one-off container as the
/// lab's, so an interrupted `up` removes it.
pub async fn probe_jar(
    engine: &Engine,
    plan: &Plan,
    build: &ProbeBuild,
    official_image: &str,
    fetcher: &Fetcher,
    labels: HashMap<String, String>,
    progress: &Progress,
) -> Result<Vec<u8>, LabError> {
    let what = "msmlab's session probe";
    let step = progress.step(format!("Compile {what} ({}.servlet)", build.servlet));
    let cached = default_cache_dir().join("built").join(build.cache_name());
    if let Ok(jar) = std::fs::read(&cached) {
        step.done(format!("reused {}", cached.display()));
        return Ok(jar);
    }
    let image = match build.compiler {
        Compiler::Ecj => official_image.to_string(),
        Compiler::MsmlabJavac => {
            step.update("with the javac of msmlab's Tomcat image (this line's ecj predates Java 9)");
            let fetched = step.check(fetcher.fetch_all(std::slice::from_ref(&plan.jars.distribution)).await).map_err(at::<FetchError>("fetching the Tomcat distribution"))?;
            provision::tomcat_image(engine, plan.spec.shape.jre, &fetched[0], progress).await?
        }
    };
    let dir = SOURCE_DIR.trim_start_matches("/tmp/");
    let files: Vec<(String, &[u8])> = build.sources.iter().map(|(name, text)| (format!("{dir}/{name}"), text.as_bytes())).collect();
    let upload = tar(files.iter().map(|(path, data)| Entry { path, data, mode: 0o644, uid: 8080 })).map_err(at(format!("packing the sources of {what}")))?;
    let spec = ContainerSpec {
        name: format!("msmlab-probe-{}-{}", &build.key[..12], std::process::id()),
        image,
        labels,
        network: "none".into(),
        cmd: Some(build.command(CATALINA_HOME)),
        ..Default::default()
    };
    let (code, output, classes) =
        step.check(engine.run_and_collect(&spec, vec![("/tmp", upload)], COMPILE_TIMEOUT, Some(CLASSES_DIR)).await).map_err(at::<EngineError>(format!("compiling {what}")))?;
    let failed = || EngineError::Call { action: "compile", target: what.into(), message: format!("the compiler exited {code}: {output}") };
    let classes = step.check(classes.ok_or_else(failed)).map_err(at::<EngineError>(format!("compiling {what}")))?;
    let jar = provision::jar_of_classes(&classes).map_err(at(format!("packing the classes of {what}")))?;
    provision::keep(&cached, &jar, what, progress);
    step.done(format!("{} bytes, kept in {}", jar.len(), cached.display()));
    Ok(jar)
}
