//! `msmlab up`.

use crate::cli::verb_error::Context;

use super::{connect, fetcher, load_lock, msm_choice, read_webapp, remote_listen, VerbError, Globals, Reply};
use crate::cli::args::{LabArgs, UpArgs};
use crate::engine::{ContainerInfo, Engine};
use crate::jars::maven::Fetcher;
use crate::lab::webapp_check::{self, WebappCheck};
use crate::lab::{self, LabUrl, UpOutcome};
use crate::labspec::names::Role;
use crate::verify::UrlPath;
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
    let url = match &outcome {
        UpOutcome::Created { url, .. } | UpOutcome::AlreadyUp { url } => url.clone(),
    };
    let containers = lab::find(&engine, lab).await?.containers;
    // A lab that was up already is checked too: its webapp may have broken since, or this
    // run may name another page.
    let webapp_check = check_webapp(&engine, &plan, &url, &containers, args.webapp_page.as_ref(), &progress).await;
    let reply = if webapp_check.as_ref().is_some_and(|c| !c.ok) { Reply::No } else { Reply::Yes };
    let check_text = |lab: &str| webapp_check.as_ref().map(|c| report::webapp_check_text(lab, c)).unwrap_or_default();
    let timings = match outcome {
        UpOutcome::Created { timings, .. } => timings,
        UpOutcome::AlreadyUp { .. } => {
            let already = report::AlreadyUpReport { lab: lab.into(), url: url.page(), already_up: true, webapp_check: webapp_check.clone(), containers };
            report::emit(args.output.json, &already, |a| format!("{}{}", report::already_up_text(&a.lab, &a.url), check_text(&a.lab)));
            return Ok(reply);
        }
    };
    let webapp_url = url.webapp(&plan);
    let up = report::UpReport {
        lab: lab.into(),
        url: url.page(),
        webapp_url,
        webapp_check: webapp_check.clone(),
        timings: (&timings).into(),
        floor: (&timings).into(),
        containers,
    };
    report::emit(args.output.json, &up, |u| format!("{}{}", report::up_text(&u.lab, &u.url, u.webapp_url.as_deref(), &timings), check_text(&u.lab)));
    if args.timings && !args.output.json {
        print!("{}", report::up_timings_text(&timings));
    }
    Ok(reply)
}

/// Whether the user's webapp answers in the lab (`None`: the lab has none). A webapp that does
/// not is a "no" (exit status 1), not an error: the lab itself is up, and stays for a look.
async fn check_webapp(engine: &Engine, plan: &Plan, url: &LabUrl, containers: &[ContainerInfo], page: Option<&UrlPath>, progress: &Progress) -> Option<WebappCheck> {
    let webapp = plan.webapp.as_ref()?;
    let step = progress.step(format!("Check your webapp at {}", webapp.context_path));
    let tomcats: Vec<ContainerInfo> = containers.iter().filter(|c| c.role == Some(Role::Tomcat)).cloned().collect();
    let page = page.map(ToString::to_string);
    let check = webapp_check::check(engine, url, &tomcats, &webapp.context_path, page.as_deref()).await;
    if check.ok {
        step.done(check.detail.clone());
    } else {
        step.fail(check.detail.clone());
    }
    Some(check)
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
        Some(w) => Some(read_webapp(w, &fetcher, progress, &spec.msm.tomcat, spec.shape.webapp_javaee).await?),
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
