//! The verbs: each turns parsed flags into calls on the library and output on stdout.
//! Errors get their context here, at the edge.

use anyhow::Context;

use std::path::Path;

use crate::cli::{DrillArg, JarChoice, JarsArgs, LockArgs, NameArg, StatusArgs, UpArgs, VerifyArgs};
use crate::drill::{self, Drill, DrillError};
use crate::engine::{Engine, EngineError};
use crate::lab::{self, LabError};
use crate::lock::{Lock, LockError};
use crate::maven::{default_cache_dir, sha256_file, Fetcher};
use crate::plan::{Plan, PlanError};
use crate::progress::Progress;
use crate::report;
use crate::relock;
use crate::spec::{LabSpec, SpecError};
use crate::support::{self, Unsupported};
use crate::verify::{self, Page, VerifyError};
use crate::webapp::{self, WebappError, WebappSpec};

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
        if cause.is::<DrillError>() {
            return 130;
        }
        if cause.is::<SpecError>() || cause.is::<VerifyError>() || cause.is::<Unsupported>() || cause.is::<WebappError>() {
            return 2;
        }
        // Transparent: the combination msm cannot run hides behind the plan's error.
        if let Some(PlanError::Unsupported(_)) = cause.downcast_ref() {
            return 2;
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
    }
    1
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

pub async fn up(args: UpArgs) -> anyhow::Result<Outcome> {
    let lock = load_lock(args.choice.lockfile.as_deref())?;
    let spec = LabSpec {
        name: args.lab.name,
        tomcat: args.choice.tomcat,
        serializer: args.choice.serializer,
        jre: args.jre,
        store: args.choice.store,
        store_nodes: args.store_nodes,
        session_manager: args.session_manager,
        tomcats: args.tomcats,
        port: args.port,
        base_image: args.base_image,
        maven_repo: args.maven_repo,
        java_opts: args.java_opts,
        sticky: args.sticky,
        webapp: args.webapp.map(|path| WebappSpec { path, context_path: args.context_path }),
    }
    .validate()?;
    // Read and check the user's webapp before anything is created.
    let webapp = spec.webapp.as_ref().map(webapp::load).transpose()?;
    let plan = Plan::new(spec, &lock)?.with_webapp(webapp);
    let engine = Engine::connect().await?;
    let progress = Progress::new(args.quiet);
    let fetcher = Fetcher::new(&plan.spec.maven_repo, default_cache_dir());
    let timings = lab::up(&engine, &plan, &fetcher, &progress)
        .await
        .with_context(|| format!("msmlab up --name {} did not complete", plan.spec.name))?;
    print!("{}", report::up_text(plan.spec.name.as_str(), &plan.page_url(), plan.webapp_url().as_deref(), &timings));
    Ok(Outcome::Success)
}

pub async fn verify(args: VerifyArgs) -> anyhow::Result<Outcome> {
    let engine = Engine::connect().await?;
    let lab = args.lab.name.as_str();
    let page = args.path.map_or(Page::Test, Page::User);
    let junit_error = |path: &std::path::Path, e: std::io::Error| VerifyError::Junit { path: path.display().to_string(), message: e.to_string() };
    // A JUnit file that cannot be written is found out before the lab is touched.
    if let Some(path) = &args.junit {
        std::fs::File::create(path).map_err(|e| junit_error(path, e))?;
    }
    let (_, mut verdict) = verify::run(&engine, lab, &page, args.requests.into()).await?;
    for d in drills(&args.drill) {
        if !args.json {
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
    if args.json {
        println!("{}", report::verdict_json(&verdict));
    } else {
        print!("{}", report::verdict_text(&verdict));
    }
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

pub async fn status(args: StatusArgs) -> anyhow::Result<Outcome> {
    let engine = Engine::connect().await?;
    let lab = args.lab.name.as_str();
    let containers = engine.containers(Some(lab)).await?;
    if args.json {
        println!("{}", report::status_json(lab, &containers));
    } else {
        print!("{}", report::status_text(lab, &containers));
    }
    Ok(Outcome::Success)
}

pub async fn down(args: NameArg) -> anyhow::Result<Outcome> {
    let engine = Engine::connect().await?;
    let lab = args.name.as_str();
    let removed = lab::down(&engine, lab).await.with_context(|| format!("removing lab {lab:?}"))?;
    print!("{}", report::down_text(lab, &removed));
    Ok(Outcome::Success)
}

pub async fn jars(args: JarsArgs) -> anyhow::Result<Outcome> {
    let JarChoice { tomcat, serializer, store, lockfile } = &args.choice;
    let lock = load_lock(lockfile.as_deref())?;
    support::check_combination(tomcat, *serializer)?;
    let set = lock.select(tomcat, *serializer, *store, true).map_err(PlanError::from)?;
    let fetcher = Fetcher::new(&args.maven_repo, default_cache_dir());
    let mut cached = Vec::new();
    for a in set.all() {
        let path = fetcher.path(a);
        let ok = sha256_file(&path).await.with_context(|| format!("reading {}", path.display()))?.as_deref() == Some(a.sha256.as_str());
        cached.push(ok);
    }
    let listing = report::JarListing::new(tomcat, *serializer, *store, &set, &cached);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&listing).expect("a listing serializes"));
    } else {
        print!("{}", listing.text());
    }
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
    let fetcher = Fetcher::new(&args.maven_repo, default_cache_dir());
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
