//! The verbs: each turns parsed flags into calls on the library and output on stdout.
//! Errors get their context here, at the edge.

use anyhow::Context;
use clap::CommandFactory;

use crate::bundle::{self, Bundle, BundleError, Servers};
use crate::cli::{Cli, CompletionsArgs, DoctorArgs, DownArgs, InitArgs, LogsArgs, RenderArgs, ShapeArgs, Shell, StatusArgs, UpArgs, VerifyArgs};
use crate::config::{self, Applied};
use crate::doctor;
use crate::engine::{Engine, EngineError};
use crate::images::ImageRecipe;
use crate::lab::{self, LabError};
use crate::lock::{Lock, LockError};
use crate::logs::{self, LogsError};
use crate::maven::{default_cache_dir, Fetcher};
use crate::names::Role;
use crate::official;
use crate::plan::Plan;
use crate::progress::Progress;
use crate::report;
use crate::spec::{ImageSource, LabName, LabSpec, SpecError};
use crate::term;
use crate::verify::{self, VerifyError};

/// Flags every verb has, and the config file's values.
#[derive(Debug, Default)]
pub struct Globals {
    pub quiet: bool,
    pub verbose: u8,
    pub applied: Applied,
}

impl Globals {
    /// With `-v`: which config file was read and what it set.
    pub fn explain_config(&self) {
        if self.verbose == 0 {
            return;
        }
        match &self.applied.path {
            Some(path) if self.applied.values.is_empty() => eprintln!("config: {} (nothing in it applies here)", path.display()),
            Some(path) => eprintln!("config: {} sets {}", path.display(), self.applied.values.join(", ")),
            None => eprintln!("config: no {} here, and no --config", config::DEFAULT_FILE),
        }
    }

    /// After a usage error (exit code 2), says which values came from the config file, since
    /// the error names the flag, not the file.
    pub fn blame_config(&self, code: u8) {
        if let (2, Some(path)) = (code, &self.applied.path) {
            if !self.applied.values.is_empty() {
                eprintln!("note: {} set {}", path.display(), self.applied.values.join(", "));
            }
        }
    }
}

/// The exit status of a command that ran to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: done, or every check passed.
    Success,
    /// 1: a check failed.
    Failure,
}

/// 2 for bad input and an unreachable engine (nothing was tried), 130 for an interrupt,
/// 1 for anything that failed along the way.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if let Some(LabError::Interrupted { .. }) = cause.downcast_ref() {
            return 130;
        }
        if cause.is::<SpecError>() || cause.is::<VerifyError>() || cause.is::<LogsError>() {
            return 2;
        }
        if let Some(e) = cause.downcast_ref::<BundleError>() {
            return if matches!(e, BundleError::Write { .. }) { 1 } else { 2 };
        }
        if let Some(LockError::NoTomcat { .. } | LockError::TomcatVersion { .. } | LockError::NoSerializer(_) | LockError::NoStore(_)) =
            cause.downcast_ref()
        {
            return 2;
        }
        if let Some(EngineError::Unreachable { .. }) = cause.downcast_ref() {
            return 2;
        }
        if let Some(LabError::Exists { .. } | LabError::PortTaken { .. }) = cause.downcast_ref() {
            return 2;
        }
        if cause.is::<InitError>() {
            return 2;
        }
    }
    1
}

/// The lab's shape from the flags `up` and `render` share.
fn spec_from(shape: ShapeArgs, name: LabName, tomcats: u8, port: u16, java_opts: String) -> Result<LabSpec, SpecError> {
    LabSpec {
        name,
        tomcat: shape.tomcat,
        serializer: shape.serializer,
        session_manager: shape.session_manager,
        tomcats,
        port,
        base_image: shape.base_image,
        maven_repo: shape.maven_repo,
        java_opts,
        images: shape.images,
        registry: shape.registry,
    }
    .validate()
}

async fn connect(globals: &Globals) -> anyhow::Result<Engine> {
    let engine = Engine::connect().await?;
    if globals.verbose > 0 {
        if let Ok(v) = engine.version().await {
            eprintln!("engine: Docker {} (API {}) at {}", v.version, v.api_version, v.host);
        }
    }
    Ok(engine)
}

pub async fn up(args: UpArgs, globals: &Globals) -> anyhow::Result<Outcome> {
    let spec = spec_from(args.shape, args.lab.name, args.tomcats, args.port, args.java_opts)?;
    let plan = Plan::new(spec, &Lock::bundled())?;
    let engine = connect(globals).await?;
    let progress = Progress::new(globals.quiet);
    let fetcher = Fetcher::new(&plan.spec.maven_repo, default_cache_dir());
    let timings = lab::up(&engine, &plan, &fetcher, &progress)
        .await
        .with_context(|| format!("msmlab up --name {} did not complete", plan.spec.name))?;
    let lab = plan.spec.name.as_str();
    let containers = engine.containers(Some(lab)).await?;
    let up = report::UpReport { lab: lab.into(), url: plan.page_url(), timings: (&timings).into(), containers };
    report::emit(args.output.json, &up, |u| report::up_text(&u.lab, &u.url, &timings));
    Ok(Outcome::Success)
}

pub async fn verify(args: VerifyArgs) -> anyhow::Result<Outcome> {
    let engine = Engine::connect().await?;
    let verdict = verify::run(&engine, args.lab.name.as_str(), args.requests.into()).await?;
    report::emit(args.output.json, &verdict, report::verdict_text);
    Ok(if verdict.ok { Outcome::Success } else { Outcome::Failure })
}

pub async fn status(args: StatusArgs) -> anyhow::Result<Outcome> {
    let engine = Engine::connect().await?;
    let lab = args.lab.name.as_str();
    let containers = engine.containers(Some(lab)).await?;
    if args.output.json {
        println!("{}", report::status_json(lab, &containers));
    } else {
        print!("{}", report::status_text(lab, &containers));
    }
    Ok(Outcome::Success)
}

pub async fn down(args: DownArgs) -> anyhow::Result<Outcome> {
    let engine = Engine::connect().await?;
    let lab = args.lab.name.as_str();
    let removed = lab::down(&engine, lab).await.with_context(|| format!("removing lab {lab:?}"))?;
    report::emit(args.output.json, &report::DownReport { lab, removed: &removed }, |r| report::down_text(r.lab, r.removed));
    Ok(Outcome::Success)
}

pub async fn logs(args: LogsArgs) -> anyhow::Result<Outcome> {
    let since = args.since.as_deref().map(|s| logs::parse_since(s, std::time::SystemTime::now())).transpose()?.unwrap_or(0);
    let engine = Engine::connect().await?;
    let lab = args.lab.name.as_str();
    let containers = engine.containers(Some(lab)).await?;
    let chosen = logs::select(lab, &containers, args.which.as_deref())?;
    if let Some(dir) = &args.export {
        let status = report::status_json(lab, &containers);
        let export = logs::export(&engine, lab, &chosen, &status, dir).await.with_context(|| format!("exporting lab {lab:?} to {}", dir.display()))?;
        eprintln!("Exported {} files of lab {lab:?} (logs of {} containers, their configs, status.json) to:", export.files.len(), chosen.len());
        print!("{}", report::export_text(&export));
        return Ok(Outcome::Success);
    }
    logs::show(&engine, &chosen, args.follow, since, args.tail, term::stdout_colour()).await?;
    Ok(Outcome::Success)
}

pub async fn render(args: RenderArgs, globals: &Globals) -> anyhow::Result<Outcome> {
    let servers = Servers::parse(&args.tomcat_hosts, &args.store_nodes_at, args.listen_port, args.shape.session_manager)?;
    // The lab-only values (name, counts, port) do not reach a bundle; they only satisfy the spec.
    let spec = spec_from(args.shape, "bundle".parse().expect("a valid name"), 2, 13355, String::new())?;
    let bundle = Bundle::new(spec, servers, &Lock::bundled())?;
    bundle::check_out_dir(&args.out, args.force)?;
    let progress = Progress::new(globals.quiet);

    let step = progress.step("Fetch jars");
    let fetcher = Fetcher::new(&bundle.spec.maven_repo, default_cache_dir());
    let jars = step.check(fetcher.fetch_all(&bundle.jars.lib).await).context("fetching the jars for the bundle")?;
    step.done(format!("{} jars pinned in jars.lock", jars.len()));

    let mut checks = vec![bundle.check_context_xml()];
    if args.no_engine_check {
        checks.push(verify_check("nginx -t", true, "skipped (--no-engine-check)".into()));
    } else {
        let engine = connect(globals).await?;
        let image = nginx_image(&engine, &bundle.spec, &progress).await?;
        let step = progress.step("nginx -t");
        let check = step.check(bundle::nginx_test(&engine, &image, &bundle).await).context("running nginx -t")?;
        step.done(if check.ok { "passed" } else { "failed" });
        checks.push(check);
    }
    let rendered = bundle::write(&bundle, &jars, checks, &args.out)?;
    report::emit(args.output.json, &rendered, report::rendered_text);
    Ok(if rendered.ok { Outcome::Success } else { Outcome::Failure })
}

fn verify_check(name: &'static str, ok: bool, detail: String) -> verify::Check {
    verify::Check { name, ok, detail }
}

/// The nginx image a lab of this spec would run, built or pulled as `up` would.
async fn nginx_image(engine: &Engine, spec: &LabSpec, progress: &Progress) -> anyhow::Result<String> {
    if spec.images == ImageSource::Official {
        let image = official::images_for(spec.tomcat.major(), spec.registry.as_deref())
            .map(|i| i.nginx)
            .unwrap_or_else(|| official::reference(spec.registry.as_deref(), "nginx", official::NGINX_TAG));
        let step = progress.step(format!("Image {image}"));
        step.check(engine.pull(&image, |p| step.update(official::describe(p))).await)?;
        step.done("");
        return Ok(image);
    }
    let step = progress.step(format!("Base image {}", spec.base_image));
    let base_id = step.check(engine.ensure_base_image(&spec.base_image).await)?;
    step.done(lab::short_id(&base_id));
    let recipe = ImageRecipe::packaged(Role::Nginx, &spec.base_image, &base_id)?;
    let step = progress.step(format!("Image {}", recipe.tag));
    lab::ensure_built(engine, &recipe, &step).await?;
    Ok(recipe.tag)
}

pub async fn doctor(args: DoctorArgs) -> anyhow::Result<Outcome> {
    let cache = default_cache_dir();
    let q = doctor::Question { port: args.port, base_image: &args.base_image, maven_repo: &args.maven_repo, registry: args.registry.as_deref(), cache_dir: &cache };
    let report = doctor::examine(&q).await;
    report::emit(args.output.json, &report, report::doctor_text);
    Ok(if report.ok { Outcome::Success } else { Outcome::Failure })
}

pub fn init(args: InitArgs) -> anyhow::Result<Outcome> {
    if args.path.exists() && !args.force {
        anyhow::bail!(InitError::Exists(args.path.display().to_string()));
    }
    std::fs::write(&args.path, config::example()).with_context(|| format!("writing {}", args.path.display()))?;
    eprintln!("Wrote {}: every key is commented out with its default; uncomment what you need.", args.path.display());
    Ok(Outcome::Success)
}

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{0} exists already; add --force to replace it")]
    Exists(String),
}

pub fn completions(args: CompletionsArgs) -> anyhow::Result<Outcome> {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut Cli::command(), "msmlab", &mut std::io::stdout());
    Ok(Outcome::Success)
}

pub fn docs_reference() -> anyhow::Result<Outcome> {
    print!("{}", config::reference());
    Ok(Outcome::Success)
}
