//! `msmlab render`.

use crate::cli::verb_error::Context;

use super::{connect, fetcher, load_lock, msm_choice, VerbError, Globals, Reply};
use crate::bundle::{self, Bundle, Servers};
use crate::cli::args::RenderArgs;
use crate::jars::attributes;
use crate::lab::jakarta;
use crate::lab::provision;
use crate::report;
use crate::labspec::support;
use crate::ui::progress::Progress;
use crate::verify::Check;

pub async fn run(args: RenderArgs, globals: &Globals) -> Result<Reply, VerbError> {
    let lock = load_lock(args.choice.lockfile.as_deref())?;
    let servers = Servers::parse(&args.tomcat_hosts, &args.store_nodes_at, args.listen_port, args.shape.session_manager, args.choice.store)?;
    let allow_http = args.shape.allow_http;
    let team_file = args.shape.context_xml.clone();
    let (choice, sticky, _) = msm_choice(&args.choice, args.shape, false, 1)?;
    if sticky {
        return Err(bundle::BundleError::StickyFile(team_file.unwrap_or_default().display().to_string()).into());
    }
    let choice = choice.validate()?;
    let progress = Progress::new(globals.quiet);
    let fetcher = fetcher(&choice.maven_repo, allow_http, &progress)?;
    support::check_combination(&choice.tomcat, choice.serializer)?;
    let mut bundle = Bundle::new(choice, servers, &lock)?;
    bundle::check_out_dir(&args.out, args.force)?;

    let allow = !bundle.choice.xstream_allow.is_empty();
    if allow && args.no_engine_check {
        return Err(bundle::BundleError::AllowNeedsEngine.into());
    }
    if bundle.jars.migration.is_some() && args.no_engine_check {
        return Err(bundle::BundleError::JakartaNeedsEngine(bundle.choice.tomcat.to_string()).into());
    }
    let step = progress.step("Fetch jars");
    let mut jars = step.check(fetcher.fetch_all(&bundle.jars.lib).await).context("fetching the jars for the bundle")?;
    step.done(format!("{} jars pinned in jars.lock", jars.len()));
    if bundle.choice.session_manager == crate::labspec::SessionManager::Msm {
        attributes::check_options(&bundle.choice.options.custom, &jars).context("checking --msm-option against msm's jar")?;
    }

    let mut checks = vec![bundle.check_context_xml()];
    let mut built = Vec::new();
    if args.no_engine_check {
        checks.push(Check::new("nginx -t", true, "skipped (--no-engine-check)".into()));
    } else {
        let engine = connect(globals).await?;
        // The conversion and the allow-list are made with the Java of msmlab's Tomcat image.
        let tomcat_image = if allow || bundle.jars.migration.is_some() {
            let distribution = fetcher.fetch(&bundle.jars.distribution).await.context("fetching the Tomcat distribution")?;
            Some(provision::tomcat_image(&engine, crate::labspec::Jre::Jre17, &distribution, &progress).await?)
        } else {
            None
        };
        if let (Some(tool), Some(image)) = (&bundle.jars.migration, &tomcat_image) {
            let tool = fetcher.fetch(tool).await.context("fetching the migration tool")?;
            let made = jakarta::for_servers(&engine, bundle.choice.tomcat.major(), image, &jars, &tool, &progress)
                .await
                .context("converting msm's jars for jakarta.servlet")?;
            jars = made.lib;
            built.extend(made.built);
            bundle.converted = made.converted.iter().map(|c| c.from.coords.clone()).collect();
        }
        if let (true, Some(image)) = (allow, &tomcat_image) {
            let jar = provision::xstream_allow_jar(&engine, &bundle.choice.xstream_allow, image, &jars, Default::default(), &progress).await?;
            built.push((crate::plan::XSTREAM_ALLOW_JAR.to_string(), jar));
        }
        let image = provision::nginx_image(&engine, &bundle.choice, &progress).await?;
        let step = progress.step("nginx -t");
        let check = step.check(bundle::nginx_test(&engine, &image, &bundle).await).context("running nginx -t")?;
        step.done(if check.ok { "passed" } else { "failed" });
        checks.push(check);
    }
    let rendered = bundle::write(&bundle, &jars, &built, checks, &args.out)?;
    report::emit(args.output.json, &rendered, report::rendered_text);
    Ok(if rendered.ok { Reply::Yes } else { Reply::No })
}
