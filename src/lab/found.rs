//! A lab found again by its label, and removed: `status`, `down`, `down --all` and a failed
//! `up`'s rollback all start here, so nothing is remembered between commands.

use std::collections::BTreeMap;

use futures_util::future::try_join_all;

use crate::engine::{ContainerInfo, Engine, EngineError, Resource};

/// Everything that carries a lab's label.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Found {
    pub containers: Vec<ContainerInfo>,
    pub networks: Vec<Resource>,
    pub volumes: Vec<Resource>,
}

impl Found {
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty() && self.networks.is_empty() && self.volumes.is_empty()
    }

    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        if !self.containers.is_empty() {
            parts.push(count(self.containers.len(), "container"));
        }
        if !self.networks.is_empty() {
            parts.push(count(self.networks.len(), "network"));
        }
        if !self.volumes.is_empty() {
            parts.push(count(self.volumes.len(), "volume"));
        }
        parts.join(", ")
    }

    pub fn extend(&mut self, other: Found) {
        self.containers.extend(other.containers);
        self.networks.extend(other.networks);
        self.volumes.extend(other.volumes);
    }

    /// The names of everything found, containers first.
    pub fn names(&self) -> Vec<String> {
        let c = self.containers.iter().map(|c| c.name.clone());
        c.chain(self.networks.iter().map(|n| n.name.clone())).chain(self.volumes.iter().map(|v| v.name.clone())).collect()
    }
}

/// Finds a lab by its label.
pub async fn find(engine: &Engine, lab: &str) -> Result<Found, EngineError> {
    Ok(Found {
        containers: engine.containers(Some(lab)).await?,
        networks: engine.networks(Some(lab)).await?,
        volumes: engine.volumes(Some(lab)).await?,
    })
}

/// Removes exactly what carries the lab's label: containers, then networks and volumes.
/// Returns what was removed.
pub async fn down(engine: &Engine, lab: &str) -> Result<Found, EngineError> {
    let found = find(engine, lab).await?;
    try_join_all(found.containers.iter().map(|c| engine.remove_container(&c.id))).await?;
    for n in &found.networks {
        engine.remove_network(&n.id).await?;
    }
    for v in &found.volumes {
        engine.remove_volume(&v.name).await?;
    }
    Ok(found)
}

/// Removes what carries the lab's label and was made by the `up` run `owner` (its rollback):
/// what another run of the same name made stays.
pub async fn down_owned(engine: &Engine, lab: &str, owner: &str) -> Result<Found, EngineError> {
    let mut found = find(engine, lab).await?;
    found.containers.retain(|c| c.owner.as_deref() == Some(owner));
    found.networks.retain(|n| n.owner.as_deref() == Some(owner));
    found.volumes.clear();
    try_join_all(found.containers.iter().map(|c| engine.remove_container(&c.id))).await?;
    for n in &found.networks {
        engine.remove_network(&n.id).await?;
    }
    Ok(found)
}

/// Every msmlab lab on the engine, by name: whatever carries the `io.msmlab.lab` label, and
/// nothing else.
pub async fn find_all(engine: &Engine) -> Result<BTreeMap<String, Found>, EngineError> {
    let everything = Found {
        containers: engine.containers(None).await?,
        networks: engine.networks(None).await?,
        volumes: engine.volumes(None).await?,
    };
    Ok(by_lab(everything))
}

/// Groups what the engine listed by its lab label. Anything without a lab name (the engine's
/// filter should never return one) is left out: `down --all` must not touch it.
pub fn by_lab(found: Found) -> BTreeMap<String, Found> {
    let mut labs: BTreeMap<String, Found> = BTreeMap::new();
    for c in found.containers.into_iter().filter(|c| !c.lab.is_empty()) {
        labs.entry(c.lab.clone()).or_default().containers.push(c);
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
