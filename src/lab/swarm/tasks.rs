//! A swarm lab's tasks seen as its containers, so that `status`, `verify` and the health
//! check read a swarm lab as they read one on a single engine: a Tomcat task is named by its
//! hostname (`msmlab-<lab>-tomcat-<slot>`, what the test page reports), the other roles by
//! their service (their DNS name), and each carries its task id and its node.

use std::collections::HashMap;

use crate::engine::swarm::{ServiceInfo, SwarmState, TaskInfo};
use crate::engine::{ContainerInfo, ContainerState, Engine, EngineError};
use crate::labspec::names::Role;

/// A task's state as a container state: running, on its way (created), or ended (exited).
pub fn state_of(task: &TaskInfo) -> ContainerState {
    match task.state.as_str() {
        "running" if task.desired == "running" => ContainerState::Running,
        "new" | "allocated" | "pending" | "assigned" | "accepted" | "preparing" | "ready" | "starting" => ContainerState::Created,
        "running" => ContainerState::Removing,
        _ => ContainerState::Exited,
    }
}

/// One entry per replica of each service: its current task (the one Swarm wants running),
/// or, while there is none, the slot as not running.
pub async fn containers(engine: &Engine, services: &[ServiceInfo]) -> Result<Vec<ContainerInfo>, EngineError> {
    if services.is_empty() {
        return Ok(Vec::new());
    }
    let hostnames: HashMap<String, String> = match engine.swarm().await? {
        SwarmState::Manager(s) => s.nodes.into_iter().map(|n| (n.id, n.hostname)).collect(),
        _ => HashMap::new(),
    };
    let mut out = Vec::new();
    for s in services {
        let tasks = engine.tasks(&s.id).await?;
        for slot in 1..=s.replicas.max(1) {
            let current = tasks.iter().filter(|t| t.slot == slot && t.desired == "running").max_by_key(|t| t.state == "running");
            let tomcat = s.role == Some(Role::Tomcat);
            let name = if tomcat { format!("{}-{slot}", s.name) } else { s.name.clone() };
            out.push(ContainerInfo {
                id: current.map(|t| t.id.clone()).unwrap_or_default(),
                name,
                lab: s.lab.clone(),
                role: s.role,
                index: if tomcat { slot.min(u8::MAX as u64) as u8 } else { s.index },
                state: current.map_or(ContainerState::Created, state_of),
                address: None,
                published: s.published.map(|p| format!("0.0.0.0:{p}")),
                published_port: s.published,
                spec: s.spec.clone(),
                owner: s.owner.clone(),
                probe: s.probe.clone(),
                task: current.map(|t| t.id.clone()),
                node: current.and_then(|t| hostnames.get(&t.node_id).cloned()),
                image: Some(s.image.clone()),
            });
        }
    }
    Ok(out)
}

/// Removes services and waits (up to `SETTLE`) until Swarm has removed their tasks' containers
/// on this node, which hold the lab's images (their tags can go only then); the network's
/// removal waits for the other nodes' (`Engine::remove_network`).
pub async fn remove(engine: &Engine, services: &[ServiceInfo]) -> Result<(), EngineError> {
    for s in services {
        engine.remove_service(&s.id).await?;
    }
    let deadline = tokio::time::Instant::now() + SETTLE;
    for s in services {
        while tokio::time::Instant::now() < deadline && engine.task_containers(&s.id).await? > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    }
    Ok(())
}

/// How long removed services' tasks may take to go: each stops within its 2 s grace.
const SETTLE: std::time::Duration = std::time::Duration::from_secs(30);

#[cfg(test)]
mod tests {
    use super::*;

    fn task(state: &str, desired: &str) -> TaskInfo {
        TaskInfo { id: "t".into(), service_id: "s".into(), slot: 1, node_id: "n".into(), state: state.into(), desired: desired.into(), message: String::new() }
    }

    #[test]
    fn task_states_read_as_container_states() {
        assert_eq!(state_of(&task("running", "running")), ContainerState::Running);
        assert_eq!(state_of(&task("preparing", "running")), ContainerState::Created);
        assert_eq!(state_of(&task("running", "shutdown")), ContainerState::Removing);
        assert_eq!(state_of(&task("failed", "shutdown")), ContainerState::Exited);
    }
}
