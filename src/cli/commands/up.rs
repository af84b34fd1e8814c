//! `msmlab up`.

use crate::cli::verb_error::Context;

use super::{connect, fetcher, load_lock, msm_choice, read_webapp, remote_listen, VerbError, Globals, Reply};
use crate::cli::args::{LabArgs, UpArgs};
use crate::engine::Engine;
use crate::jars::maven::Fetcher;
use crate::lab::{self, UpOutcome};
use crate::plan::Plan;
use crate::report;
use crate::labspec::webapp::WebappSpec;
use crate::labspec::{trust, LabName, LabShape, LabSpec, SpecError, SwarmSpec};
use crate::ui::progress::Progress;

pub async fn run(args: UpArgs, globals: &Globals) -> Result<Reply, VerbError> {
    let progress = Progress::new(globals.quiet);
    let prepared = prepare(args.shape, args.lab.name, args.port, globals, &progress).await?;
    let outcome = prepared.up(&progress, args.recreate).await?;
    let Prepared { engine, plan, .. } = prepared;
    let lab = plan.spec.shape.name.as_str();
    let (timings, url) = match outcome {
        UpOutcome::Created { timings, url } => (timings, url),
        UpOutcome::AlreadyUp { url } => {
            let containers = lab::find(&engine, lab).await?.containers;
            let already = report::AlreadyUpReport { lab: lab.into(), url: url.page(), already_up: true, containers };
            report::emit(args.output.json, &already, |a| report::already_up_text(&a.lab, &a.url));
            return Ok(Reply::Yes);
        }
    };
    let containers = lab::find(&engine, lab).await?.containers;
    let webapp_url = url.webapp(&plan);
    let up = report::UpReport { lab: lab.into(), url: url.page(), webapp_url, timings: (&timings).into(), floor: (&timings).into(), containers };
    report::emit(args.output.json, &up, |u| report::up_text(&u.lab, &u.url, u.webapp_url.as_deref(), &timings));
    if args.timings && !args.output.json {
        print!("{}", report::up_timings_text(&timings));
    }
    Ok(Reply::Yes)
}

/// A lab ready to be brought up: its plan, checked, the engine, and where the jars come from.
pub(super) struct Prepared {
    pub engine: Engine,
    pub plan: Plan,
    fetcher: Fetcher,
}

impl Prepared {
    pub async fn up(&self, progress: &Progress, recreate: bool) -> Result<UpOutcome, VerbError> {
        lab::up(&self.engine, &self.plan, &self.fetcher, progress, recreate)
            .await
            .with_context(|| format!("msmlab up --name {} did not complete", self.plan.spec.shape.name))
    }
}

/// `--swarm` and where its images go; `--push-to` alone is a mistake worth saying.
fn swarm_spec(swarm: bool, push_to: Option<String>) -> Result<Option<SwarmSpec>, SpecError> {
    match (swarm, push_to) {
        (true, push_to) => Ok(Some(SwarmSpec { push_to })),
        (false, None) => Ok(None),
        (false, Some(r)) => Err(SpecError::PushToWithoutSwarm(r)),
    }
}

/// What `up` and `smoke` share: the spec from the flags, every input checked before anything
/// is created (the webapp read), the engine connected, and what the user should know said.
pub(super) async fn prepare(args: LabArgs, name: LabName, port: u16, globals: &Globals, progress: &Progress) -> Result<Prepared, VerbError> {
    let lock = load_lock(args.choice.lockfile.as_deref())?;
    let allow_http = args.shape.allow_http;
    let (choice, sticky, store_nodes) = msm_choice(&args.choice, args.shape, args.sticky, args.store_nodes)?;
    let shape = LabShape {
        store_nodes,
        listen: args.listen,
        sticky,
        webapp: args.webapp.map(|source| WebappSpec { source, context_path: args.context_path }),
        webapp_javaee: args.webapp_javaee,
        swarm: swarm_spec(args.swarm, args.push_to)?,
        ..LabShape::new(name, args.jre, args.tomcats, port, args.java_opts)
    };
    let mut spec = LabSpec::new(choice, shape)?;
    let fetcher = fetcher(&spec.msm.maven_repo, allow_http, progress)?;
    // Read and check the user's webapp before anything is created.
    let webapp = match &spec.shape.webapp {
        Some(w) => Some(read_webapp(w, &fetcher, progress, spec.javax_refused_on()).await?),
        None => None,
    };
    let engine = connect(globals).await?;
    if let Some(listen) = remote_listen(&engine, spec.shape.listen, progress) {
        spec.shape.listen = listen;
    } else if let Some(warning) = trust::listen_warning(spec.shape.name.as_str(), spec.shape.listen, spec.shape.port) {
        progress.warn(warning);
    }
    let plan = Plan::new(spec, &lock)?.with_webapp(webapp);
    if plan.spec.msm.options.session_attribute_filter.is_some() && !plan.spec.shape.sticky {
        progress.warn("non-sticky: attributes outside --session-attribute-filter are lost after every request (each request loads the session from the store, which holds only the filtered ones)");
    }
    if let Some(caveat) = crate::labspec::support::caveat(plan.spec.msm.serializer).filter(|_| plan.spec.msm.xstream_allow.is_empty()) {
        progress.warn(caveat);
    }
    Ok(Prepared { engine, plan, fetcher })
}
