//! `up --swarm`: the plan's files built into images of the lab's own, pushed to the registry
//! every node pulls from, and the lab created as services on an overlay network: one per
//! store node, one for the Tomcats (`--tomcats` replicas), one for nginx with its port
//! published in host mode. Ready when nginx, reached where it is published, has had an
//! answer from every Tomcat.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::engine::registry;
use crate::engine::swarm::{ServiceDef, Swarm, SwarmState};
use crate::engine::{Engine, EngineError, Privileges};
use crate::lab::errors::{at, LabError};
use crate::lab::preflight::{existing, Preflight};
use crate::lab::provision::Images;
use crate::lab::ready::{self, NotReady, TOMCAT_TIMEOUT};
use crate::lab::settings;
use crate::lab::swarm::layout::{self, Layout};
use crate::lab::url::LabUrl;
use crate::plan::images::lab_image_context;
use crate::plan::{Node, Plan, CATALINA_HOME};
use crate::labspec::names::{self, Role, NGINX_PORT, SPEC_LABEL};
use crate::labspec::ImageSource;
use crate::ui::progress::Progress;

/// How long the tasks may take to run: each node pulls the lab's images on first use.
const TASKS_TIMEOUT: Duration = Duration::from_secs(300);

/// The swarm `up --swarm` deploys to, checked: the engine manages one, and a swarm of several
/// nodes has a registry to pull from. Then a lab of that name that exists is judged as on one
/// engine (same settings and healthy: left alone; other settings: refused; broken: removed).
pub async fn preflight(engine: &Engine, plan: &Plan, progress: &Progress, recreate: bool) -> Result<(Preflight, Swarm), LabError> {
    let lab = plan.spec.shape.name.as_str();
    let swarm = match engine.swarm().await? {
        SwarmState::Manager(s) => s,
        SwarmState::Inactive => return Err(LabError::NoSwarm { lab: lab.into(), why: "is not part of a swarm".into() }),
        SwarmState::NotManager { state } => return Err(LabError::NoSwarm { lab: lab.into(), why: format!("is a swarm node that is no manager ({state})") }),
    };
    let nodes = layout::usable(&swarm).len();
    if nodes > 1 && plan.spec.shape.swarm.as_ref().is_none_or(|s| s.push_to.is_none()) {
        return Err(LabError::NeedsRegistry { nodes });
    }
    if let Preflight::AlreadyUp { url } = existing(engine, plan, progress, recreate).await? {
        return Ok((Preflight::AlreadyUp { url }, swarm));
    }
    let port = plan.spec.shape.port;
    if let Some(other) = engine.services(None).await?.into_iter().find(|s| s.published == Some(port)) {
        return Err(LabError::PortTaken { ip: plan.spec.shape.listen, port, by: format!("lab {:?} ({})", other.lab, other.name) });
    }
    Ok((Preflight::Proceed, swarm))
}

/// What `deploy` measured, and where the lab is reached.
pub struct Deployed {
    pub url: LabUrl,
    /// Building the lab's own images and pushing them.
    pub images: Duration,
    pub create: Duration,
    pub start: Duration,
    pub start_to_ready: Duration,
    pub nginx_first_answer: Duration,
}

/// Builds, pushes and creates the lab's services, and waits until it serves. What it pushed
/// is deleted from the registry again when it fails; the rest carries the owner label, for
/// `up`'s rollback.
pub async fn deploy(
    engine: &Engine,
    plan: &Plan,
    swarm: &Swarm,
    images: &Images,
    files: &HashMap<Role, Vec<u8>>,
    owner: &str,
    progress: &Progress,
) -> Result<Deployed, LabError> {
    let started = Instant::now();
    let roles: Vec<Role> = [plan.stores[0].role, Role::Tomcat, Role::Nginx].to_vec();
    let local = lab_images(engine, plan, images, files, &roles, progress).await?;
    let mut pushed = Vec::new();
    let result = match push(engine, plan, &roles, &local, &mut pushed, progress).await {
        Ok(run) => create_services(engine, plan, swarm, images, &run, owner, started.elapsed(), progress).await,
        Err(e) => Err(e),
    };
    if result.is_err() {
        for reference in &pushed {
            registry::delete_manifest(reference).await;
        }
    }
    result
}

/// The lab's own images: the role's image with its files, so every node runs the same bytes.
/// Returns each role's local tag.
async fn lab_images(engine: &Engine, plan: &Plan, images: &Images, files: &HashMap<Role, Vec<u8>>, roles: &[Role], progress: &Progress) -> Result<HashMap<Role, String>, LabError> {
    let lab = plan.spec.shape.name.as_str();
    let step = progress.step(format!("Build the lab's {} images", roles.len()));
    let mut local: HashMap<Role, String> = HashMap::new();
    for role in roles {
        let base = &images.by_role[role];
        let dest = match role {
            Role::Tomcat => CATALINA_HOME,
            Role::Nginx => "/etc/nginx",
            _ => "/",
        };
        let context = lab_image_context(base, lab, *role, dest, files.get(role).map_or(&[][..], Vec::as_slice)).map_err(at("rendering images/lab.Dockerfile"))?;
        let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&context));
        let tag = format!("msmlab-lab-{lab}-{role}:{}", &hash[..12]);
        if engine.image_id(&tag).await?.is_none() {
            step.update(format!("building {tag}"));
            step.check(engine.build_image(&tag, context, &HashMap::new(), |_| {}).await).map_err(at::<EngineError>(format!("building {tag}")))?;
        }
        local.insert(*role, tag);
    }
    step.done("");
    Ok(local)
}

/// Every node pulls the lab's images from the registry, by digest (`--push-to`); a swarm of
/// one node runs the local tags. Each reference pushed is added to `pushed` as it lands, so a
/// failure later on can delete them. Returns what each role runs.
async fn push(engine: &Engine, plan: &Plan, roles: &[Role], local: &HashMap<Role, String>, pushed: &mut Vec<String>, progress: &Progress) -> Result<HashMap<Role, String>, LabError> {
    let mut run: HashMap<Role, String> = local.clone();
    if let Some(registry) = plan.spec.shape.swarm.as_ref().and_then(|s| s.push_to.as_deref()) {
        let step = progress.step(format!("Push the lab's images to {registry}"));
        for role in roles {
            let (repo_tag, tag) = local[role].split_once(':').expect("a lab image tag has a version");
            let repo = format!("{registry}/{repo_tag}");
            step.update(format!("pushing {repo}:{tag}"));
            let reference = step.check(engine.push(&local[role], &repo, tag).await).map_err(at::<EngineError>(format!("pushing {repo}:{tag}")))?;
            pushed.push(reference.clone());
            run.insert(*role, reference);
        }
        step.done(format!("{} images, pulled by digest", roles.len()));
    }
    Ok(run)
}

/// The overlay network and the services, the store first; then waits until nginx reaches
/// every Tomcat.
#[allow(clippy::too_many_arguments)]
async fn create_services(
    engine: &Engine,
    plan: &Plan,
    swarm: &Swarm,
    images: &Images,
    run: &HashMap<Role, String>,
    owner: &str,
    images_took: Duration,
    progress: &Progress,
) -> Result<Deployed, LabError> {
    let lab = plan.spec.shape.name.as_str();
    let create_from = Instant::now();
    let layout = layout::layout(swarm, plan.stores.len());
    let step = progress.step(format!("Create overlay network {} and {} services", plan.network, plan.stores.len() + 2));
    let mut labels = names::network_labels(&plan.spec.shape.name);
    labels.insert(names::OWNER_LABEL.to_string(), owner.to_string());
    let network = step.check(engine.create_overlay_network(&plan.network, labels).await).map_err(at::<EngineError>(format!("creating network {}", plan.network)))?;
    let spec_label = settings::spec_label(&plan.spec);
    let defs = services(plan, &layout, run, images, &network, &spec_label, owner);
    // The store first: msm gives up on a node whose name does not resolve when Tomcat starts.
    let (stores, others): (Vec<_>, Vec<_>) = defs.into_iter().partition(|(role, _)| role.is_store());
    for (_, def) in &stores {
        step.check(engine.create_service(def).await).map_err(at::<EngineError>(format!("creating service {}", def.name)))?;
    }
    step.done(format!("stores on {}", hostnames(swarm, &layout.stores)));
    let create = create_from.elapsed();

    let start_from = Instant::now();
    let step = progress.step("Start the store");
    step.check(all_running(engine, &stores.iter().map(|(_, d)| d).collect::<Vec<_>>(), TASKS_TIMEOUT).await)?;
    step.done("");
    let step = progress.step(format!("Start {} Tomcats and nginx", plan.tomcats.len()));
    for (_, def) in &others {
        step.check(engine.create_service(def).await).map_err(at::<EngineError>(format!("creating service {}", def.name)))?;
    }
    step.check(all_running(engine, &others.iter().map(|(_, d)| d).collect::<Vec<_>>(), TASKS_TIMEOUT).await)?;
    let start = start_from.elapsed();
    step.done("every task runs");

    let step = progress.step(format!("Wait until nginx reaches all {} Tomcats", plan.tomcats.len()));
    let url = LabUrl::on(engine, &plan.spec.shape.listen.to_string(), plan.spec.shape.port);
    let tomcats: Vec<String> = plan.tomcats.iter().map(|t| t.name.clone()).collect();
    let first = step
        .check(ready::nginx(engine, &plan.nginx.name, &url.page(), &tomcats, TOMCAT_TIMEOUT).await)
        .map_err(at::<NotReady>(format!("starting the Tomcats behind {}", plan.nginx.name)))?;
    let on = crate::lab::found::find(engine, lab).await?;
    let where_: Vec<String> = on.containers.iter().filter(|c| c.role == Some(Role::Tomcat)).map(|c| format!("{} on {}", c.name, c.node.as_deref().unwrap_or("?"))).collect();
    step.done(where_.join(", "));
    Ok(Deployed { url, images: images_took, create, start, start_to_ready: start_from.elapsed(), nginx_first_answer: first })
}

fn hostnames(swarm: &Swarm, ids: &[String]) -> String {
    ids.iter().map(|id| swarm.node(id).map_or(id.as_str(), |n| n.hostname.as_str())).collect::<Vec<_>>().join(", ")
}

/// Every service of the lab, by role: one per store node, pinned to its node; the Tomcats,
/// one service of `--tomcats` replicas named like containers by their hostnames; nginx on
/// the node msmlab talks to, its port published there.
fn services(plan: &Plan, layout: &Layout, run: &HashMap<Role, String>, images: &Images, network: &str, spec_label: &str, owner: &str) -> Vec<(Role, ServiceDef)> {
    let privileges = if plan.spec.msm.images == ImageSource::Official { Privileges::ImageDefault } else { Privileges::Unprivileged };
    let lab = &plan.spec.shape.name;
    let labels = |role: Role, index: u8| {
        let mut l = names::labels(lab, role, index);
        l.insert(SPEC_LABEL.to_string(), spec_label.to_string());
        l.insert(names::OWNER_LABEL.to_string(), owner.to_string());
        l.extend(plan.probe_label(role));
        l
    };
    let def = |node: &Node, name: String, replicas: u64, constraints: Vec<String>| ServiceDef {
        name,
        image: run[&node.role].clone(),
        labels: labels(node.role, node.index),
        network: network.to_string(),
        replicas,
        env: plan.env(node),
        hostname: None,
        cmd: images.cmd.get(&node.role).cloned(),
        constraints,
        publish: None,
        privileges,
    };
    let mut out: Vec<(Role, ServiceDef)> =
        plan.stores.iter().zip(&layout.stores).map(|(n, on)| (n.role, def(n, n.name.clone(), 1, vec![format!("node.id=={on}")]))).collect();
    let first = &plan.tomcats[0];
    let mut tomcats = def(first, names::tomcat_service_name(lab), plan.tomcats.len() as u64, layout.tomcats_avoid.iter().map(|id| format!("node.id!={id}")).collect());
    // Named like a container of a single-engine lab: the test page reports its hostname.
    tomcats.hostname = Some(format!("{}-{{{{.Task.Slot}}}}", names::tomcat_service_name(lab)));
    tomcats.labels = labels(Role::Tomcat, 0);
    out.push((Role::Tomcat, tomcats));
    let mut nginx = def(&plan.nginx, plan.nginx.name.clone(), 1, vec![format!("node.id=={}", layout.nginx)]);
    nginx.publish = Some((plan.spec.shape.port, NGINX_PORT));
    out.push((Role::Nginx, nginx));
    out
}

/// Waits until every replica of each service runs; says which task does not, and why, when
/// the time is up.
async fn all_running(engine: &Engine, defs: &[&ServiceDef], timeout: Duration) -> Result<(), LabError> {
    let deadline = Instant::now() + timeout;
    loop {
        let mut waiting = Vec::new();
        for d in defs {
            let tasks = engine.tasks(&d.name).await?;
            let running = tasks.iter().filter(|t| t.is_running()).count() as u64;
            if running < d.replicas {
                let why = tasks.iter().filter(|t| t.desired == "running" && !t.is_running()).map(|t| format!("{}: {}", t.state, t.message)).next();
                waiting.push(format!("{} ({running} of {} running{})", d.name, d.replicas, why.map(|w| format!("; {w}")).unwrap_or_default()));
            }
        }
        if waiting.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(LabError::TasksNotRunning { waited: timeout.as_secs(), what: waiting.join(", ") });
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
