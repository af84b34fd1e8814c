//! Where each service of a lab runs on a swarm, decided from the nodes alone (no I/O).
//!
//! nginx runs on the node msmlab talks to (its host-mode port is then where the engine's host
//! is, as on a single engine). Store node i runs on the i-th node, so that losing a host costs
//! at most one store node where there are enough hosts. The Tomcats keep off the hosts of
//! nginx and the store when at least two others are left: then the node drill, which takes
//! away a Tomcat's host, tests the Tomcats and nothing else.

use crate::engine::swarm::{Swarm, SwarmNode};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The node nginx runs on.
    pub nginx: String,
    /// The node of each store node, in order (n1, n2, …).
    pub stores: Vec<String>,
    /// Nodes the Tomcats must not run on (placement constraints `node.id!=…`).
    pub tomcats_avoid: Vec<String>,
    /// How many nodes can take the Tomcats.
    pub tomcat_hosts: usize,
}

/// The nodes that take tasks: active and ready, this one first, then by hostname.
pub fn usable(swarm: &Swarm) -> Vec<&SwarmNode> {
    let mut nodes: Vec<&SwarmNode> = swarm.nodes.iter().filter(|n| n.availability == "active" && n.state == "ready").collect();
    nodes.sort_by_key(|n| (n.id != swarm.node_id, n.hostname.clone()));
    nodes
}

pub fn layout(swarm: &Swarm, store_nodes: usize) -> Layout {
    let nodes = usable(swarm);
    let id = |i: usize| nodes.get(i % nodes.len().max(1)).map(|n| n.id.clone()).unwrap_or_else(|| swarm.node_id.clone());
    let nginx = id(0);
    let stores: Vec<String> = (0..store_nodes).map(id).collect();
    let all: Vec<String> = nodes.iter().map(|n| n.id.clone()).collect();
    let free = |avoid: &[String]| all.iter().filter(|n| !avoid.contains(n)).count();
    let mut busy: Vec<String> = stores.iter().chain([&nginx]).cloned().collect();
    busy.sort();
    busy.dedup();
    let tomcats_avoid = if free(&busy) >= 2 {
        busy
    } else if free(std::slice::from_ref(&nginx)) >= 2 {
        vec![nginx.clone()]
    } else {
        Vec::new()
    };
    let tomcat_hosts = free(&tomcats_avoid).max(1);
    Layout { nginx, stores, tomcats_avoid, tomcat_hosts }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn swarm(n: usize) -> Swarm {
        let nodes = (1..=n)
            .map(|i| SwarmNode {
                id: format!("id{i}"),
                hostname: format!("node-{i}"),
                addr: format!("10.0.0.{i}"),
                manager: i == 1,
                availability: "active".into(),
                state: "ready".into(),
                drained_by: None,
            })
            .collect();
        Swarm { node_id: "id1".into(), nodes }
    }

    #[test]
    fn on_three_hosts_the_tomcats_keep_off_the_host_of_nginx_and_the_store() {
        let l = layout(&swarm(3), 1);
        assert_eq!((l.nginx.as_str(), l.stores.clone()), ("id1", vec!["id1".to_string()]));
        assert_eq!(l.tomcats_avoid, vec!["id1".to_string()]);
        assert_eq!(l.tomcat_hosts, 2);
    }

    #[test]
    fn store_nodes_go_to_different_hosts_while_there_are_hosts() {
        let l = layout(&swarm(4), 2);
        assert_eq!(l.stores, vec!["id1".to_string(), "id2".to_string()]);
        assert_eq!(l.tomcats_avoid, vec!["id1".to_string(), "id2".to_string()]);
        let l = layout(&swarm(3), 3);
        assert_eq!(l.stores, vec!["id1".to_string(), "id2".to_string(), "id3".to_string()]);
        // Only one host would be left: the Tomcats avoid only nginx's.
        assert_eq!(l.tomcats_avoid, vec!["id1".to_string()]);
    }

    #[test]
    fn one_or_two_hosts_take_everything() {
        let l = layout(&swarm(1), 2);
        assert_eq!(l.stores, vec!["id1".to_string(), "id1".to_string()]);
        assert!(l.tomcats_avoid.is_empty());
        assert!(layout(&swarm(2), 1).tomcats_avoid.is_empty());
    }

    #[test]
    fn a_drained_node_takes_nothing() {
        let mut s = swarm(3);
        s.nodes[2].availability = "drain".into();
        let l = layout(&s, 1);
        assert!(l.tomcats_avoid.is_empty());
        assert_eq!(l.tomcat_hosts, 2);
    }
}
