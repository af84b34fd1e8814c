//! `msmlab render`.

use crate::cli::failure::Context;

use super::{connect, load_lock, spec_from, Globals, LabOnly, Failure, Outcome};
use crate::bundle::{self, Bundle, Servers};
use crate::cli::args::RenderArgs;
use crate::jars::maven::{default_cache_dir, Fetcher};
use crate::lab::provision;
use crate::report;
use crate::spec::{support, trust, Jre};
use crate::ui::progress::Progress;
use crate::verify::Check;

pub async fn run(args: RenderArgs, globals: &Globals) -> Result<Outcome, Failure> {
    let lock = load_lock(args.choice.lockfile.as_deref())?;
    let servers = Servers::parse(&args.tomcat_hosts, &args.store_nodes_at, args.listen_port, args.shape.session_manager, args.choice.store)?;
    // The lab-only values (name, counts, port) do not reach a bundle; they only satisfy the spec.
    let lab = LabOnly {
        name: "bundle".parse().expect("a valid name"),
        jre: Jre::Jre17,
        store_nodes: 1,
        tomcats: 2,
        port: 13355,
        java_opts: String::new(),
        sticky: false,
        webapp: None,
        listen: std::net::Ipv4Addr::LOCALHOST.into(),
    };
    let allow_http = args.shape.allow_http;
    let spec = spec_from(&args.choice, args.shape, lab)?;
    if let Some(warning) = trust::check_repository(&spec.maven_repo, allow_http)? {
        eprintln!("! {warning}");
    }
    support::check(&spec)?;
    let bundle = Bundle::new(spec, servers, &lock)?;
    bundle::check_out_dir(&args.out, args.force)?;
    let progress = Progress::new(globals.quiet);

    let step = progress.step("Fetch jars");
    let fetcher = Fetcher::new(&bundle.spec.maven_repo, default_cache_dir()).allow_http(allow_http);
    let jars = step.check(fetcher.fetch_all(&bundle.jars.lib).await).context("fetching the jars for the bundle")?;
    step.done(format!("{} jars pinned in jars.lock", jars.len()));

    let mut checks = vec![bundle.check_context_xml()];
    if args.no_engine_check {
        checks.push(Check::new("nginx -t", true, "skipped (--no-engine-check)".into()));
    } else {
        let engine = connect(globals).await?;
        let image = provision::nginx_image(&engine, &bundle.spec, &progress).await?;
        let step = progress.step("nginx -t");
        let check = step.check(bundle::nginx_test(&engine, &image, &bundle).await).context("running nginx -t")?;
        step.done(if check.ok { "passed" } else { "failed" });
        checks.push(check);
    }
    let rendered = bundle::write(&bundle, &jars, checks, &args.out)?;
    report::emit(args.output.json, &rendered, report::rendered_text);
    Ok(if rendered.ok { Outcome::Success } else { Outcome::Failure })
}
