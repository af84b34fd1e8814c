//! Networks and volumes: a lab's bridge network, moving a container onto it, listing what
//! carries the lab label, removing.

use std::collections::HashMap;

use bollard::models::{EndpointSettings, NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest};
use bollard::query_parameters::{ListNetworksOptionsBuilder, ListVolumesOptionsBuilder};
use serde::Serialize;

use super::connection::Engine;
use super::containers::{REMOVAL_WAIT_STEP, REMOVAL_WAIT_STEPS};
use super::errors::{call, conflict_or_call, is_not_found, is_status, short, EngineError};
use super::labels::{label_filter, LabLabels};

/// A lab network or volume.
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    pub id: String,
    pub name: String,
    pub lab: String,
    /// The `up` run that made it (`io.msmlab.owner`).
    #[serde(skip)]
    pub owner: Option<String>,
}

impl Engine {
    pub async fn create_network(&self, name: &str, labels: HashMap<String, String>) -> Result<String, EngineError> {
        let request = NetworkCreateRequest {
            name: name.into(),
            driver: Some("bridge".into()),
            labels: Some(labels),
            ..Default::default()
        };
        let created = self.docker.create_network(request).await.map_err(conflict_or_call("create network", name))?;
        Ok(created.id)
    }

    /// Moves a created container from network `none` onto `network`, under its name as alias.
    pub async fn move_to_network(&self, container: &str, network: &str) -> Result<(), EngineError> {
        let off = NetworkDisconnectRequest { container: container.into(), force: Some(true) };
        self.docker.disconnect_network("none", off).await.map_err(call("disconnect from network none", container))?;
        let on = NetworkConnectRequest {
            container: container.into(),
            endpoint_config: Some(EndpointSettings { aliases: Some(vec![container.into()]), ..Default::default() }),
        };
        self.docker.connect_network(network, on).await.map_err(call("connect to its network", container))
    }

    pub async fn networks(&self, lab: Option<&str>) -> Result<Vec<Resource>, EngineError> {
        let options = ListNetworksOptionsBuilder::default().filters(&label_filter(lab)).build();
        let list = self.docker.list_networks(Some(options)).await.map_err(call("list networks of lab", lab.unwrap_or("*")))?;
        Ok(list
            .into_iter()
            .map(|n| {
                let labels = LabLabels::read(&n.labels.unwrap_or_default());
                Resource { id: n.id.unwrap_or_default(), name: n.name.unwrap_or_default(), lab: labels.lab, owner: labels.owner }
            })
            .collect())
    }

    pub async fn volumes(&self, lab: Option<&str>) -> Result<Vec<Resource>, EngineError> {
        let options = ListVolumesOptionsBuilder::default().filters(&label_filter(lab)).build();
        let list = self.docker.list_volumes(Some(options)).await.map_err(call("list volumes of lab", lab.unwrap_or("*")))?;
        Ok(list
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| {
                let labels = LabLabels::read(&v.labels);
                Resource { id: v.name.clone(), name: v.name, lab: labels.lab, owner: labels.owner }
            })
            .collect())
    }

    /// Removes a network; one whose last container is still being removed is retried until
    /// it is free.
    pub async fn remove_network(&self, id: &str) -> Result<(), EngineError> {
        let mut tries = 0;
        loop {
            match self.docker.remove_network(id).await {
                // A swarm's overlay network stays in use until Swarm has removed the tasks of
                // the services just removed.
                Err(e) if tries < REMOVAL_WAIT_STEPS * 3 && (is_status(&e, 403, "active endpoints") || short(&e).contains("in use")) => {
                    tries += 1;
                    tokio::time::sleep(REMOVAL_WAIT_STEP).await;
                }
                Err(e) if !is_not_found(&e) => return Err(call("remove network", id)(e)),
                _ => return Ok(()),
            }
        }
    }

    pub async fn remove_volume(&self, name: &str) -> Result<(), EngineError> {
        match self.docker.remove_volume(name, None::<bollard::query_parameters::RemoveVolumeOptions>).await {
            Err(e) if !is_not_found(&e) => Err(call("remove volume", name)(e)),
            _ => Ok(()),
        }
    }
}
