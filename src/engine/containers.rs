//! Containers: what a lab container is made with (`ContainerSpec`, `Privileges`), what the
//! engine reports of one (`ContainerInfo`, `ContainerState`), and its life: create, start, stop,
//! kill, restart, inspect, list by label, remove; and who holds a name.

use std::collections::HashMap;
use std::time::Duration;

use bollard::models::{ContainerCreateBody, EndpointSettings, HostConfig, NetworkingConfig, PortBinding};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, KillContainerOptionsBuilder, ListContainersOptionsBuilder, ListNetworksOptionsBuilder,
    RemoveContainerOptionsBuilder, RestartContainerOptionsBuilder, StopContainerOptionsBuilder,
};
use serde::Serialize;

use super::connection::Engine;
use super::errors::{call, conflict_or_call, is_not_found, is_status, EngineError};
use super::labels::{label_filter, LabLabels};
use crate::labspec::names::{self, Role, LAB_LABEL};

/// The label Swarm puts on the container of a task.
const SWARM_TASK_LABEL: &str = "com.docker.swarm.task.id";

/// How long a removal someone else started may take to finish: 50 × 200 ms.
pub(super) const REMOVAL_WAIT_STEPS: u32 = 50;
pub(super) const REMOVAL_WAIT_STEP: Duration = Duration::from_millis(200);

/// A container to create.
#[derive(Debug, Clone, Default)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub labels: HashMap<String, String>,
    pub network: String,
    pub env: Vec<String>,
    /// Publish `container_port` on `host_ip:host_port`.
    pub publish: Option<(String, u16, u16)>,
    /// The command, when not the image's own.
    pub cmd: Option<Vec<String>>,
    /// The user, when not the image's own.
    pub user: Option<String>,
    /// `host:ip` entries for the container's /etc/hosts.
    pub extra_hosts: Vec<String>,
    /// What the container may do beyond running as its user.
    pub privileges: Privileges,
}

/// The capabilities a container keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Privileges {
    /// None at all (`CapDrop: ALL`): msmlab's own images run as unprivileged users on ports
    /// above 1024 and need none.
    #[default]
    Unprivileged,
    /// The engine's default set: for images that start as root and switch users themselves
    /// (the official nginx and Redis images, a one-off `nginx -t` as root).
    ImageDefault,
}

/// A lab container as the engine reports it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ContainerInfo {
    pub id: String,
    pub name: String,
    pub lab: String,
    pub role: Option<Role>,
    pub index: u8,
    pub state: ContainerState,
    /// Address on the lab network.
    pub address: Option<String>,
    /// `host_ip:host_port` published, if any.
    pub published: Option<String>,
    /// The published host port, if any.
    #[serde(skip)]
    pub published_port: Option<u16>,
    /// The settings the container was made with (`io.msmlab.spec`).
    #[serde(skip)]
    pub spec: Option<String>,
    /// The `up` run that made it (`io.msmlab.owner`).
    #[serde(skip)]
    pub owner: Option<String>,
    /// The session probe it carries (`io.msmlab.probe`): official Tomcats made with one.
    #[serde(skip)]
    pub probe: Option<String>,
    /// On a swarm: the task this container is, whose logs the manager reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// On a swarm: the node (host) it runs on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// On a swarm: the image its service runs (a one-off container of it reads the store).
    #[serde(skip)]
    pub image: Option<String>,
}

/// A container's state, as the engine names it (`docker ps`'s STATE column).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContainerState {
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
    /// A state this msmlab does not know (or none reported).
    #[default]
    Unknown,
}

impl ContainerState {
    pub fn parse(s: &str) -> ContainerState {
        match s {
            "created" => ContainerState::Created,
            "running" => ContainerState::Running,
            "paused" => ContainerState::Paused,
            "restarting" => ContainerState::Restarting,
            "removing" => ContainerState::Removing,
            "exited" => ContainerState::Exited,
            "dead" => ContainerState::Dead,
            _ => ContainerState::Unknown,
        }
    }

    pub fn is_running(self) -> bool {
        self == ContainerState::Running
    }
}

impl std::fmt::Display for ContainerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            ContainerState::Created => "created",
            ContainerState::Running => "running",
            ContainerState::Paused => "paused",
            ContainerState::Restarting => "restarting",
            ContainerState::Removing => "removing",
            ContainerState::Exited => "exited",
            ContainerState::Dead => "dead",
            ContainerState::Unknown => "unknown",
        };
        f.write_str(name)
    }
}

/// The two name spaces a lab takes names in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Container,
    Network,
}

/// How a lab container may touch its host: no privileges, no capabilities, no host mounts,
/// and at most the one port the spec publishes. Returns the exposed ports with it.
fn host_config(spec: &ContainerSpec) -> (HostConfig, Option<Vec<String>>) {
    let mut host_config = HostConfig {
        network_mode: Some(spec.network.clone()),
        privileged: Some(false),
        // The lab's servers run as unprivileged users on ports above 1024: they need no
        // capability at all, and cannot gain one.
        cap_drop: (spec.privileges == Privileges::Unprivileged).then(|| vec!["ALL".into()]),
        security_opt: Some(vec!["no-new-privileges".into()]),
        extra_hosts: (!spec.extra_hosts.is_empty()).then(|| spec.extra_hosts.clone()),
        // Files arrive as tar uploads; nothing of the host is mounted.
        binds: None,
        mounts: None,
        ..Default::default()
    };
    let mut exposed = None;
    if let Some((ip, host_port, container_port)) = &spec.publish {
        let key = format!("{container_port}/tcp");
        exposed = Some(vec![key.clone()]);
        host_config.port_bindings = Some(HashMap::from([(
            key,
            Some(vec![PortBinding { host_ip: Some(ip.clone()), host_port: Some(host_port.to_string()) }]),
        )]));
    }
    (host_config, exposed)
}

impl Engine {
    /// The host port a container publishes (the engine's pick when it was asked for port 0).
    pub async fn published_port(&self, container: &str) -> Result<u16, EngineError> {
        let info = self.docker.inspect_container(container, None).await.map_err(call("inspect", container))?;
        let port = info
            .network_settings
            .and_then(|n| n.ports)
            .into_iter()
            .flat_map(|ports| ports.into_values())
            .flatten()
            .flatten()
            .find_map(|b| b.host_port.and_then(|p| p.parse::<u16>().ok()).filter(|p| *p != 0));
        port.ok_or_else(|| EngineError::Call { action: "read the published port of", target: container.into(), message: "it publishes none".into() })
    }

    pub async fn create_container(&self, spec: &ContainerSpec) -> Result<String, EngineError> {
        let (host_config, exposed) = host_config(spec);
        // Aliases exist only on user-defined networks; "none" has no endpoint to configure.
        let endpoints = (spec.network != "none").then(|| NetworkingConfig {
            endpoints_config: Some(HashMap::from([(
                spec.network.clone(),
                EndpointSettings { aliases: Some(vec![spec.name.clone()]), ..Default::default() },
            )])),
        });
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            hostname: Some(spec.name.clone()),
            labels: Some(spec.labels.clone()),
            env: Some(spec.env.clone()),
            exposed_ports: exposed,
            host_config: Some(host_config),
            networking_config: endpoints,
            cmd: spec.cmd.clone(),
            user: spec.user.clone(),
            ..Default::default()
        };
        let options = CreateContainerOptionsBuilder::default().name(&spec.name).build();
        let created = self.docker.create_container(Some(options), body).await.map_err(conflict_or_call("create container", &spec.name))?;
        Ok(created.id)
    }

    pub async fn start(&self, container: &str) -> Result<(), EngineError> {
        self.docker.start_container(container, None).await.map_err(call("start container", container))
    }

    /// Stops a container as `docker stop` does: SIGTERM, then SIGKILL after `grace`.
    pub async fn stop(&self, container: &str, grace: Duration) -> Result<(), EngineError> {
        let options = StopContainerOptionsBuilder::default().t(grace.as_secs() as i32).build();
        self.docker.stop_container(container, Some(options)).await.map_err(call("stop container", container))
    }

    /// Kills a container at once (SIGKILL), as a crash would.
    pub async fn kill(&self, container: &str) -> Result<(), EngineError> {
        let options = KillContainerOptionsBuilder::default().signal("KILL").build();
        self.docker.kill_container(container, Some(options)).await.map_err(call("kill container", container))
    }

    /// Restarts a container as `docker restart` does: stop (SIGTERM, SIGKILL after `grace`), start.
    pub async fn restart(&self, container: &str, grace: Duration) -> Result<(), EngineError> {
        let options = RestartContainerOptionsBuilder::default().t(grace.as_secs() as i32).build();
        self.docker.restart_container(container, Some(options)).await.map_err(call("restart container", container))
    }

    /// The state of a container and its exit code.
    pub async fn state(&self, container: &str) -> Result<(ContainerState, i64), EngineError> {
        let info = self.docker.inspect_container(container, None).await.map_err(call("inspect container", container))?;
        let state = info.state.unwrap_or_default();
        let status = state.status.map(|s| ContainerState::parse(s.as_ref())).unwrap_or(ContainerState::Unknown);
        Ok((status, state.exit_code.unwrap_or(0)))
    }

    /// Every container carrying the lab label (any lab when `lab` is `None`), sorted by name.
    pub async fn containers(&self, lab: Option<&str>) -> Result<Vec<ContainerInfo>, EngineError> {
        let options = ListContainersOptionsBuilder::default().all(true).filters(&label_filter(lab)).build();
        let list = self.docker.list_containers(Some(options)).await.map_err(call("list containers of lab", lab.unwrap_or("*")))?;
        let mut out: Vec<ContainerInfo> = list
            .into_iter()
            // A swarm task's container inherits the lab label of its lab image: the lab has
            // it as a task of a service (`lab::swarm::tasks`), not as a container of its own.
            .filter(|c| !c.labels.as_ref().is_some_and(|l| l.contains_key(SWARM_TASK_LABEL)))
            .map(|c| {
                let labels = LabLabels::read(&c.labels.unwrap_or_default());
                let network = names::network_name(&labels.lab);
                let address = c
                    .network_settings
                    .and_then(|n| n.networks)
                    .and_then(|mut n| n.remove(&network))
                    .and_then(|e| e.ip_address)
                    .filter(|ip| !ip.is_empty());
                let published = c.ports.unwrap_or_default().into_iter().find_map(|p| Some((p.ip.unwrap_or_default(), p.public_port?)));
                ContainerInfo {
                    id: c.id.unwrap_or_default(),
                    name: c.names.unwrap_or_default().first().map(|n| n.trim_start_matches('/').to_string()).unwrap_or_default(),
                    role: labels.role,
                    index: labels.index,
                    lab: labels.lab,
                    state: c.state.map(|s| ContainerState::parse(s.as_ref())).unwrap_or(ContainerState::Unknown),
                    address,
                    published: published.as_ref().map(|(ip, port)| format!("{ip}:{port}")),
                    published_port: published.map(|(_, port)| port),
                    spec: labels.spec,
                    owner: labels.owner,
                    probe: labels.probe,
                    task: None,
                    node: None,
                    image: None,
                }
            })
            .collect();
        out.sort_by(|a, b| (&a.lab, a.role, a.index, &a.name).cmp(&(&b.lab, b.role, b.index, &b.name)));
        Ok(out)
    }

    /// Who holds a container or network name: `None` when nothing has it, else the value of
    /// its lab label (`Some(None)`: something msmlab did not make).
    pub async fn name_holder(&self, kind: NameKind, name: &str) -> Result<Option<Option<String>>, EngineError> {
        match kind {
            NameKind::Container => match self.docker.inspect_container(name, None).await {
                Ok(c) => Ok(Some(c.config.and_then(|c| c.labels).and_then(|mut l| l.remove(LAB_LABEL)))),
                Err(e) if is_not_found(&e) => Ok(None),
                Err(e) => Err(call("inspect container", name)(e)),
            },
            NameKind::Network => {
                // The engine's name filter matches substrings: keep the exact name only.
                let filters = HashMap::from([("name".to_string(), vec![name.to_string()])]);
                let options = ListNetworksOptionsBuilder::default().filters(&filters).build();
                let list = self.docker.list_networks(Some(options)).await.map_err(call("list networks named", name))?;
                Ok(list
                    .into_iter()
                    .find(|n| n.name.as_deref() == Some(name))
                    .map(|n| n.labels.and_then(|mut l| l.remove(LAB_LABEL))))
            }
        }
    }

    /// Removes a container, running or not, with its anonymous volumes; gone already is fine.
    ///
    /// A removal already under way (a process stopped in the middle of its own cleanup, such as
    /// an `up` hit by a second Ctrl-C) is waited for rather than reported as a failure.
    pub async fn remove_container(&self, id: &str) -> Result<(), EngineError> {
        let options = RemoveContainerOptionsBuilder::default().force(true).v(true).build();
        match self.docker.remove_container(id, Some(options)).await {
            Err(e) if is_status(&e, 409, "already in progress") => {
                for _ in 0..REMOVAL_WAIT_STEPS {
                    match self.docker.inspect_container(id, None).await {
                        Err(e) if is_not_found(&e) => return Ok(()),
                        _ => tokio::time::sleep(REMOVAL_WAIT_STEP).await,
                    }
                }
                Err(call("remove container", id)(e))
            }
            Err(e) if !is_not_found(&e) => Err(call("remove container", id)(e)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_states_read_and_print_as_the_engine_names_them() {
        for name in ["created", "running", "paused", "restarting", "removing", "exited", "dead"] {
            assert_eq!(ContainerState::parse(name).to_string(), name);
        }
        assert_eq!(ContainerState::parse("something new"), ContainerState::Unknown);
        assert!(ContainerState::parse("running").is_running() && !ContainerState::parse("exited").is_running());
        assert_eq!(serde_json::to_string(&ContainerState::Exited).unwrap(), "\"exited\"");
    }

    fn spec(publish: Option<(String, u16, u16)>) -> ContainerSpec {
        ContainerSpec {
            name: "msmlab-t-tomcat-1".into(),
            image: "img".into(),
            labels: HashMap::new(),
            network: "msmlab-t".into(),
            env: vec![],
            publish,
            ..Default::default()
        }
    }

    #[test]
    fn images_that_switch_users_themselves_keep_the_default_capabilities_but_nothing_more() {
        let (hc, _) = host_config(&ContainerSpec { privileges: Privileges::ImageDefault, ..spec(None) });
        assert_eq!(hc.cap_drop, None);
        assert_eq!(hc.cap_add, None);
        assert_eq!(hc.privileged, Some(false));
        assert_eq!(hc.security_opt, Some(vec!["no-new-privileges".to_string()]));
        assert!(hc.binds.is_none() && hc.mounts.is_none());
    }

    #[test]
    fn lab_containers_get_no_privilege_no_capability_and_no_host_mount() {
        let (hc, exposed) = host_config(&spec(None));
        assert_eq!(hc.privileged, Some(false));
        assert_eq!(hc.cap_drop, Some(vec!["ALL".to_string()]));
        assert_eq!(hc.cap_add, None);
        assert_eq!(hc.security_opt, Some(vec!["no-new-privileges".to_string()]));
        assert!(hc.binds.is_none() && hc.mounts.is_none() && hc.volumes_from.is_none());
        assert!(hc.port_bindings.is_none() && exposed.is_none(), "an unpublished container publishes nothing");
        assert_ne!(hc.network_mode.as_deref(), Some("host"));
    }

    #[test]
    fn a_published_port_is_bound_to_the_given_address_only() {
        let (hc, exposed) = host_config(&spec(Some(("127.0.0.1".into(), 13355, 13355))));
        assert_eq!(exposed, Some(vec!["13355/tcp".to_string()]));
        let bindings = hc.port_bindings.unwrap();
        assert_eq!(bindings.len(), 1);
        let b = &bindings["13355/tcp"].as_ref().unwrap()[0];
        assert_eq!((b.host_ip.as_deref(), b.host_port.as_deref()), (Some("127.0.0.1"), Some("13355")));
    }
}
