//! The only module that talks to the Docker engine.
//!
//! It offers a few verbs in lab terms (ensure an image, create a network, create a container
//! with files uploaded, find what carries a label, remove it) and turns every failed call into
//! an error that names what failed. Files reach containers as tar uploads through the API,
//! never through bind mounts, so a remote `DOCKER_HOST` works the same.

pub mod endpoint;
pub mod registry;
pub mod swarm;

use endpoint::Endpoint;
use std::collections::HashMap;
use std::time::Duration;

use bollard::container::LogOutput;
use bollard::errors::Error as BollardError;
use bollard::exec::{CreateExecOptions, StartExecResults};
use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest, NetworkingConfig, PortBinding,
};
use bollard::query_parameters::{
    BuildImageOptionsBuilder, CreateContainerOptionsBuilder, CreateImageOptionsBuilder, DownloadFromContainerOptionsBuilder,
    KillContainerOptionsBuilder, ListContainersOptionsBuilder, ListImagesOptionsBuilder, ListNetworksOptionsBuilder,
    ListVolumesOptionsBuilder, LogsOptionsBuilder, RemoveContainerOptionsBuilder, RestartContainerOptionsBuilder,
    StopContainerOptionsBuilder, UploadToContainerOptionsBuilder, WaitContainerOptionsBuilder,
};
use bollard::{body_full, Docker};
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use serde::Serialize;

use crate::exit::{Classified, ExitStatus};
use crate::labspec::names::{self, Role, INDEX_LABEL, LAB_LABEL, OWNER_LABEL, ROLE_LABEL, SPEC_LABEL};

/// What `log_lines` asks for: both streams, from `since` (Unix seconds; 0: the start), the last
/// `tail` lines.
fn log_options(follow: bool, since: i64, tail: Option<u32>, timestamps: bool) -> bollard::query_parameters::LogsOptions {
    let mut options = LogsOptionsBuilder::default().stdout(true).stderr(true).follow(follow).timestamps(timestamps);
    if since > 0 {
        options = options.since(since.min(i32::MAX as i64) as i32);
    }
    let tail = tail.map_or_else(|| "all".to_string(), |t| t.to_string());
    options.tail(&tail).build()
}

/// The label Swarm puts on the container of a task.
const SWARM_TASK_LABEL: &str = "com.docker.swarm.task.id";
/// Longest a probe run with `exec` may take; probes answer in milliseconds when all is well.
const EXEC_TIMEOUT: Duration = Duration::from_secs(15);
/// Oldest engine API msmlab speaks: Docker 20.10 (Debian bookworm's docker.io). Older engines
/// lack fields msmlab sends (e.g. network aliases on create) and are refused up front.
pub const MIN_API: (usize, usize) = (1, 41);

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(
        "cannot reach the Docker engine at {host} ({message}); start it (`sudo dockerd &` or \
         `systemctl start docker`), or point DOCKER_HOST at a running engine"
    )]
    Unreachable { host: String, message: String },
    #[error(
        "the Docker engine at {host} is too old: it speaks API {api} (Docker {version}) and msmlab needs \
         API {}.{} (Docker 20.10) or newer; upgrade it, or point DOCKER_HOST at a newer engine", MIN_API.0, MIN_API.1
    )]
    TooOld { host: String, api: String, version: String },
    #[error(
        "lost the Docker engine while trying to {action} {target} ({message}); once it answers again, \
         run the command again (`msmlab up` removes what an interrupted run left and starts over)"
    )]
    Lost { action: &'static str, target: String, message: String },
    #[error("{action} {target}: {message}")]
    Call { action: &'static str, target: String, message: String },
    /// The name is taken already (HTTP 409): by another run that is making the same lab.
    #[error("{action} {target}: {message}")]
    Conflict { action: &'static str, target: String, message: String },
    #[error(
        "base image {image} is not on the engine and could not be pulled ({message}).\n  \
         Where no registry answers, make it locally: scripts/base-image.sh {image}"
    )]
    BaseImage { image: String, message: String },
    #[error("building image {tag} failed: {message}\n--- last build output ---\n{log}")]
    Build { tag: String, message: String, log: String },
    #[error(
        "{image} could not be pulled: {message}\n  \
         no registry answered for it: use the images msmlab builds itself (--images built, the default), \
         or pull from a registry that has it with --registry HOST:PORT (MSMLAB_REGISTRY)"
    )]
    Pull { image: String, message: String },
    #[error(
        "pushing {image} failed: {message}\n  \
         every node of the swarm pulls the lab's images from the registry --push-to names: check that it \
         answers there, and that each node's dockerd trusts it (--insecure-registry for plain HTTP)"
    )]
    Push { image: String, message: String },
}

fn call(action: &'static str, target: impl Into<String>) -> impl FnOnce(BollardError) -> EngineError {
    let target = target.into();
    move |e| {
        if is_connection_error(&e) {
            EngineError::Lost { action, target, message: short(&e) }
        } else {
            EngineError::Call { action, target, message: short(&e) }
        }
    }
}

/// Whether the call failed for want of an engine (socket gone, connection refused or cut,
/// no answer), rather than the engine refusing it.
fn is_connection_error(e: &BollardError) -> bool {
    matches!(
        e,
        BollardError::IOError { .. }
            | BollardError::HyperLegacyError { .. }
            | BollardError::HyperResponseError { .. }
            | BollardError::RequestTimeoutError
            | BollardError::SocketNotFoundError(_)
    )
}

impl EngineError {
    /// True when the engine answered 409: the name is taken already, by another run that is
    /// making the same lab.
    pub fn is_conflict(&self) -> bool {
        matches!(self, EngineError::Conflict { .. })
    }

    /// True when the engine could not be reached at all (at connect time or mid-run).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, EngineError::Unreachable { .. } | EngineError::Lost { .. })
    }
}

/// The engine's own message, without bollard's wrapping.
fn short(e: &BollardError) -> String {
    match e {
        BollardError::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// How long a removal someone else started may take to finish: 50 × 200 ms.
const REMOVAL_WAIT_STEPS: u32 = 50;
const REMOVAL_WAIT_STEP: Duration = Duration::from_millis(200);

/// The engine refused with this status and a message containing `needle`.
fn is_status(e: &BollardError, status: u16, needle: &str) -> bool {
    matches!(e, BollardError::DockerResponseServerError { status_code, message } if *status_code == status && message.contains(needle))
}

/// `call`, but a name that is taken (409) is a `Conflict`.
fn conflict_or_call(action: &'static str, target: impl Into<String>) -> impl FnOnce(BollardError) -> EngineError {
    let target = target.into();
    move |e| match e {
        BollardError::DockerResponseServerError { status_code: 409, ref message } => EngineError::Conflict { action, target, message: message.clone() },
        e => call(action, target)(e),
    }
}

fn is_not_found(e: &BollardError) -> bool {
    matches!(e, BollardError::DockerResponseServerError { status_code: 404, .. })
}

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

/// The engine's version, as `doctor` and `-v` report it.
#[derive(Debug, Clone, Serialize)]
pub struct EngineVersion {
    pub host: String,
    pub version: String,
    pub api_version: String,
    pub os: String,
}

/// One line of a container's log: which stream, and its text without the newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub stderr: bool,
    pub text: String,
}

/// What a pull reports while it runs: bytes done and total over the layers seen so far.
#[derive(Debug, Clone, Default)]
pub struct PullProgress {
    pub layers: usize,
    pub layers_done: usize,
    pub current: u64,
    pub total: u64,
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

/// The two name spaces a lab takes names in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Container,
    Network,
}

/// What a command run in a container printed, and how it ended.
#[derive(Debug, Clone)]
pub struct ExecOutput {
    pub exit_code: i64,
    pub stdout: Vec<u8>,
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

#[derive(Clone)]
pub struct Engine {
    docker: Docker,
    endpoint: Endpoint,
}

impl Engine {
    /// Connects to the engine the docker CLI would use (`endpoint`: `DOCKER_HOST`, contexts,
    /// the rootless socket) and negotiates the API version.
    pub async fn connect() -> Result<Engine, EngineError> {
        let endpoint = Endpoint::resolve(&endpoint::Real).map_err(|e| EngineError::Unreachable { host: "(none)".into(), message: e.to_string() })?;
        Engine::connect_endpoint(endpoint).await
    }

    /// Connects to `host` (`unix://…`, `tcp://…`), and refuses an engine older than `MIN_API`:
    /// the unit tests' door to a fake engine.
    #[cfg(test)]
    pub async fn connect_to(host: &str) -> Result<Engine, EngineError> {
        Engine::connect_endpoint(Endpoint { host: host.into(), tls: None, how: "given".into(), host_override: None }).await
    }

    async fn connect_endpoint(endpoint: Endpoint) -> Result<Engine, EngineError> {
        let host = endpoint.host.clone();
        let unreachable = |e: BollardError| EngineError::Unreachable { host: host.clone(), message: short(&e) };
        let docker = match &endpoint.tls {
            Some(tls) => Docker::connect_with_ssl(&host, &tls.key, &tls.cert, &tls.ca, 120, bollard::API_DEFAULT_VERSION).map_err(unreachable)?,
            None => Docker::connect_with_host(&host).map_err(unreachable)?,
        };
        let docker = docker.negotiate_version().await.map_err(unreachable)?;
        let api = docker.client_version();
        if (api.major_version, api.minor_version) < MIN_API {
            let version = docker.version().await.ok().and_then(|v| v.version).unwrap_or_else(|| "unknown".into());
            return Err(EngineError::TooOld { host: host.clone(), api: format!("{}.{}", api.major_version, api.minor_version), version });
        }
        docker.ping().await.map_err(unreachable)?;
        Ok(Engine { docker, endpoint })
    }

    /// Whether the engine runs on this machine (a unix socket), so that what it publishes on
    /// 127.0.0.1 is this machine's loopback.
    pub fn is_local(&self) -> bool {
        self.endpoint.is_local()
    }

    /// Where a port the engine publishes is reached from here (`None`: a local engine, at the
    /// address it publishes on).
    pub fn reach_host(&self) -> Option<String> {
        self.endpoint.reach_host()
    }

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

    /// How the engine was found ("DOCKER_HOST", "docker context ci", "the default socket").
    pub fn found_by(&self) -> &str {
        &self.endpoint.how
    }

    /// The id of a local image, or `None` when the engine does not have it.
    pub async fn image_id(&self, image: &str) -> Result<Option<String>, EngineError> {
        match self.docker.inspect_image(image).await {
            Ok(i) => Ok(i.id),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(call("inspect image", image)(e)),
        }
    }

    /// The id of the base image, pulled first if the engine lacks it.
    pub async fn ensure_base_image(&self, image: &str) -> Result<String, EngineError> {
        if let Some(id) = self.image_id(image).await? {
            return Ok(id);
        }
        let options = CreateImageOptionsBuilder::default().from_image(image).build();
        let mut pull = self.docker.create_image(Some(options), None, None);
        while let Some(step) = pull.next().await {
            if let Err(e) = step {
                return Err(EngineError::BaseImage { image: image.into(), message: short(&e) });
            }
        }
        self.image_id(image)
            .await?
            .ok_or_else(|| EngineError::BaseImage { image: image.into(), message: "the pull ended without the image".into() })
    }

    /// Builds an image from an in-memory tar context with the classic builder; `on_line`
    /// receives each line of the build's output as it comes.
    pub async fn build_image(
        &self,
        tag: &str,
        context: Vec<u8>,
        labels: &HashMap<String, String>,
        mut on_line: impl FnMut(&str),
    ) -> Result<(), EngineError> {
        let options = BuildImageOptionsBuilder::default().t(tag).rm(true).forcerm(true).labels(labels).build();
        let mut stream = self.docker.build_image(options, None, Some(body_full(context.into())));
        let mut log: Vec<String> = Vec::new();
        while let Some(item) = stream.next().await {
            let fail = |message: String, log: &[String]| EngineError::Build {
                tag: tag.into(),
                message,
                log: log[log.len().saturating_sub(15)..].join(""),
            };
            match item {
                Ok(info) => {
                    if let Some(line) = info.stream {
                        for l in line.lines().map(str::trim).filter(|l| !l.is_empty()) {
                            on_line(l);
                        }
                        log.push(line);
                    }
                    if let Some(detail) = info.error_detail {
                        return Err(fail(detail.message.unwrap_or_default(), &log));
                    }
                }
                Err(e) => return Err(fail(short(&e), &log)),
            }
        }
        Ok(())
    }

    /// Removes untagged images that carry `label`: the layers an interrupted or failed build
    /// left (msmlab's Dockerfiles label every layer). A build that was cut off is still being
    /// wound down by the engine for a moment: its step's container (which inherits the label)
    /// holds the last layer, so this waits, up to `settle`, until no such container is left.
    /// Returns how many images went.
    pub async fn prune_dangling_images(&self, label: &str, settle: Duration) -> Result<usize, EngineError> {
        let deadline = tokio::time::Instant::now() + settle;
        loop {
            let filters = HashMap::from([("label".to_string(), vec![label.to_string()])]);
            let options = ListContainersOptionsBuilder::default().all(true).filters(&filters).build();
            let listed = self.docker.list_containers(Some(options)).await.map_err(call("list build containers labelled", label.to_string()))?;
            // Lab containers inherit the image's label too; a build's own carry no lab.
            let building = listed.iter().filter(|c| !c.labels.as_ref().is_some_and(|l| l.contains_key(LAB_LABEL))).count();
            if building == 0 || tokio::time::Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let filters = HashMap::from([("dangling".to_string(), vec!["true".to_string()]), ("label".to_string(), vec![label.to_string()])]);
        let options = bollard::query_parameters::PruneImagesOptionsBuilder::default().filters(&filters).build();
        let pruned = self.docker.prune_images(Some(options)).await.map_err(call("prune images labelled", label.to_string()))?;
        Ok(pruned.images_deleted.map_or(0, |d| d.iter().filter(|i| i.deleted.is_some()).count()))
    }

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

    /// Unpacks a tar archive into the container at `path` (works before the container starts).
    pub async fn upload(&self, container: &str, path: &str, tar: Vec<u8>) -> Result<(), EngineError> {
        let options = UploadToContainerOptionsBuilder::default().path(path).build();
        self.docker
            .upload_to_container(container, Some(options), body_full(tar.into()))
            .await
            .map_err(call("upload files to", format!("{container}:{path}")))
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

    /// Runs a command (an argv, never a shell string built from values) in a running container,
    /// for at most `EXEC_TIMEOUT`.
    pub async fn exec(&self, container: &str, cmd: &[&str]) -> Result<ExecOutput, EngineError> {
        tokio::time::timeout(EXEC_TIMEOUT, self.exec_unbounded(container, cmd)).await.unwrap_or_else(|_| {
            Err(EngineError::Call {
                action: "exec in",
                target: container.into(),
                message: format!("{:?} did not finish within {}s", cmd.first().unwrap_or(&""), EXEC_TIMEOUT.as_secs()),
            })
        })
    }

    async fn exec_unbounded(&self, container: &str, cmd: &[&str]) -> Result<ExecOutput, EngineError> {
        let options = CreateExecOptions {
            cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let exec = self.docker.create_exec(container, options).await.map_err(call("exec in", container))?;
        let mut stdout = Vec::new();
        if let StartExecResults::Attached { mut output, .. } =
            self.docker.start_exec(&exec.id, None).await.map_err(call("exec in", container))?
        {
            while let Some(chunk) = output.next().await {
                if let LogOutput::StdOut { message } = chunk.map_err(call("exec in", container))? {
                    stdout.extend_from_slice(&message);
                }
            }
        }
        let inspect = self.docker.inspect_exec(&exec.id).await.map_err(call("exec in", container))?;
        Ok(ExecOutput { exit_code: inspect.exit_code.unwrap_or(-1), stdout })
    }

    /// The container's last `lines` lines of output.
    pub async fn logs_tail(&self, container: &str, lines: usize) -> String {
        let options = LogsOptionsBuilder::default().stdout(true).stderr(true).tail(&lines.to_string()).build();
        let mut out = String::new();
        let mut logs = self.docker.logs(container, Some(options));
        while let Some(Ok(chunk)) = logs.next().await {
            out.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
        }
        out
    }

    /// What a lab container (or, on a swarm, a task) wrote at or after `since`.
    pub async fn logs_since_of(&self, c: &ContainerInfo, since: i64) -> Result<String, EngineError> {
        match &c.task {
            Some(task) => self.task_logs_since(task, since).await,
            None => self.logs_since(&c.name, since).await,
        }
    }

    /// The container's output written at or after `since` (Unix seconds; the engine counts whole
    /// seconds, so up to a second before `since` may be included).
    pub async fn logs_since(&self, container: &str, since: i64) -> Result<String, EngineError> {
        let options = LogsOptionsBuilder::default().stdout(true).stderr(true).since(since as i32).build();
        let mut out = String::new();
        let mut logs = self.docker.logs(container, Some(options));
        while let Some(chunk) = logs.next().await {
            out.push_str(&String::from_utf8_lossy(&chunk.map_err(call("read logs of", container))?.into_bytes()));
        }
        Ok(out)
    }

    /// Follows the container's output until a line contains `needle` and returns that line;
    /// `None` when the output ends (the container stopped) or `timeout` passes first.
    pub async fn wait_for_log(&self, container: &str, needle: &str, timeout: Duration) -> Result<Option<String>, EngineError> {
        self.wait_for_log_since(container, needle, 0, timeout).await
    }

    /// As `wait_for_log`, reading only what was written at or after `since` (Unix seconds), so a
    /// restarted container's earlier run does not count.
    pub async fn wait_for_log_since(
        &self,
        container: &str,
        needle: &str,
        since: i64,
        timeout: Duration,
    ) -> Result<Option<String>, EngineError> {
        let options = LogsOptionsBuilder::default().stdout(true).stderr(true).follow(true).since(since as i32).build();
        let mut logs = self.docker.logs(container, Some(options));
        let search = async {
            let mut pending = String::new();
            while let Some(chunk) = logs.next().await {
                let chunk = chunk.map_err(call("read logs of", container))?;
                pending.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
                if let Some(line) = pending.lines().find(|l| l.contains(needle)) {
                    return Ok(Some(line.trim().to_string()));
                }
                // Keep only the unfinished last line: the needle never spans lines.
                if let Some(nl) = pending.rfind('\n') {
                    pending.drain(..=nl);
                }
            }
            Ok(None)
        };
        tokio::time::timeout(timeout, search).await.unwrap_or(Ok(None))
    }

    /// The state of a container and its exit code.
    pub async fn state(&self, container: &str) -> Result<(ContainerState, i64), EngineError> {
        let info = self.docker.inspect_container(container, None).await.map_err(call("inspect container", container))?;
        let state = info.state.unwrap_or_default();
        let status = state.status.map(|s| ContainerState::parse(s.as_ref())).unwrap_or(ContainerState::Unknown);
        Ok((status, state.exit_code.unwrap_or(0)))
    }

    pub(crate) fn label_filter(lab: Option<&str>) -> HashMap<String, Vec<String>> {
        let value = match lab {
            Some(lab) => format!("{LAB_LABEL}={lab}"),
            None => LAB_LABEL.to_string(),
        };
        HashMap::from([("label".to_string(), vec![value])])
    }

    /// Every container carrying the lab label (any lab when `lab` is `None`), sorted by name.
    pub async fn containers(&self, lab: Option<&str>) -> Result<Vec<ContainerInfo>, EngineError> {
        let options = ListContainersOptionsBuilder::default().all(true).filters(&Self::label_filter(lab)).build();
        let list = self.docker.list_containers(Some(options)).await.map_err(call("list containers of lab", lab.unwrap_or("*")))?;
        let mut out: Vec<ContainerInfo> = list
            .into_iter()
            // A swarm task's container inherits the lab label of its lab image: the lab has
            // it as a task of a service (`lab::swarm::tasks`), not as a container of its own.
            .filter(|c| !c.labels.as_ref().is_some_and(|l| l.contains_key(SWARM_TASK_LABEL)))
            .map(|c| {
                let labels = c.labels.unwrap_or_default();
                let lab = labels.get(LAB_LABEL).cloned().unwrap_or_default();
                let network = names::network_name(&lab);
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
                    role: labels.get(ROLE_LABEL).and_then(|r| Role::parse(r)),
                    index: labels.get(INDEX_LABEL).and_then(|i| i.parse().ok()).unwrap_or(0),
                    lab,
                    state: c.state.map(|s| ContainerState::parse(s.as_ref())).unwrap_or(ContainerState::Unknown),
                    address,
                    published: published.as_ref().map(|(ip, port)| format!("{ip}:{port}")),
                    published_port: published.map(|(_, port)| port),
                    spec: labels.get(SPEC_LABEL).cloned(),
                    owner: labels.get(OWNER_LABEL).cloned(),
                    task: None,
                    node: None,
                    image: None,
                }
            })
            .collect();
        out.sort_by(|a, b| (&a.lab, a.role, a.index, &a.name).cmp(&(&b.lab, b.role, b.index, &b.name)));
        Ok(out)
    }

    pub async fn networks(&self, lab: Option<&str>) -> Result<Vec<Resource>, EngineError> {
        let options = ListNetworksOptionsBuilder::default().filters(&Self::label_filter(lab)).build();
        let list = self.docker.list_networks(Some(options)).await.map_err(call("list networks of lab", lab.unwrap_or("*")))?;
        Ok(list
            .into_iter()
            .map(|n| {
                let labels = n.labels.unwrap_or_default();
                Resource {
                    id: n.id.unwrap_or_default(),
                    name: n.name.unwrap_or_default(),
                    lab: labels.get(LAB_LABEL).cloned().unwrap_or_default(),
                    owner: labels.get(OWNER_LABEL).cloned(),
                }
            })
            .collect())
    }

    pub async fn volumes(&self, lab: Option<&str>) -> Result<Vec<Resource>, EngineError> {
        let options = ListVolumesOptionsBuilder::default().filters(&Self::label_filter(lab)).build();
        let list = self.docker.list_volumes(Some(options)).await.map_err(call("list volumes of lab", lab.unwrap_or("*")))?;
        Ok(list
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| Resource { id: v.name.clone(), name: v.name, lab: v.labels.get(LAB_LABEL).cloned().unwrap_or_default(), owner: v.labels.get(OWNER_LABEL).cloned() })
            .collect())
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

    /// The engine's version and API version.
    pub async fn version(&self) -> Result<EngineVersion, EngineError> {
        let v = self.docker.version().await.map_err(call("ask the version of", &self.endpoint.host))?;
        Ok(EngineVersion {
            host: self.endpoint.host.clone(),
            version: v.version.unwrap_or_default(),
            api_version: v.api_version.unwrap_or_default(),
            os: format!("{}/{}", v.os.unwrap_or_default(), v.arch.unwrap_or_default()),
        })
    }

    /// Tags of the local images carrying `label`.
    pub async fn images_with_label(&self, label: &str) -> Result<Vec<String>, EngineError> {
        let filters = HashMap::from([("label".to_string(), vec![label.to_string()])]);
        let options = ListImagesOptionsBuilder::default().filters(&filters).build();
        let list = self.docker.list_images(Some(options)).await.map_err(call("list images labelled", label))?;
        let mut tags: Vec<String> = list.into_iter().flat_map(|i| i.repo_tags).filter(|t| t != "<none>:<none>").collect();
        tags.sort();
        Ok(tags)
    }

    /// Asks the registry, through the engine, for an image's manifest: whether a registry
    /// answers for it, without pulling anything.
    pub async fn registry_has(&self, image: &str) -> Result<(), EngineError> {
        self.docker
            .inspect_registry_image(image, None)
            .await
            .map(|_| ())
            .map_err(|e| EngineError::Pull { image: image.into(), message: short(&e) })
    }

    /// Pulls an image, reporting progress; an image the engine has already is not pulled.
    pub async fn pull(&self, image: &str, mut progress: impl FnMut(&PullProgress)) -> Result<bool, EngineError> {
        if self.image_id(image).await?.is_some() {
            return Ok(false);
        }
        let options = CreateImageOptionsBuilder::default().from_image(image).build();
        let mut pull = self.docker.create_image(Some(options), None, None);
        let mut layers: HashMap<String, (u64, u64, bool)> = HashMap::new();
        while let Some(step) = pull.next().await {
            let info = step.map_err(|e| EngineError::Pull { image: image.into(), message: short(&e) })?;
            let (Some(id), Some(status)) = (info.id, info.status) else { continue };
            let layer = layers.entry(id).or_default();
            if let Some(d) = info.progress_detail {
                if status == "Downloading" {
                    layer.0 = d.current.unwrap_or(0).max(0) as u64;
                    layer.1 = d.total.unwrap_or(0).max(0) as u64;
                }
            }
            if matches!(status.as_str(), "Pull complete" | "Already exists" | "Download complete") {
                layer.0 = layer.1;
                layer.2 = status != "Download complete";
            }
            progress(&PullProgress {
                layers: layers.len(),
                layers_done: layers.values().filter(|l| l.2).count(),
                current: layers.values().map(|l| l.0).sum(),
                total: layers.values().map(|l| l.1).sum(),
            });
        }
        if self.image_id(image).await?.is_none() {
            return Err(EngineError::Pull { image: image.into(), message: "the pull ended without the image".into() });
        }
        Ok(true)
    }

    /// A container's log as lines, from `since` (Unix seconds; 0: the start), the last `tail`
    /// lines of it, with the engine's RFC 3339 timestamp first when `timestamps` is set, and
    /// going on while the container runs when `follow` is set.
    pub fn log_lines(&self, container: &str, follow: bool, since: i64, tail: Option<u32>, timestamps: bool) -> BoxStream<'static, Result<LogLine, EngineError>> {
        let options = log_options(follow, since, tail, timestamps);
        let docker = self.docker.clone();
        let name = container.to_string();
        let chunks = docker.logs(&name, Some(options)).boxed();
        Self::lines(chunks, name, docker)
    }

    /// `log_lines` of a lab container, or on a swarm of a task (read through the manager).
    pub fn log_lines_of(&self, c: &ContainerInfo, follow: bool, since: i64, tail: Option<u32>, timestamps: bool) -> BoxStream<'static, Result<LogLine, EngineError>> {
        let Some(task) = &c.task else {
            return self.log_lines(&c.name, follow, since, tail, timestamps);
        };
        let options = log_options(follow, since, tail, timestamps);
        let docker = self.docker.clone();
        let chunks = docker.task_logs(task, Some(options)).boxed();
        Self::lines(chunks, c.name.clone(), docker)
    }

    /// A file of an image as a tar, read from a container created (not started) from it: on a
    /// swarm, the files a lab's image carries, whichever node runs its task.
    pub async fn download_from_image(&self, image: &str, name: &str, path: &str) -> Result<Vec<u8>, EngineError> {
        let spec = ContainerSpec { name: name.into(), image: image.into(), network: "none".into(), ..Default::default() };
        let id = self.create_container(&spec).await?;
        let tar = self.download(&id, path).await;
        let _ = self.remove_container(&id).await;
        tar
    }

    fn lines(
        chunks: BoxStream<'static, Result<LogOutput, BollardError>>,
        name: String,
        docker: Docker,
    ) -> BoxStream<'static, Result<LogLine, EngineError>> {
        // Frames are writes, not lines: keep an unfinished line per stream until its newline.
        let state = (chunks, [String::new(), String::new()], std::collections::VecDeque::<LogLine>::new(), name, docker);
        futures_util::stream::unfold(state, |(mut chunks, mut pending, mut ready, name, docker)| async move {
            loop {
                if let Some(line) = ready.pop_front() {
                    return Some((Ok(line), (chunks, pending, ready, name, docker)));
                }
                match chunks.next().await {
                    Some(Ok(chunk)) => {
                        let stderr = matches!(chunk, LogOutput::StdErr { .. });
                        let buf = &mut pending[stderr as usize];
                        buf.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
                        while let Some(nl) = buf.find('\n') {
                            let text: String = buf.drain(..=nl).collect();
                            ready.push_back(LogLine { stderr, text: text.trim_end_matches(['\n', '\r']).to_string() });
                        }
                    }
                    Some(Err(e)) => {
                        let err = call("read logs of", name.clone())(e);
                        return Some((Err(err), (futures_util::stream::empty().boxed(), pending, ready, name, docker)));
                    }
                    None => {
                        for (i, buf) in pending.iter_mut().enumerate() {
                            if !buf.is_empty() {
                                ready.push_back(LogLine { stderr: i == 1, text: std::mem::take(buf) });
                            }
                        }
                        if ready.is_empty() {
                            return None;
                        }
                    }
                }
            }
        })
        .boxed()
    }

    /// A file or directory of a container (running or not), as a tar archive.
    pub async fn download(&self, container: &str, path: &str) -> Result<Vec<u8>, EngineError> {
        let options = DownloadFromContainerOptionsBuilder::default().path(path).build();
        let mut stream = self.docker.download_from_container(container, Some(options));
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.map_err(call("download files from", format!("{container}:{path}")))?);
        }
        Ok(out)
    }

    /// Runs a one-off container to its end with `files` uploaded first (path, tar), and
    /// returns its exit code and output. The container is removed whatever happens.
    pub async fn run_to_end(&self, spec: &ContainerSpec, files: Vec<(&str, Vec<u8>)>, timeout: Duration) -> Result<(i64, String), EngineError> {
        let (code, output, _) = self.run_and_collect(spec, files, timeout, None).await?;
        Ok((code, output))
    }

    /// `run_to_end`, and when the container exited 0, `collect` (a path in it) as a tar.
    pub async fn run_and_collect(
        &self,
        spec: &ContainerSpec,
        files: Vec<(&str, Vec<u8>)>,
        timeout: Duration,
        collect: Option<&str>,
    ) -> Result<(i64, String, Option<Vec<u8>>), EngineError> {
        let id = self.create_container(spec).await?;
        let result = async {
            for (path, tar) in files {
                self.upload(&spec.name, path, tar).await?;
            }
            self.start(&spec.name).await?;
            let options = WaitContainerOptionsBuilder::default().condition("not-running").build();
            let mut wait = self.docker.wait_container(&spec.name, Some(options));
            let waited = tokio::time::timeout(timeout, wait.next()).await;
            let code = match waited {
                Err(_) => return Err(EngineError::Call { action: "wait for", target: spec.name.clone(), message: format!("still running after {}s", timeout.as_secs()) }),
                Ok(Some(Ok(r))) => r.status_code,
                // A non-zero exit arrives as an error from bollard; the state has the code.
                Ok(_) => self.state(&spec.name).await?.1,
            };
            let collected = match collect {
                Some(path) if code == 0 => Some(self.download(&spec.name, path).await?),
                _ => None,
            };
            Ok((code, self.logs_tail(&spec.name, 200).await, collected))
        }
        .await;
        let _ = self.remove_container(&id).await;
        result
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

impl Classified for EngineError {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

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

    /// A fake engine on loopback that answers `/version` with the given API version, and
    /// `/_ping` with OK, one request per connection.
    async fn fake_engine(api: &'static str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = vec![0u8; 4096];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let body = if request.contains("/version") {
                    format!(r#"{{"Version":"1.12.6","ApiVersion":"{api}","MinAPIVersion":"1.12","Os":"linux"}}"#)
                } else {
                    "OK".to_string()
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(body.as_bytes()).await;
            }
        });
        format!("tcp://{addr}")
    }

    #[tokio::test]
    async fn an_engine_that_is_too_old_is_refused_with_what_to_do() {
        let host = fake_engine("1.24").await;
        let err = Engine::connect_to(&host).await.err().expect("API 1.24 is refused");
        let msg = err.to_string();
        assert!(matches!(err, EngineError::TooOld { .. }), "{msg}");
        assert!(msg.contains("speaks API 1.24 (Docker 1.12.6)"), "{msg}");
        assert!(msg.contains("needs API 1.41 (Docker 20.10) or newer; upgrade it"), "{msg}");
        assert!(!msg.contains('\n'), "one line: {msg}");
    }

    #[tokio::test]
    async fn an_engine_with_api_1_41_is_accepted() {
        let host = fake_engine("1.41").await;
        let engine = Engine::connect_to(&host).await.unwrap();
        assert!(!engine.is_local());
    }

    #[tokio::test]
    async fn no_engine_is_a_one_line_error_that_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let host = format!("unix://{}/docker.sock", dir.path().display());
        let err = Engine::connect_to(&host).await.err().expect("no socket, no engine");
        let msg = err.to_string();
        assert!(err.is_unreachable(), "{msg}");
        assert!(msg.starts_with(&format!("cannot reach the Docker engine at {host}")), "{msg}");
        assert!(msg.contains("point DOCKER_HOST at a running engine"), "{msg}");
        assert!(!msg.contains('\n'), "one line: {msg}");
    }
}
