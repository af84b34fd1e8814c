//! `msmlab up`.

use crate::cli::failure::Context;

use super::{connect, fetcher, load_lock, msm_choice, with_team_manager, Failure, Globals, Outcome};
use crate::cli::args::UpArgs;
use crate::lab::{self, UpOutcome};
use crate::plan::Plan;
use crate::report;
use crate::spec::webapp::{self, WebappSpec};
use crate::spec::{trust, LabShape, LabSpec};
use crate::ui::progress::Progress;

pub async fn run(args: UpArgs, globals: &Globals) -> Result<Outcome, Failure> {
    let lock = load_lock(args.choice.lockfile.as_deref())?;
    let allow_http = args.shape.allow_http;
    let team_file = args.shape.context_xml.clone();
    let (choice, sticky, store_nodes) = with_team_manager(team_file.as_deref(), msm_choice(&args.choice, args.shape), args.sticky, args.store_nodes)?;
    let shape = LabShape {
        name: args.lab.name,
        jre: args.jre,
        store_nodes,
        tomcats: args.tomcats,
        port: args.port,
        java_opts: args.java_opts,
        listen: args.listen,
        sticky,
        webapp: args.webapp.map(|path| WebappSpec { path, context_path: args.context_path }),
    };
    let spec = LabSpec::new(choice, shape)?;
    let progress = Progress::new(globals.quiet);
    let fetcher = fetcher(&spec.maven_repo, allow_http, &progress)?;
    // Read and check the user's webapp before anything is created.
    let jakarta = spec.tomcat.jakarta().then(|| spec.tomcat.to_string());
    let webapp = spec.webapp.as_ref().map(|w| webapp::load_for(w, jakarta)).transpose()?;
    let plan = Plan::new(spec, &lock)?.with_webapp(webapp);
    let engine = connect(globals).await?;
    if plan.spec.options.session_attribute_filter.is_some() && !plan.spec.sticky {
        progress.warn("non-sticky: attributes outside --session-attribute-filter are lost after every request (each request loads the session from the store, which holds only the filtered ones)");
    }
    if let Some(caveat) = crate::spec::support::caveat(plan.spec.serializer).filter(|_| plan.spec.xstream_allow.is_empty()) {
        progress.warn(caveat);
    }
    if let Some(warning) = trust::listen_warning(plan.spec.name.as_str(), plan.spec.listen, plan.spec.port) {
        progress.warn(warning);
    }
    let outcome = lab::up(&engine, &plan, &fetcher, &progress, args.recreate)
        .await
        .with_context(|| format!("msmlab up --name {} did not complete", plan.spec.name))?;
    let lab = plan.spec.name.as_str();
    let UpOutcome::Created(timings) = outcome else {
        let containers = engine.containers(Some(lab)).await?;
        let already = report::AlreadyUpReport { lab: lab.into(), url: plan.page_url(), already_up: true, containers };
        report::emit(args.output.json, &already, |a| report::already_up_text(&a.lab, &a.url));
        return Ok(Outcome::Success);
    };
    let containers = engine.containers(Some(lab)).await?;
    let up = report::UpReport { lab: lab.into(), url: plan.page_url(), webapp_url: plan.webapp_url(), timings: (&timings).into(), floor: (&timings).into(), containers };
    report::emit(args.output.json, &up, |u| report::up_text(&u.lab, &u.url, u.webapp_url.as_deref(), &timings));
    if args.timings && !args.output.json {
        print!("{}", report::up_timings_text(&timings));
    }
    Ok(Outcome::Success)
}
