//! `msmlab compat`.

use crate::cli::verb_error::Context;

use super::{connect, fetcher, read_webapp, remote_listen, VerbError, Globals, Reply};
use crate::cli::args::CompatArgs;
use crate::compat::{self, CompatSpec};
use crate::verify::flow;
use crate::jars::lock::Lock;
use crate::plan::Plan;
use crate::report;
use crate::labspec::webapp::WebappSpec;
use crate::labspec::{LabShape, LabSpec, MsmChoice, Serializer};
use crate::ui::progress::Progress;

pub async fn run(args: CompatArgs, globals: &Globals) -> Result<Reply, VerbError> {
    let choice = MsmChoice {
        // Either kind carries the session probe compat reads (official ones get it compiled).
        images: args.images,
        registry: args.registry,
        // Each serializer's lab replaces Java.
        ..MsmChoice::new(args.tomcat, Serializer::Java, args.store, args.base_image, args.maven_repo)
    };
    let shape = LabShape {
        webapp: args.webapp.map(|source| WebappSpec { source, context_path: args.context_path }),
        webapp_javaee: args.webapp_javaee,
        ..LabShape::new(args.name, args.jre, args.tomcats, args.port, args.java_opts)
    };
    let lab = LabSpec::new(choice, shape)?;
    let mut steps = match &args.flow {
        Some(path) => flow::read(path).map_err(compat::CompatError::from)?,
        None => Vec::new(),
    };
    steps.extend(args.path.into_iter().map(flow::FlowStep::get));
    let mut spec = CompatSpec { serializers: compat::serializers(&args.serializers, &lab)?, steps, lab, xstream_allow: args.xstream_allow }.validate()?;
    let lock = Lock::bundled();
    for s in &spec.serializers {
        Plan::new(spec.lab_for(*s)?, &lock)?;
    }
    // Read and check the webapp before anything is created.
    let progress = Progress::new(globals.quiet);
    let fetcher = fetcher(&spec.lab.msm.maven_repo, false, &progress)?;
    let webapp = read_webapp(spec.lab.shape.webapp.as_ref().expect("validate requires a webapp"), &fetcher, &progress, &spec.lab.msm.tomcat, spec.lab.shape.webapp_javaee).await?;
    let engine = connect(globals).await?;
    if let Some(listen) = remote_listen(&engine, spec.lab.shape.listen, &progress) {
        spec.lab.shape.listen = listen;
    }
    let report = compat::run(&engine, &lock, &fetcher, &progress, &spec, &webapp).await.context("msmlab compat did not complete")?;
    report::emit(args.output.json, &report, report::compat_text);
    Ok(if report.any_ok() { Reply::Yes } else { Reply::No })
}
