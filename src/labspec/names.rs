//! How msmlab names and labels what it creates, so that everything can be found again
//! by label: `up`, `status`, `down` and rollback never rely on a state file.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::labspec::LabName;

/// Label carrying the lab's name, on every container, network and volume.
pub const LAB_LABEL: &str = "io.msmlab.lab";
/// The `up` run that made a container or network: its rollback removes only what it made, so
/// two `up`s of one name at once never tear each other's lab down.
pub const OWNER_LABEL: &str = "io.msmlab.owner";
/// Label carrying the container's role.
pub const ROLE_LABEL: &str = "io.msmlab.role";
/// Label carrying the container's index within its role (1-based).
pub const INDEX_LABEL: &str = "io.msmlab.index";
/// Label carrying the settings a lab container was made with (compact JSON), so that a
/// second `up` can tell "already up" from "up with other settings".
pub const SPEC_LABEL: &str = "io.msmlab.spec";
/// Label on the Tomcats that carry msmlab's session probe (the key of its build), so that
/// verify tells a lab of official images made with it from one an older msmlab made without.
pub const PROBE_LABEL: &str = "io.msmlab.probe";
/// Label on images msmlab built; images are shared between labs and survive `down`.
pub const IMAGE_LABEL: &str = "io.msmlab.image";

/// Port nginx listens on inside its container (the seed's port).
pub const NGINX_PORT: u16 = 13355;
pub const TOMCAT_PORT: u16 = 8080;
pub const MEMCACHED_PORT: u16 = 11211;
pub const REDIS_PORT: u16 = 6379;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Memcached,
    Redis,
    Tomcat,
    Nginx,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Memcached => "memcached",
            Role::Redis => "redis",
            Role::Tomcat => "tomcat",
            Role::Nginx => "nginx",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Memcached, Role::Redis, Role::Tomcat, Role::Nginx].into_iter().find(|r| r.as_str() == s)
    }
}

impl Role {
    /// The session store's roles.
    pub fn is_store(self) -> bool {
        matches!(self, Role::Memcached | Role::Redis)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `msmlab-<lab>-<role>-<n>`: also the container's host name and DNS name on the lab network.
pub fn container_name(lab: &LabName, role: Role, index: u8) -> String {
    format!("msmlab-{lab}-{role}-{index}")
}

/// The name of a lab's service of `role` on a swarm. The Tomcats are one service whose
/// tasks are named like containers (`msmlab-<lab>-tomcat-<slot>`, their hostnames); the other
/// roles are one service per node, named like its container, so `context.xml` is the same.
pub fn tomcat_service_name(lab: &LabName) -> String {
    tomcat_service_name_of(lab.as_str())
}

/// `tomcat_service_name` of a lab found by its label.
pub fn tomcat_service_name_of(lab: &str) -> String {
    format!("msmlab-{lab}-{}", Role::Tomcat)
}

/// The jvmRoute of Tomcat number `index` in sticky mode (`tomcat1`): Tomcat appends it to
/// session ids (`<id>-n1.tomcat1`) and nginx routes on it.
pub fn jvm_route(index: u8) -> String {
    format!("tomcat{index}")
}

/// The Tomcat index a jvmRoute names, if it is one of msmlab's.
pub fn route_index(route: &str) -> Option<u8> {
    route.strip_prefix("tomcat")?.parse().ok()
}

/// `msmlab-<lab>`: the lab's own bridge network.
pub fn network_name(lab: impl fmt::Display) -> String {
    format!("msmlab-{lab}")
}

/// Labels of a lab container.
pub fn labels(lab: &LabName, role: Role, index: u8) -> HashMap<String, String> {
    HashMap::from([
        (LAB_LABEL.to_string(), lab.to_string()),
        (ROLE_LABEL.to_string(), role.to_string()),
        (INDEX_LABEL.to_string(), index.to_string()),
    ])
}

/// Labels of the lab's network (role `network`).
pub fn network_labels(lab: &LabName) -> HashMap<String, String> {
    HashMap::from([(LAB_LABEL.to_string(), lab.to_string()), (ROLE_LABEL.to_string(), "network".to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_documented_pattern() {
        let lab: LabName = "ci".parse().unwrap();
        assert_eq!(container_name(&lab, Role::Tomcat, 2), "msmlab-ci-tomcat-2");
        assert_eq!(network_name(&lab), "msmlab-ci");
        let l = labels(&lab, Role::Nginx, 1);
        assert_eq!(l["io.msmlab.lab"], "ci");
        assert_eq!(l["io.msmlab.role"], "nginx");
        assert_eq!(network_labels(&lab)["io.msmlab.role"], "network");
        assert_eq!(jvm_route(2), "tomcat2");
        assert_eq!(route_index("tomcat12"), Some(12));
        assert_eq!(route_index("other"), None);
    }

    #[test]
    fn the_longest_name_still_fits_a_dns_label() {
        let lab: LabName = "x".repeat(crate::labspec::MAX_NAME_LEN).parse().unwrap();
        assert!(container_name(&lab, Role::Memcached, crate::labspec::MAX_TOMCATS).len() <= 63);
    }
}
