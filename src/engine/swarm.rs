//! Docker Swarm through the same door: the nodes of the swarm the engine manages, services
//! and their tasks, overlay networks, node availability (the node drill), and pushing the
//! images every node pulls. A lab on a swarm is a set of services carrying the lab labels;
//! their tasks' containers carry none, so nothing but the services' removal touches them.

use std::collections::HashMap;

use bollard::models::{
    EndpointPortConfig, EndpointPortConfigPublishModeEnum, EndpointSpec, EndpointSpecModeEnum, LocalNodeState, NetworkAttachmentConfig,
    NetworkCreateRequest, NodeSpecAvailabilityEnum, ServiceSpec, ServiceSpecMode, ServiceSpecModeReplicated, TaskSpec, TaskSpecContainerSpec,
    TaskSpecPlacement, TaskSpecRestartPolicy, TaskSpecRestartPolicyConditionEnum, TaskState,
};
use bollard::query_parameters::{
    ListNodesOptions, ListServicesOptionsBuilder, ListTasksOptionsBuilder, PushImageOptionsBuilder, RemoveImageOptionsBuilder,
    TagImageOptionsBuilder, UpdateNodeOptionsBuilder, UpdateServiceOptionsBuilder,
};
use futures_util::StreamExt;
use serde::Serialize;

use super::connection::Engine;
use super::containers::Privileges;
use super::errors::{call, conflict_or_call, is_not_found, short, EngineError};
use super::labels::{label_filter, LabLabels};
use super::logs::{since_options, text_of};
use crate::labspec::names::Role;

/// A node of the swarm, as its manager reports it.
#[derive(Debug, Clone, Serialize)]
pub struct SwarmNode {
    pub id: String,
    pub hostname: String,
    /// The address the node is reached at (its host-mode published ports are there).
    pub addr: String,
    pub manager: bool,
    /// `active`, `pause` or `drain`.
    pub availability: String,
    /// `ready`, `down`, …
    pub state: String,
    /// The lab whose node drill drained it (`DRAINED_LABEL`), so that only that is undone.
    pub drained_by: Option<String>,
}

/// The node label a node drill puts on the node it drains.
pub const DRAINED_LABEL: &str = "io.msmlab.drained-by";

/// The swarm the engine manages.
#[derive(Debug, Clone, Serialize)]
pub struct Swarm {
    /// The node the engine runs on.
    pub node_id: String,
    pub nodes: Vec<SwarmNode>,
}

impl Swarm {
    pub fn node(&self, id: &str) -> Option<&SwarmNode> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// Whether and how the engine takes part in a swarm.
#[derive(Debug, Clone)]
pub enum SwarmState {
    /// No swarm: `docker swarm init` makes one.
    Inactive,
    /// A worker (or a swarm being joined): services are made on a manager.
    NotManager { state: String },
    Manager(Swarm),
}

/// A service of a lab.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceInfo {
    pub id: String,
    pub name: String,
    pub lab: String,
    pub role: Option<Role>,
    pub index: u8,
    /// The image its tasks run (`repo@sha256:…` once pushed).
    pub image: String,
    pub replicas: u64,
    /// The port published in host mode on the node of its task (nginx's).
    pub published: Option<u16>,
    #[serde(skip)]
    pub spec: Option<String>,
    #[serde(skip)]
    pub owner: Option<String>,
    /// The session probe its tasks carry (`io.msmlab.probe`).
    #[serde(skip)]
    pub probe: Option<String>,
    /// The service's version, which an update must name.
    #[serde(skip)]
    pub version: u64,
}

/// A task of a service: one container on one node.
#[derive(Debug, Clone, Serialize)]
pub struct TaskInfo {
    pub id: String,
    pub service_id: String,
    pub slot: u64,
    pub node_id: String,
    /// `running`, `pending`, `shutdown`, …
    pub state: String,
    pub desired: String,
    /// Why a task is not running (the engine's message or error).
    pub message: String,
}

impl TaskInfo {
    pub fn is_running(&self) -> bool {
        self.state == "running" && self.desired == "running"
    }
}

/// A service as msmlab makes it: one replicated service, DNS round-robin endpoints (this
/// kernel's Swarm has no IPVS for virtual IPs), at most one port published in host mode.
#[derive(Debug, Clone, Default)]
pub struct ServiceDef {
    pub name: String,
    pub image: String,
    pub labels: HashMap<String, String>,
    pub network: String,
    pub replicas: u64,
    pub env: Vec<String>,
    /// A Go template Swarm fills per task, e.g. `msmlab-x-tomcat-{{.Task.Slot}}`.
    pub hostname: Option<String>,
    pub cmd: Option<Vec<String>>,
    /// Placement constraints, e.g. `node.id==…`.
    pub constraints: Vec<String>,
    /// `(published, target)`: published in host mode on the node the task runs on.
    pub publish: Option<(u16, u16)>,
    pub privileges: Privileges,
}

fn task_state(s: Option<TaskState>) -> String {
    s.map(|s| s.to_string()).unwrap_or_else(|| "unknown".into())
}

impl Engine {
    /// Whether the engine manages a swarm: its node id, or how it takes part otherwise (one
    /// `info` call, without listing the nodes).
    async fn manager_of(&self) -> Result<Result<String, SwarmState>, EngineError> {
        let info = self.docker.info().await.map_err(call("ask about the swarm of", &self.endpoint.host))?;
        let swarm = info.swarm.unwrap_or_default();
        Ok(match swarm.local_node_state {
            Some(LocalNodeState::ACTIVE) if swarm.control_available == Some(true) => Ok(swarm.node_id.unwrap_or_default()),
            Some(LocalNodeState::INACTIVE) | Some(LocalNodeState::EMPTY) | None => Err(SwarmState::Inactive),
            Some(s) => Err(SwarmState::NotManager { state: s.to_string() }),
        })
    }

    /// Whether the engine manages a swarm, and its nodes.
    pub async fn swarm(&self) -> Result<SwarmState, EngineError> {
        let node_id = match self.manager_of().await? {
            Ok(id) => id,
            Err(state) => return Ok(state),
        };
        let list = self.docker.list_nodes(None::<ListNodesOptions>).await.map_err(call("list the nodes of", &self.endpoint.host))?;
        let mut nodes: Vec<SwarmNode> = list
            .into_iter()
            .map(|n| {
                let spec = n.spec.unwrap_or_default();
                let status = n.status.unwrap_or_default();
                SwarmNode {
                    id: n.id.unwrap_or_default(),
                    hostname: n.description.and_then(|d| d.hostname).unwrap_or_default(),
                    addr: status.addr.unwrap_or_default(),
                    manager: n.manager_status.is_some(),
                    availability: spec.availability.map(|a| a.to_string()).unwrap_or_default(),
                    state: status.state.map(|s| s.to_string()).unwrap_or_default(),
                    drained_by: spec.labels.as_ref().and_then(|l| l.get(DRAINED_LABEL).cloned()),
                }
            })
            .collect();
        nodes.sort_by(|a, b| a.hostname.cmp(&b.hostname));
        Ok(SwarmState::Manager(Swarm { node_id, nodes }))
    }

    /// Drains a node for lab `drained_by` (its tasks move away: the node drill), labelling it
    /// so, or with `None` makes it active again and drops the label.
    pub async fn set_availability(&self, node_id: &str, drained_by: Option<&str>) -> Result<(), EngineError> {
        let node = self.docker.inspect_node(node_id).await.map_err(call("inspect node", node_id))?;
        let version = node.version.and_then(|v| v.index).unwrap_or(0) as i64;
        let mut spec = node.spec.unwrap_or_default();
        let labels = spec.labels.get_or_insert_with(HashMap::new);
        match drained_by {
            Some(lab) => labels.insert(DRAINED_LABEL.to_string(), lab.to_string()),
            None => labels.remove(DRAINED_LABEL),
        };
        spec.availability = Some(if drained_by.is_some() { NodeSpecAvailabilityEnum::DRAIN } else { NodeSpecAvailabilityEnum::ACTIVE });
        let options = UpdateNodeOptionsBuilder::default().version(version).build();
        self.docker.update_node(node_id, spec, options).await.map_err(call("change the availability of node", node_id))
    }

    /// An overlay network of the lab's own, attachable so that a one-off container on the
    /// manager (the store check) can join it.
    pub async fn create_overlay_network(&self, name: &str, labels: HashMap<String, String>) -> Result<String, EngineError> {
        let request = NetworkCreateRequest {
            name: name.into(),
            driver: Some("overlay".into()),
            attachable: Some(true),
            labels: Some(labels),
            ..Default::default()
        };
        let created = self.docker.create_network(request).await.map_err(call("create network", name))?;
        Ok(created.id)
    }

    pub async fn create_service(&self, def: &ServiceDef) -> Result<String, EngineError> {
        let container = TaskSpecContainerSpec {
            image: Some(def.image.clone()),
            // The task's container carries no lab label: `down` removes services, and Swarm
            // their containers, on whichever node they run.
            labels: None,
            command: def.cmd.clone(),
            hostname: def.hostname.clone(),
            env: Some(def.env.clone()),
            capability_drop: (def.privileges == Privileges::Unprivileged).then(|| vec!["ALL".into()]),
            // The same grace `down` gives a container.
            stop_grace_period: Some(2_000_000_000),
            ..Default::default()
        };
        let ports = def.publish.map(|(published, target)| {
            vec![EndpointPortConfig {
                target_port: Some(target as i64),
                published_port: Some(published as i64),
                publish_mode: Some(EndpointPortConfigPublishModeEnum::HOST),
                ..Default::default()
            }]
        });
        let spec = ServiceSpec {
            name: Some(def.name.clone()),
            labels: Some(def.labels.clone()),
            task_template: Some(TaskSpec {
                container_spec: Some(container),
                placement: (!def.constraints.is_empty()).then(|| TaskSpecPlacement { constraints: Some(def.constraints.clone()), ..Default::default() }),
                restart_policy: Some(TaskSpecRestartPolicy { condition: Some(TaskSpecRestartPolicyConditionEnum::ANY), ..Default::default() }),
                networks: Some(vec![NetworkAttachmentConfig { target: Some(def.network.clone()), ..Default::default() }]),
                ..Default::default()
            }),
            mode: Some(ServiceSpecMode { replicated: Some(ServiceSpecModeReplicated { replicas: Some(def.replicas as i64) }), ..Default::default() }),
            endpoint_spec: Some(EndpointSpec { mode: Some(EndpointSpecModeEnum::DNSRR), ports }),
            ..Default::default()
        };
        let created = self.docker.create_service(spec, None).await.map_err(conflict_or_call("create service", def.name.clone()))?;
        Ok(created.id.unwrap_or_default())
    }

    /// Every service carrying the lab label (any lab when `lab` is `None`), sorted by name.
    /// An engine that is no swarm manager has none.
    pub async fn services(&self, lab: Option<&str>) -> Result<Vec<ServiceInfo>, EngineError> {
        // Every `find` asks: one `info` call, not the list of nodes.
        if self.manager_of().await?.is_err() {
            return Ok(Vec::new());
        }
        let options = ListServicesOptionsBuilder::default().filters(&label_filter(lab)).build();
        let list = self.docker.list_services(Some(options)).await.map_err(call("list services of lab", lab.unwrap_or("*")))?;
        let mut out: Vec<ServiceInfo> = list
            .into_iter()
            .map(|s| {
                let spec = s.spec.unwrap_or_default();
                let labels = LabLabels::read(&spec.labels.unwrap_or_default());
                ServiceInfo {
                    id: s.id.unwrap_or_default(),
                    name: spec.name.unwrap_or_default(),
                    lab: labels.lab,
                    role: labels.role,
                    index: labels.index,
                    published: spec
                        .endpoint_spec
                        .and_then(|e| e.ports)
                        .unwrap_or_default()
                        .into_iter()
                        .find_map(|p| p.published_port.and_then(|p| u16::try_from(p).ok())),
                    image: spec.task_template.and_then(|t| t.container_spec).and_then(|c| c.image).unwrap_or_default(),
                    replicas: spec.mode.and_then(|m| m.replicated).and_then(|r| r.replicas).unwrap_or(0) as u64,
                    spec: labels.spec,
                    owner: labels.owner,
                    probe: labels.probe,
                    version: s.version.and_then(|v| v.index).unwrap_or(0),
                }
            })
            .collect();
        out.sort_by(|a, b| (&a.lab, a.role, a.index, &a.name).cmp(&(&b.lab, b.role, b.index, &b.name)));
        Ok(out)
    }

    /// The tasks of a service, current and past (Swarm keeps a few shut-down ones).
    pub async fn tasks(&self, service: &str) -> Result<Vec<TaskInfo>, EngineError> {
        let filters = HashMap::from([("service".to_string(), vec![service.to_string()])]);
        let options = ListTasksOptionsBuilder::default().filters(&filters).build();
        let list = match self.docker.list_tasks(Some(options)).await {
            // A removed service has no tasks (any more).
            Err(e) if is_not_found(&e) || short(&e).contains("not found") => Vec::new(),
            other => other.map_err(call("list the tasks of service", service))?,
        };
        let mut out: Vec<TaskInfo> = list
            .into_iter()
            .map(|t| {
                let status = t.status.unwrap_or_default();
                TaskInfo {
                    id: t.id.unwrap_or_default(),
                    service_id: t.service_id.unwrap_or_default(),
                    slot: t.slot.unwrap_or(0) as u64,
                    node_id: t.node_id.unwrap_or_default(),
                    state: task_state(status.state),
                    desired: task_state(t.desired_state),
                    message: [status.err, status.message].into_iter().flatten().find(|m| !m.is_empty()).unwrap_or_default(),
                }
            })
            .collect();
        out.sort_by_key(|t| (t.slot, t.id.clone()));
        Ok(out)
    }

    /// Restarts every task of a service (a rolling update with nothing changed), so that
    /// Swarm places them again: how the node drill spreads the Tomcats back over the nodes.
    pub async fn force_update_service(&self, service: &str) -> Result<(), EngineError> {
        let s = self.docker.inspect_service(service, None).await.map_err(call("inspect service", service))?;
        let version = s.version.and_then(|v| v.index).unwrap_or(0) as i32;
        let mut spec = s.spec.unwrap_or_default();
        if let Some(t) = spec.task_template.as_mut() {
            t.force_update = Some(t.force_update.unwrap_or(0) + 1);
        }
        let options = UpdateServiceOptionsBuilder::default().version(version).build();
        self.docker.update_service(service, spec, options, None).await.map_err(call("update service", service))?;
        Ok(())
    }

    /// How many containers of a service's tasks this engine's node still has.
    pub async fn task_containers(&self, service_id: &str) -> Result<usize, EngineError> {
        let filters = HashMap::from([("label".to_string(), vec![format!("com.docker.swarm.service.id={service_id}")])]);
        let options = bollard::query_parameters::ListContainersOptionsBuilder::default().all(true).filters(&filters).build();
        let list = self.docker.list_containers(Some(options)).await.map_err(call("list the containers of service", service_id))?;
        Ok(list.len())
    }

    /// Removes a service (Swarm stops and removes its tasks); gone already is fine.
    pub async fn remove_service(&self, id: &str) -> Result<(), EngineError> {
        match self.docker.delete_service(id).await {
            Err(e) if !is_not_found(&e) => Err(call("remove service", id)(e)),
            _ => Ok(()),
        }
    }

    /// What a task wrote at or after `since` (Unix seconds), read through the manager from
    /// whichever node runs it.
    pub async fn task_logs_since(&self, task: &str, since: i64) -> Result<String, EngineError> {
        text_of(self.docker.task_logs(task, Some(since_options(since))), "read logs of task", task).await
    }

    /// Tags a local image as `repo:tag` and pushes it; returns the pushed reference with its
    /// digest (`repo@sha256:…`), which every node pulls.
    pub async fn push(&self, image: &str, repo: &str, tag: &str) -> Result<String, EngineError> {
        let reference = format!("{repo}:{tag}");
        let options = TagImageOptionsBuilder::default().repo(repo).tag(tag).build();
        self.docker.tag_image(image, Some(options)).await.map_err(call("tag image", reference.clone()))?;
        let options = PushImageOptionsBuilder::default().tag(tag).build();
        let mut push = self.docker.push_image(repo, Some(options), None);
        while let Some(step) = push.next().await {
            let failed = match step {
                Ok(info) => info.error_detail.and_then(|d| d.message),
                Err(e) => Some(short(&e)),
            };
            if let Some(message) = failed {
                return Err(EngineError::Push { image: reference, message });
            }
        }
        let pushed = self.docker.inspect_image(&reference).await.map_err(call("inspect image", reference.clone()))?;
        pushed
            .repo_digests
            .unwrap_or_default()
            .into_iter()
            .find(|d| d.starts_with(&format!("{repo}@")))
            .ok_or_else(|| EngineError::Push { image: reference, message: "the registry reported no digest".into() })
    }

    /// Removes a tag from the engine (the image stays while other tags name it).
    pub async fn untag(&self, reference: &str) -> Result<(), EngineError> {
        let options = RemoveImageOptionsBuilder::default().noprune(false).build();
        match self.docker.remove_image(reference, Some(options), None).await {
            Err(e) if !is_not_found(&e) => Err(call("remove image", reference)(e)),
            _ => Ok(()),
        }
    }
}
