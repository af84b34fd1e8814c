//! The lab half of a lab: its name and size, the Tomcats' JVM, where nginx is published, the
//! user's webapp and the swarm. `render` has none of it.

use std::fmt;
use std::str::FromStr;

use clap::ValueEnum;
use serde::Serialize;

use crate::labspec::errors::SpecError;
use crate::labspec::limits::{MAX_NAME_LEN, MAX_STORE_NODES, MAX_TOMCATS};
use crate::labspec::msm_choice::validate_registry;
use crate::labspec::webapp::WebappSpec;

/// A lab name: part of every container, network and label msmlab creates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct LabName(String);

impl LabName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for LabName {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, SpecError> {
        let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        let valid = !s.is_empty()
            && s.len() <= MAX_NAME_LEN
            && s.chars().all(ok_char)
            && !s.starts_with('-')
            && !s.ends_with('-');
        if valid {
            Ok(LabName(s.to_string()))
        } else {
            Err(SpecError::Name(s.to_string()))
        }
    }
}

impl fmt::Display for LabName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Java runtime of the Tomcat image: each is the OpenJDK of one Debian release, so the
/// image needs nothing but Debian's mirror.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum, Serialize)]
pub enum Jre {
    /// OpenJDK 11, from Debian 11 (bullseye).
    #[value(name = "11")]
    #[serde(rename = "11")]
    Jre11,
    /// OpenJDK 17, from Debian 12 (bookworm).
    #[value(name = "17")]
    #[serde(rename = "17")]
    Jre17,
    /// OpenJDK 21, from Debian 13 (trixie).
    #[value(name = "21")]
    #[serde(rename = "21")]
    Jre21,
}

impl Jre {
    pub const ALL: [Jre; 3] = [Jre::Jre11, Jre::Jre17, Jre::Jre21];

    pub fn version(self) -> u8 {
        match self {
            Jre::Jre11 => 11,
            Jre::Jre17 => 17,
            Jre::Jre21 => 21,
        }
    }

    /// The Debian release that ships this OpenJDK.
    pub fn debian_suite(self) -> &'static str {
        match self {
            Jre::Jre11 => "bullseye",
            Jre::Jre17 => "bookworm",
            Jre::Jre21 => "trixie",
        }
    }

    /// The base image of the Tomcat image (`scripts/base-image.sh <suite>` builds it offline).
    pub fn base_image(self) -> String {
        format!("debian:{}-slim", self.debian_suite())
    }

    /// Debian's package of this runtime.
    pub fn package(self) -> String {
        format!("openjdk-{}-jre-headless", self.version())
    }
}

impl fmt::Display for Jre {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.version())
    }
}

/// A lab on Docker Swarm (`docs/scaling.md`): services spread over the nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwarmSpec {
    /// The registry msmlab pushes the lab's images to and every node pulls them from
    /// (`--push-to HOST:PORT`); a swarm of one node needs none.
    pub push_to: Option<String>,
}

/// What only a lab has: its name and size, the Tomcats' JVM, where nginx is published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabShape {
    pub name: LabName,
    pub jre: Jre,
    /// Store nodes: memcached `n1..nN` (msm fails a session over between them).
    pub store_nodes: u8,
    pub tomcats: u8,
    pub port: u16,
    /// Extra JVM options for every Tomcat (`CATALINA_OPTS`), e.g. `-Xmx256m`.
    pub java_opts: String,
    /// Host address nginx is published on (127.0.0.1 unless the user says otherwise).
    pub listen: std::net::IpAddr,
    /// msm's sticky mode: each Tomcat gets a jvmRoute, nginx routes a session to its owner.
    pub sticky: bool,
    /// The user's own webapp, deployed next to the test page.
    pub webapp: Option<WebappSpec>,
    /// `--webapp-javaee`: the webapp goes to `webapps-javaee/`, which Tomcat 10.1 and 11 convert
    /// to Jakarta EE at deployment. Left out of the label when off, so labs made before it keep
    /// their label.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub webapp_javaee: bool,
    /// On the swarm the engine manages (`--swarm`), not on the engine alone.
    pub swarm: Option<SwarmSpec>,
}

impl LabShape {
    /// What every verb that makes a lab asks for; the rest as a lab has it unless told
    /// otherwise: one store node, nginx on loopback, not sticky, no webapp of the user's, not
    /// on a swarm. A new field gets its default here, once.
    pub fn new(name: LabName, jre: Jre, tomcats: u8, port: u16, java_opts: String) -> LabShape {
        LabShape {
            name,
            jre,
            store_nodes: 1,
            tomcats,
            port,
            java_opts,
            listen: std::net::Ipv4Addr::LOCALHOST.into(),
            sticky: false,
            webapp: None,
            webapp_javaee: false,
            swarm: None,
        }
    }

    /// Checks the values that are not checked by their types.
    pub fn validate(self) -> Result<Self, SpecError> {
        if !(2..=MAX_TOMCATS).contains(&self.tomcats) {
            return Err(SpecError::TomcatCount(self.tomcats));
        }
        if !(1..=MAX_STORE_NODES).contains(&self.store_nodes) {
            return Err(SpecError::StoreNodes(self.store_nodes));
        }
        validate_java_opts(&self.java_opts)?;
        if self.webapp_javaee && self.webapp.is_none() {
            return Err(SpecError::JavaeeWithoutWebapp);
        }
        if let Some(swarm) = &self.swarm {
            validate_swarm(swarm, &self)?;
        }
        Ok(self)
    }
}

/// What a lab on a swarm can be: its Tomcats are one service whose tasks nginx finds by DNS,
/// so nginx cannot send a session back to one of them by route, and its port is published on
/// the node nginx runs on, so it must be a known one.
fn validate_swarm(swarm: &SwarmSpec, spec: &LabShape) -> Result<(), SpecError> {
    if spec.sticky {
        return Err(SpecError::Swarm(
            "--sticky: nginx finds the Tomcats of a swarm by DNS round-robin and cannot route a session to one of them by its jvmRoute; \
             leave out --sticky (docs/scaling.md says how sticky routing maps onto a cluster)"
                .into(),
        ));
    }
    if spec.port == 0 {
        return Err(SpecError::Swarm("--port 0: on a swarm nginx publishes a port of its node in host mode; give the port, e.g. --port 13355".into()));
    }
    if let Some(registry) = &swarm.push_to {
        validate_registry(registry).map_err(|_| SpecError::Swarm(format!("--push-to {registry}: give the registry as HOST or HOST:PORT, e.g. registry.example:5000")))?;
    }
    Ok(())
}

fn validate_java_opts(opts: &str) -> Result<(), SpecError> {
    if opts.chars().all(|c| c.is_ascii_alphanumeric() || " -_.:=+/,%@".contains(c)) {
        Ok(())
    } else {
        Err(SpecError::JavaOpts(opts.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labspec::LabSpec;

    fn shape() -> LabShape {
        LabSpec::example().shape
    }

    #[test]
    fn lab_names_become_dns_safe_container_names() {
        for good in ["default", "a", "ci-42", "x1"] {
            assert!(good.parse::<LabName>().is_ok(), "{good}");
        }
        for bad in ["", "-a", "a-", "Upper", "under_score", "dot.ted", "sp ace", "a/b", &"x".repeat(33)] {
            assert_eq!(bad.parse::<LabName>(), Err(SpecError::Name(bad.to_string())), "{bad}");
        }
    }

    #[test]
    fn a_lab_needs_two_to_sixteen_tomcats() {
        assert!(LabShape { tomcats: 2, ..shape() }.validate().is_ok());
        assert!(LabShape { tomcats: 16, ..shape() }.validate().is_ok());
        assert_eq!(LabShape { tomcats: 1, ..shape() }.validate(), Err(SpecError::TomcatCount(1)));
        assert_eq!(LabShape { tomcats: 17, ..shape() }.validate(), Err(SpecError::TomcatCount(17)));
    }

    #[test]
    fn port_zero_leaves_the_port_to_the_engine() {
        assert!(LabShape { port: 0, ..shape() }.validate().is_ok());
    }

    #[test]
    fn java_opts_cannot_smuggle_shell_syntax() {
        assert!(LabShape { java_opts: "-Xmx256m -Dmsm.foo=a,b".into(), ..shape() }.validate().is_ok());
        for bad in ["-Dx=$(id)", "-Xmx1g; rm -rf /", "`id`", "-Da=\"b\"", "a\nb"] {
            let s = LabShape { java_opts: bad.into(), ..shape() };
            assert_eq!(s.validate(), Err(SpecError::JavaOpts(bad.into())), "{bad}");
        }
    }
}
