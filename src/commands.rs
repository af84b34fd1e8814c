//! The verbs: each turns parsed flags into calls on the library and output on stdout.
//! Errors get their context here, at the edge.

use anyhow::Context;

use std::path::Path;

use crate::cli::{DownArgs, JarChoice, JarsArgs, LockArgs, StatusArgs, UpArgs, VerifyArgs};
use crate::engine::{Engine, EngineError};
use crate::lab::{self, LabError, UpOutcome};
use crate::lock::{Lock, LockError};
use crate::maven::{default_cache_dir, sha256_file, FetchError, Fetcher};
use crate::plan::{Plan, PlanError};
use crate::progress::Progress;
use crate::report;
use crate::relock;
use crate::spec::{LabSpec, SpecError};
use crate::trust::{self, TrustError};
use crate::support::{self, Unsupported};
use crate::verify::{self, VerifyError};

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
        if cause.is::<SpecError>() || cause.is::<VerifyError>() || cause.is::<Unsupported>() || cause.is::<TrustError>() {
            return 2;
        }
        // Transparent: the combination msm cannot run hides behind the plan's error.
        if let Some(PlanError::Unsupported(_)) = cause.downcast_ref() {
            return 2;
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
        listen: args.listen,
    }
    .validate()?;
    let http_warning = trust::check_repository(&spec.maven_repo, args.allow_http)?;
    let plan = Plan::new(spec, &lock)?;
    let engine = Engine::connect().await?;
    let progress = Progress::new(args.quiet);
    let warnings = http_warning.into_iter().chain(trust::listen_warning(plan.spec.name.as_str(), plan.spec.listen, plan.spec.port));
    for warning in warnings {
        progress.warn(warning);
    }
    let fetcher = Fetcher::new(&plan.spec.maven_repo, default_cache_dir()).allow_http(args.allow_http);
    let outcome = lab::up(&engine, &plan, &fetcher, &progress, args.recreate)
        .await
        .with_context(|| format!("msmlab up --name {} did not complete", plan.spec.name))?;
    let lab = plan.spec.name.as_str();
    match outcome {
        UpOutcome::Created(timings) => print!("{}", report::up_text(lab, &plan.page_url(), &timings)),
        UpOutcome::AlreadyUp => print!("{}", report::already_up_text(lab, &plan.page_url())),
    }
    Ok(Outcome::Success)
}

pub async fn verify(args: VerifyArgs) -> anyhow::Result<Outcome> {
    let engine = Engine::connect().await?;
    let verdict = verify::run(&engine, args.lab.name.as_str(), args.requests.into()).await?;
    if args.json {
        println!("{}", report::verdict_json(&verdict));
    } else {
        print!("{}", report::verdict_text(&verdict));
    }
    Ok(if verdict.ok { Outcome::Success } else { Outcome::Failure })
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

pub async fn down(args: DownArgs) -> anyhow::Result<Outcome> {
    let engine = Engine::connect().await?;
    if args.all {
        let removed = lab::down_all(&engine).await.context("removing every msmlab lab")?;
        print!("{}", report::down_all_text(&removed));
        return Ok(Outcome::Success);
    }
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
