//! The verbs: each turns parsed flags into calls on the library and output on stdout.
//! Errors get their context here, at the edge.

use anyhow::Context;

use crate::cli::{NameArg, StatusArgs, UpArgs, VerifyArgs};
use crate::engine::{Engine, EngineError};
use crate::lab::{self, LabError};
use crate::lock::{Lock, LockError};
use crate::maven::{default_cache_dir, Fetcher};
use crate::plan::Plan;
use crate::progress::Progress;
use crate::report;
use crate::spec::{LabSpec, SpecError};
use crate::verify::{self, VerifyError};

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
        if cause.is::<SpecError>() || cause.is::<VerifyError>() {
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

pub async fn up(args: UpArgs) -> anyhow::Result<Outcome> {
    let spec = LabSpec {
        name: args.lab.name,
        tomcat: args.tomcat,
        serializer: args.serializer,
        session_manager: args.session_manager,
        tomcats: args.tomcats,
        port: args.port,
        base_image: args.base_image,
        maven_repo: args.maven_repo,
        java_opts: args.java_opts,
    }
    .validate()?;
    let plan = Plan::new(spec, &Lock::bundled())?;
    let engine = Engine::connect().await?;
    let progress = Progress::new(args.quiet);
    let fetcher = Fetcher::new(&plan.spec.maven_repo, default_cache_dir());
    let timings = lab::up(&engine, &plan, &fetcher, &progress)
        .await
        .with_context(|| format!("msmlab up --name {} did not complete", plan.spec.name))?;
    print!("{}", report::up_text(plan.spec.name.as_str(), &plan.page_url(), &timings));
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

pub async fn down(args: NameArg) -> anyhow::Result<Outcome> {
    let engine = Engine::connect().await?;
    let lab = args.name.as_str();
    let removed = lab::down(&engine, lab).await.with_context(|| format!("removing lab {lab:?}"))?;
    print!("{}", report::down_text(lab, &removed));
    Ok(Outcome::Success)
}
