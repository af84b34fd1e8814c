//! The verbs: each turns parsed flags into calls on the library and output on stdout.
//! Errors get their context here, at the edge.

use anyhow::Context;
use clap::CommandFactory;

use std::path::Path;

use crate::bench::{self, BenchError, BenchSpec, Payload};
use crate::bundle::{self, Bundle, BundleError, Servers};
use crate::cli::{BenchArgs, Cli, CompletionsArgs, DoctorArgs, DownArgs, DrillArg, InitArgs, JarChoice, JarsArgs, LockArgs, LogsArgs, RenderArgs, ShapeArgs, Shell, StatusArgs, UpArgs, VerifyArgs};
use crate::config::{self, Applied};
use crate::doctor;
use crate::drill::{self, Drill, DrillError};
use crate::engine::{Engine, EngineError};
use crate::images::ImageRecipe;
use crate::lab::{self, LabError, UpOutcome};
use crate::lock::{Lock, LockError};
use crate::logs::{self, LogsError};
use crate::maven::{default_cache_dir, sha256_file, FetchError, Fetcher};
use crate::names::Role;
use crate::official;
use crate::plan::{Plan, PlanError};
use crate::progress::Progress;
use crate::relock;
use crate::report;
use crate::spec::{ImageSource, Jre, LabName, LabSpec, SpecError};
use crate::trust::{self, TrustError};
use crate::support::{self, Unsupported};
use crate::term;
use crate::verify::{self, Page, VerifyError};
use crate::webapp::{self, WebappError, WebappSpec};

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

/// 2 for bad input (flags, a repository that does not serve the pinned jars, a name or port
/// that is taken) and an engine that cannot be reached or is too old, 130 for an interrupt,
/// 1 for anything that failed along the way.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if let Some(LabError::Interrupted { .. }) = cause.downcast_ref() {
            return 130;
        }
        if cause.is::<DrillError>() {
            return 130;
        }
        if cause.is::<SpecError>() || cause.is::<VerifyError>() || cause.is::<Unsupported>() || cause.is::<LogsError>() || cause.is::<WebappError>() || cause.is::<TrustError>() {
            return 2;
        }
        // Transparent: the combination msm cannot run hides behind the plan's error.
        if let Some(PlanError::Unsupported(_)) = cause.downcast_ref() {
            return 2;
        }
        if let Some(e) = cause.downcast_ref::<BundleError>() {
            return if matches!(e, BundleError::Write { .. }) { 1 } else { 2 };
        }
        if let Some(f) = cause.downcast_ref::<FetchError>() {
            return if matches!(f, FetchError::Io { .. }) { 1 } else { 2 };
        }
        if let Some(LockError::NoTomcat { .. } | LockError::TomcatVersion { .. } | LockError::NoSerializer(_) | LockError::NoStore(_)) =
            cause.downcast_ref()
        {
            return 2;
        }
        if matches!(engine_error(cause), Some(EngineError::Unreachable { .. } | EngineError::Lost { .. } | EngineError::TooOld { .. })) {
            return 2;
        }
        if let Some(LabError::Different { .. } | LabError::PortTaken { .. } | LabError::NameTaken { .. }) =
            cause.downcast_ref()
        {
            return 2;
        }
        if let Some(e) = cause.downcast_ref::<BenchError>() {
            if let BenchError::Interrupted(_) = e {
                return 130;
            }
            if bench::is_usage_error(e) {
                return 2;
            }
        }
        if cause.is::<InitError>() {
            return 2;
        }
    }
    1
}

/// The engine error a cause is, or wraps transparently (a transparent wrapper hides it from
/// the chain: its `source` is the engine error's own source).
fn engine_error<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a EngineError> {
    if let Some(e) = cause.downcast_ref::<EngineError>() {
        return Some(e);
    }
    if let Some(LabError::Engine(e)) = cause.downcast_ref() {
        return Some(e);
    }
    if let Some(crate::ready::NotReady::Engine(e)) = cause.downcast_ref() {
        return Some(e);
    }
    if let Some(crate::store::ProbeError::Engine(e)) = cause.downcast_ref() {
        return Some(e);
    }
    if let Some(VerifyError::Engine(e)) = cause.downcast_ref() {
        return Some(e);
    }
    None
}

/// The lock a command uses: `--lockfile`, else the one built into msmlab.
fn load_lock(path: Option<&Path>) -> anyhow::Result<Lock> {
    match path {
        None => Ok(Lock::bundled()),
        Some(p) => {
            let origin = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|source| LockError::Read { path: origin.clone(), source })?;
            Ok(Lock::parse(&text, &origin)?)
        }
    }
}

/// What `up` and `render` share, as a spec; the lab-only values come separately.
struct LabOnly {
    name: LabName,
    jre: Jre,
    store_nodes: u8,
    tomcats: u8,
    port: u16,
    java_opts: String,
    sticky: bool,
    webapp: Option<WebappSpec>,
    listen: std::net::IpAddr,
}

fn spec_from(choice: &JarChoice, shape: ShapeArgs, lab: LabOnly) -> Result<LabSpec, SpecError> {
    LabSpec {
        name: lab.name,
        tomcat: choice.tomcat.clone(),
        serializer: choice.serializer,
        jre: lab.jre,
        store: choice.store,
        store_nodes: lab.store_nodes,
        session_manager: shape.session_manager,
        tomcats: lab.tomcats,
        port: lab.port,
        base_image: shape.base_image,
        maven_repo: shape.maven_repo,
        java_opts: lab.java_opts,
        images: shape.images,
        registry: shape.registry,
        sticky: lab.sticky,
        webapp: lab.webapp,
        listen: lab.listen,
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
    let lock = load_lock(args.choice.lockfile.as_deref())?;
    let webapp = args.webapp.map(|path| WebappSpec { path, context_path: args.context_path });
    let lab = LabOnly {
        name: args.lab.name,
        jre: args.jre,
        store_nodes: args.store_nodes,
        tomcats: args.tomcats,
        port: args.port,
        java_opts: args.java_opts,
        sticky: args.sticky,
        webapp,
        listen: args.listen,
    };
    let allow_http = args.shape.allow_http;
    let spec = spec_from(&args.choice, args.shape, lab)?;
    let http_warning = trust::check_repository(&spec.maven_repo, allow_http)?;
    // Read and check the user's webapp before anything is created.
    let webapp = spec.webapp.as_ref().map(webapp::load).transpose()?;
    let plan = Plan::new(spec, &lock)?.with_webapp(webapp);
    let engine = connect(globals).await?;
    let progress = Progress::new(globals.quiet);
    let warnings = http_warning.into_iter().chain(trust::listen_warning(plan.spec.name.as_str(), plan.spec.listen, plan.spec.port));
    for warning in warnings {
        progress.warn(warning);
    }
    let fetcher = Fetcher::new(&plan.spec.maven_repo, default_cache_dir()).allow_http(allow_http);
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

pub async fn verify(args: VerifyArgs, globals: &Globals) -> anyhow::Result<Outcome> {
    let engine = connect(globals).await?;
    let lab = args.lab.name.as_str();
    let page = args.path.map_or(Page::Test, Page::User);
    let junit_error = |path: &std::path::Path, e: std::io::Error| VerifyError::Junit { path: path.display().to_string(), message: e.to_string() };
    // A JUnit file that cannot be written is found out before the lab is touched.
    if let Some(path) = &args.junit {
        std::fs::File::create(path).map_err(|e| junit_error(path, e))?;
    }
    let (_, mut verdict) = verify::run(&engine, lab, &page, args.requests.into()).await?;
    for d in drills(&args.drill) {
        if !args.output.json && !globals.quiet {
            eprintln!("Drill {}: running (it stops parts of lab {lab:?} and restores them)", d.name());
        }
        // An interrupt must not leave the lab with a container stopped.
        let report = tokio::select! {
            report = drill::run(&engine, lab, &page, d) => report?,
            signal = interrupted() => {
                eprintln!("{signal}: restoring lab {lab:?} before stopping");
                let restored = drill::restore_all(&engine, lab).await;
                return Err(DrillError::Interrupted { signal, drill: d.name(), restored }.into());
            }
        };
        verdict.drills.push(report);
    }
    verdict.settle();
    if let Some(path) = &args.junit {
        std::fs::write(path, report::verdict_junit(&verdict)?).map_err(|e| junit_error(path, e))?;
    }
    report::emit(args.output.json, &verdict, report::verdict_text);
    Ok(if verdict.ok { Outcome::Success } else { Outcome::Failure })
}

/// The next Ctrl-C or SIGTERM, named.
async fn interrupted() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let (mut int, mut term) = match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
        (Ok(i), Ok(t)) => (i, t),
        _ => return std::future::pending().await,
    };
    tokio::select! {
        _ = int.recv() => "Ctrl-C",
        _ = term.recv() => "SIGTERM",
    }
}

/// The drills asked for, each once, in the order tomcat, store, restart.
fn drills(asked: &[DrillArg]) -> Vec<Drill> {
    let all = asked.contains(&DrillArg::All);
    [(DrillArg::Tomcat, Drill::Tomcat), (DrillArg::Store, Drill::Store), (DrillArg::Restart, Drill::Restart)]
        .into_iter()
        .filter(|(arg, _)| all || asked.contains(arg))
        .map(|(_, d)| d)
        .collect()
}

pub async fn status(args: StatusArgs, globals: &Globals) -> anyhow::Result<Outcome> {
    let engine = connect(globals).await?;
    let lab = args.lab.name.as_str();
    let containers = engine.containers(Some(lab)).await?;
    let status = report::Status { lab, exists: !containers.is_empty(), containers: &containers };
    report::emit(args.output.json, &status, |s| report::status_text(s.lab, s.containers));
    Ok(Outcome::Success)
}

pub async fn down(args: DownArgs, globals: &Globals) -> anyhow::Result<Outcome> {
    let engine = connect(globals).await?;
    if args.all {
        let removed = lab::down_all(&engine).await.context("removing every msmlab lab")?;
        report::emit(args.output.json, &removed, report::down_all_text);
        return Ok(Outcome::Success);
    }
    let lab = args.lab.name.as_str();
    let removed = lab::down(&engine, lab).await.with_context(|| format!("removing lab {lab:?}"))?;
    report::emit(args.output.json, &report::DownReport { lab, removed: &removed }, |r| report::down_text(r.lab, r.removed));
    Ok(Outcome::Success)
}

pub async fn logs(args: LogsArgs, globals: &Globals) -> anyhow::Result<Outcome> {
    let since = args.since.as_deref().map(|s| logs::parse_since(s, std::time::SystemTime::now())).transpose()?.unwrap_or(0);
    let engine = connect(globals).await?;
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
        let image = official::reference(spec.registry.as_deref(), "nginx", official::NGINX_TAG);
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

pub async fn doctor(args: DoctorArgs, _globals: &Globals) -> anyhow::Result<Outcome> {
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

pub async fn jars(args: JarsArgs, _globals: &Globals) -> anyhow::Result<Outcome> {
    let JarChoice { tomcat, serializer, store, lockfile } = &args.choice;
    let lock = load_lock(lockfile.as_deref())?;
    support::check_combination(tomcat, *serializer)?;
    let set = lock.select(tomcat, *serializer, *store, true).map_err(PlanError::from)?;
    if let Some(warning) = trust::check_repository(&args.maven_repo, args.allow_http)? {
        eprintln!("! {warning}");
    }
    let fetcher = Fetcher::new(&args.maven_repo, default_cache_dir()).allow_http(args.allow_http);
    let mut cached = Vec::new();
    for a in set.all() {
        let path = fetcher.path(a);
        let ok = sha256_file(&path).await.with_context(|| format!("reading {}", path.display()))?.as_deref() == Some(a.sha256.as_str());
        cached.push(ok);
    }
    let listing = report::JarListing::new(tomcat, *serializer, *store, &set, &cached);
    report::emit(args.output.json, &listing, report::JarListing::text);
    if let Some(dir) = &args.copy_to {
        let fetched = fetcher.fetch_all(&set.lib).await.context("fetching the jars")?;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for f in &fetched {
            let to = dir.join(f.artifact.coords.file_name());
            std::fs::copy(&f.path, &to).with_context(|| format!("copying {} to {}", f.path.display(), to.display()))?;
        }
        eprintln!("copied {} verified jars to {}", fetched.len(), dir.display());
    }
    Ok(Outcome::Success)
}

pub async fn lock(args: LockArgs) -> anyhow::Result<Outcome> {
    let path = &args.lockfile;
    let origin = path.display().to_string();
    let old_text = match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(LockError::Read { path: origin, source }.into()),
    };
    let previous = old_text.as_deref().map(|t| Lock::parse(t, &origin)).transpose()?;
    if let Some(warning) = trust::check_repository(&args.maven_repo, args.allow_http)? {
        eprintln!("! {warning}");
    }
    let fetcher = Fetcher::new(&args.maven_repo, default_cache_dir()).allow_http(args.allow_http);
    eprintln!("resolving the policy (src/policy.rs) against {} …", args.maven_repo);
    let releases = relock::Releases { upgrade: args.upgrade, pin: args.tomcat_releases.clone() };
    let relocked = relock::relock(&fetcher, previous.as_ref(), &releases)
        .await
        .with_context(|| format!("re-resolving {origin} from {}", args.maven_repo))?;
    let text = relocked.lock.to_text().context("writing the lock")?;
    let same = old_text.as_deref() == Some(text.as_str());
    print!("{}", report::relock_text(&origin, &relocked, same));
    if args.check {
        return Ok(if same { Outcome::Success } else { Outcome::Failure });
    }
    if !same {
        std::fs::write(path, &text).with_context(|| format!("writing {origin}"))?;
        println!("wrote {origin}");
    }
    Ok(Outcome::Success)
}

pub async fn bench(args: BenchArgs, globals: &Globals) -> anyhow::Result<Outcome> {
    let lab = LabSpec {
        name: args.name,
        tomcat: args.tomcat,
        serializer: crate::spec::Serializer::Java,
        jre: args.jre,
        store: args.store,
        store_nodes: args.store_nodes,
        session_manager: crate::spec::SessionManager::Msm,
        tomcats: args.tomcats,
        port: args.port,
        base_image: args.base_image,
        maven_repo: args.maven_repo,
        java_opts: args.java_opts,
        // The load generator talks to 127.0.0.1.
        listen: std::net::Ipv4Addr::LOCALHOST.into(),
        // The images msmlab builds: they carry the start-up tuning the bench overrides.
        images: ImageSource::Built,
        registry: None,
        sticky: false,
        webapp: None,
    }
    .validate()?;
    let serializers = bench::serializers(&args.serializers, &lab.tomcat)?;
    let spec = BenchSpec {
        serializers,
        concurrency: args.concurrency,
        limit: match args.requests {
            Some(n) => crate::load::Limit::Requests(n),
            None => crate::load::Limit::Duration(args.duration),
        },
        warmup: args.warmup,
        payload: Payload { kb: args.payload_kb, attributes: args.payload_attributes, shape: args.payload_shape },
        compare_wrk: args.compare_wrk,
        lab,
    }
    .validate()?;
    let lock = Lock::bundled();
    for s in &spec.serializers {
        Plan::new(spec.lab_for(*s)?, &lock)?;
    }
    let engine = connect(globals).await?;
    let progress = Progress::new(globals.quiet);
    let fetcher = Fetcher::new(&spec.lab.maven_repo, default_cache_dir());
    let report = bench::run(&engine, &lock, &fetcher, &progress, &spec).await.context("msmlab bench did not complete")?;

    let dir = &args.out;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let json_path = dir.join("bench.json");
    std::fs::write(&json_path, report::bench_json(&report)).with_context(|| format!("writing {}", json_path.display()))?;
    let svg_path = dir.join("bench.svg");
    let svg = crate::chart::svg(&report).context("drawing the chart")?;
    std::fs::write(&svg_path, svg).with_context(|| format!("writing {}", svg_path.display()))?;
    let png_path = dir.join("bench.png");
    let png = crate::chart::png(&svg_path, &png_path).await;
    if args.output.json {
        println!("{}", report::bench_json(&report));
    } else {
        print!("{}", report::bench_text(&report));
        let png_note = if png { format!(", {}", png_path.display()) } else { String::new() };
        println!("wrote {}, {}{png_note}", json_path.display(), svg_path.display());
    }
    let failed = report.runs.iter().any(|r| r.requests == 0);
    Ok(if failed { Outcome::Failure } else { Outcome::Success })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lost() -> EngineError {
        EngineError::Lost { action: "inspect image", target: "x".into(), message: "connection reset".into() }
    }

    #[test]
    fn a_lost_engine_is_exit_code_2_however_deep_it_is_wrapped() {
        let wrapped: Vec<anyhow::Error> = vec![
            anyhow::Error::new(lost()),
            anyhow::Error::new(LabError::Step { step: "creating the lab".into(), cleanup: None, source: LabError::Engine(lost()).into() })
                .context("msmlab up --name x did not complete"),
            anyhow::Error::new(LabError::Step {
                step: "starting x".into(),
                cleanup: None,
                source: crate::ready::NotReady::Engine(lost()).into(),
            }),
        ];
        for e in wrapped {
            assert_eq!(exit_code(&e), 2, "{e:#}");
        }
        let other = EngineError::Call { action: "start container", target: "x".into(), message: "no such image".into() };
        assert_eq!(exit_code(&anyhow::Error::new(LabError::Step { step: "s".into(), cleanup: None, source: other.into() })), 1);
    }
}
