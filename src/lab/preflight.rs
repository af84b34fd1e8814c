//! Before `up` creates anything: a lab of that name that exists already is judged (`health`),
//! and a container, network or port that something else holds is refused.

use crate::engine::{Engine, EngineError, NameKind};
use crate::lab::errors::LabError;
use crate::lab::found::{down, find};
use crate::lab::health::{self, Existing};
use crate::lab::url::LabUrl;
use crate::plan::Plan;
use crate::ui::progress::Progress;

#[derive(Debug, PartialEq, Eq)]
pub enum Preflight {
    /// Go ahead: nothing of the lab exists (any more).
    Proceed,
    /// Up and healthy with these settings, reached at `url`.
    AlreadyUp { url: LabUrl },
}

/// Deals with a lab of this name that exists already (see `up`), then refuses, before anything
/// is created, a name or a port that something else holds.
pub async fn preflight(engine: &Engine, plan: &Plan, progress: &Progress, recreate: bool) -> Result<Preflight, LabError> {
    let lab = plan.spec.shape.name.as_str();
    if let Preflight::AlreadyUp { url } = existing(engine, plan, progress, recreate).await? {
        return Ok(Preflight::AlreadyUp { url });
    }

    for (kind, name) in plan.nodes().map(|n| (NameKind::Container, &n.name)).chain([(NameKind::Network, &plan.network)]) {
        if let Some(holder) = engine.name_holder(kind, name).await? {
            let (kind, by) = match kind {
                NameKind::Container => ("container", "a container"),
                NameKind::Network => ("network", "a network"),
            };
            let by = match holder {
                Some(other) => format!("{by} of lab {other:?}"),
                None => format!("{by} msmlab did not make"),
            };
            return Err(LabError::NameTaken { lab: lab.into(), kind, name: name.clone(), by });
        }
    }

    let (ip, port) = (plan.spec.shape.listen, plan.spec.shape.port);
    if port == 0 {
        return Ok(Preflight::Proceed); // the engine picks a free one
    }
    match port_holder(engine, ip, port).await? {
        PortHolder::Free => Ok(Preflight::Proceed),
        PortHolder::Lab { lab, container } => Err(LabError::PortTaken { ip, port, by: format!("lab {lab:?} ({container})") }),
        PortHolder::Program => Err(LabError::PortTaken { ip, port, by: "another program".into() }),
    }
}

/// A lab of this name that exists already (on one engine or a swarm): healthy and made with
/// these settings, it is up (`AlreadyUp`); made with others, refused; broken or half made (or
/// with `recreate`), removed, and then `Proceed`.
pub async fn existing(engine: &Engine, plan: &Plan, progress: &Progress, recreate: bool) -> Result<Preflight, LabError> {
    let lab = plan.spec.shape.name.as_str();
    let found = find(engine, lab).await?;
    if !found.is_empty() {
        let why = if recreate {
            "--recreate".to_string()
        } else {
            match health::check(engine, plan, &found).await {
                Existing::Healthy { url } => return Ok(Preflight::AlreadyUp { url }),
                Existing::Different(what) => return Err(LabError::Different { lab: lab.into(), what }),
                Existing::Broken(what) => format!("it was broken or half made: {what}"),
            }
        };
        let step = progress.step(format!("Remove the existing lab {lab} ({why})"));
        let removed = step.check(down(engine, lab).await)?;
        step.done(removed.summary());
    }
    Ok(Preflight::Proceed)
}

/// Who holds a host port nginx would publish on: `up`'s pre-flight and `doctor` ask the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortHolder {
    Free,
    /// A lab's nginx publishes it.
    Lab { lab: String, container: String },
    /// Something else is bound to it on this machine.
    Program,
}

pub async fn port_holder(engine: &Engine, ip: std::net::IpAddr, port: u16) -> Result<PortHolder, EngineError> {
    let all = engine.containers(None).await?;
    if let Some(c) = all.iter().find(|c| c.published_port == Some(port)) {
        return Ok(PortHolder::Lab { lab: c.lab.clone(), container: c.name.clone() });
    }
    // Only a local engine publishes on this machine's addresses, so only then can we test it.
    if engine.is_local() && std::net::TcpListener::bind((ip, port)).is_err() {
        return Ok(PortHolder::Program);
    }
    Ok(PortHolder::Free)
}
