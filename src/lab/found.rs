//! A lab found again by its label, and removed: `status`, `down`, `down --all` and a failed
//! `up`'s rollback all start here, so nothing is remembered between commands.

use std::collections::BTreeMap;

use futures_util::future::try_join_all;

use crate::engine::registry::{self, Deleted};
use crate::engine::swarm::ServiceInfo;
use crate::engine::{ContainerInfo, Engine, EngineError, Resource};
use crate::lab::swarm::tasks;
use crate::labspec::names::LAB_LABEL;

/// Everything that carries a lab's label.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Found {
    /// The lab's containers; on a swarm, its services' tasks (each with its task and node).
    pub containers: Vec<ContainerInfo>,
    /// On a swarm: the lab's services.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceInfo>,
    pub networks: Vec<Resource>,
    pub volumes: Vec<Resource>,
    /// On a swarm: the tags of the lab's own images on the manager (`images/lab.Dockerfile`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
    /// After `down` on a swarm: what became of each image pushed to the registry.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pushed: Vec<(String, Deleted)>,
}

impl Found {
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty() && self.services.is_empty() && self.networks.is_empty() && self.volumes.is_empty() && self.images.is_empty()
    }

    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        if !self.services.is_empty() {
            parts.push(count(self.services.len(), "service"));
        }
        let containers = self.containers.iter().filter(|c| c.task.is_none()).count();
        if containers > 0 {
            parts.push(count(containers, "container"));
        }
        if !self.networks.is_empty() {
            parts.push(count(self.networks.len(), "network"));
        }
        if !self.volumes.is_empty() {
            parts.push(count(self.volumes.len(), "volume"));
        }
        if !self.images.is_empty() {
            parts.push(count(self.images.len(), "image tag"));
        }
        let deleted = self.pushed.iter().filter(|(_, d)| *d == Deleted::Deleted).count();
        if deleted > 0 {
            parts.push(format!("{} from the registry", count(deleted, "pushed image")));
        }
        parts.join(", ")
    }

    pub fn extend(&mut self, other: Found) {
        self.containers.extend(other.containers);
        self.services.extend(other.services);
        self.networks.extend(other.networks);
        self.volumes.extend(other.volumes);
        self.images.extend(other.images);
        self.pushed.extend(other.pushed);
    }

    /// The names of everything found, services and containers first.
    pub fn names(&self) -> Vec<String> {
        let s = self.services.iter().map(|s| s.name.clone());
        let c = self.containers.iter().filter(|c| c.task.is_none()).map(|c| c.name.clone());
        s.chain(c).chain(self.networks.iter().map(|n| n.name.clone())).chain(self.volumes.iter().map(|v| v.name.clone())).chain(self.images.iter().cloned()).collect()
    }
}

/// The images of `lab` (any lab when `None`): what a swarm lab built for itself.
async fn lab_images(engine: &Engine, lab: Option<&str>) -> Result<Vec<String>, EngineError> {
    engine.images_with_label(&lab.map_or(LAB_LABEL.to_string(), |lab| format!("{LAB_LABEL}={lab}"))).await
}

/// Finds a lab by its label.
pub async fn find(engine: &Engine, lab: &str) -> Result<Found, EngineError> {
    let services = engine.services(Some(lab)).await?;
    let mut containers = engine.containers(Some(lab)).await?;
    containers.extend(tasks::containers(engine, &services).await?);
    Ok(Found {
        containers,
        services,
        networks: engine.networks(Some(lab)).await?,
        volumes: engine.volumes(Some(lab)).await?,
        images: lab_images(engine, Some(lab)).await?,
        pushed: Vec::new(),
    })
}

/// Removes exactly what carries the lab's label: services (with their tasks) and
/// containers, then networks, volumes and the lab's own images, and the images it pushed
/// to a registry. Returns what was removed.
pub async fn down(engine: &Engine, lab: &str) -> Result<Found, EngineError> {
    let found = find(engine, lab).await?;
    remove(engine, found).await
}

async fn remove(engine: &Engine, mut found: Found) -> Result<Found, EngineError> {
    tasks::remove(engine, &found.services).await?;
    try_join_all(found.containers.iter().filter(|c| c.task.is_none()).map(|c| engine.remove_container(&c.id))).await?;
    for n in &found.networks {
        engine.remove_network(&n.id).await?;
    }
    for v in &found.volumes {
        engine.remove_volume(&v.name).await?;
    }
    // What was pushed: the services name it by digest, the engine's tags by tag (all that is
    // left of it when a `down` was cut short after the services went).
    let by_digest = found.services.iter().map(|s| s.image.clone()).filter(|i| registry::parse_pushed(i).is_some());
    for reference in by_digest.collect::<Vec<_>>() {
        let outcome = registry::delete_manifest(&reference).await;
        found.pushed.push((reference, outcome));
    }
    for tagged in found.images.iter().filter(|i| registry::parse_tagged(i).is_some()) {
        let outcome = registry::delete_tagged(tagged).await;
        if outcome != Deleted::Gone {
            found.pushed.push((tagged.clone(), outcome));
        }
    }
    for image in &found.images {
        engine.untag(image).await?;
    }
    Ok(found)
}

/// Removes what carries the lab's label and was made by the `up` run `owner` (its rollback):
/// what another run of the same name made stays.
pub async fn down_owned(engine: &Engine, lab: &str, owner: &str) -> Result<Found, EngineError> {
    let mut found = find(engine, lab).await?;
    found.containers.retain(|c| c.owner.as_deref() == Some(owner));
    found.services.retain(|s| s.owner.as_deref() == Some(owner));
    found.networks.retain(|n| n.owner.as_deref() == Some(owner));
    found.volumes.clear();
    // A swarm lab's images are made by the run that deploys it, which is this one when it
    // made services or networks.
    if found.services.is_empty() && found.networks.is_empty() {
        found.images.clear();
    }
    remove(engine, found).await
}

/// Every msmlab lab on the engine, by name: whatever carries the `io.msmlab.lab` label, and
/// nothing else.
pub async fn find_all(engine: &Engine) -> Result<BTreeMap<String, Found>, EngineError> {
    let services = engine.services(None).await?;
    let mut containers = engine.containers(None).await?;
    containers.extend(tasks::containers(engine, &services).await?);
    let mut labs = by_lab(Found {
        containers,
        services,
        networks: engine.networks(None).await?,
        volumes: engine.volumes(None).await?,
        images: Vec::new(),
        pushed: Vec::new(),
    });
    for (lab, found) in labs.iter_mut() {
        found.images = lab_images(engine, Some(lab)).await?;
    }
    Ok(labs)
}

/// Groups what the engine listed by its lab label. Anything without a lab name (the engine's
/// filter should never return one) is left out: `down --all` must not touch it.
pub fn by_lab(found: Found) -> BTreeMap<String, Found> {
    let mut labs: BTreeMap<String, Found> = BTreeMap::new();
    for c in found.containers.into_iter().filter(|c| !c.lab.is_empty()) {
        labs.entry(c.lab.clone()).or_default().containers.push(c);
    }
    for s in found.services.into_iter().filter(|s| !s.lab.is_empty()) {
        labs.entry(s.lab.clone()).or_default().services.push(s);
    }
    for n in found.networks.into_iter().filter(|n| !n.lab.is_empty()) {
        labs.entry(n.lab.clone()).or_default().networks.push(n);
    }
    for v in found.volumes.into_iter().filter(|v| !v.lab.is_empty()) {
        labs.entry(v.lab.clone()).or_default().volumes.push(v);
    }
    labs
}

/// `down` for every lab on the engine; returns what was removed, by lab.
pub async fn down_all(engine: &Engine) -> Result<BTreeMap<String, Found>, EngineError> {
    let labs = find_all(engine).await?;
    let mut removed = BTreeMap::new();
    for lab in labs.keys() {
        removed.insert(lab.clone(), down(engine, lab).await?);
    }
    Ok(removed)
}
