//! The user's choices for one lab, validated once and without I/O.
//!
//! Every bad input fails here, before anything is downloaded or created. A `LabSpec` is an
//! msm choice (`msm_choice`, with `msm_options`) and a lab shape (`lab_shape`): each half
//! checks itself, and `LabSpec::new` checks what needs both.

pub mod errors;
pub mod lab_shape;
pub mod limits;
pub mod maven_war;
pub mod msm_choice;
pub mod msm_kinds;
pub mod msm_options;
pub mod names;
pub mod support;
pub mod team_manager;
pub mod trust;
pub mod webapp;

use serde::Serialize;

pub use errors::SpecError;
pub use lab_shape::{Jre, LabName, LabShape, SwarmSpec};
pub use limits::{MAX_NAME_LEN, MAX_STORE_NODES, MAX_TOMCATS};
pub use msm_choice::MsmChoice;
pub use msm_kinds::{ImageSource, LockingMode, Serializer, SessionManager, Store, TomcatLine};
pub use msm_options::{parse_msm_option, storage_key, MsmOptions, Protocol, MANAGED_ATTRIBUTES};

/// Everything that decides what a lab looks like: the msm choice it runs and its shape.
/// Both are flattened so the JSON (the `io.msmlab.spec` label) is one flat object, as labs
/// made before the split carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabSpec {
    #[serde(flatten)]
    pub msm: MsmChoice,
    #[serde(flatten)]
    pub shape: LabShape,
}

impl LabSpec {
    /// A lab of this msm choice and this shape, validated: how every verb makes its spec.
    pub fn new(msm: MsmChoice, shape: LabShape) -> Result<LabSpec, SpecError> {
        let shape = shape.validate()?;
        // The checks that need both halves. Redis's node count comes before the msm checks,
        // as it did when the spec was flat, so one input with two faults names the same one.
        if msm.store == Store::Redis && shape.store_nodes != 1 {
            return Err(SpecError::RedisNodes(shape.store_nodes));
        }
        let msm = msm.validate()?;
        if shape.sticky && msm.locking_mode != LockingMode::None {
            return Err(SpecError::LockingSticky(msm.locking_mode.to_string()));
        }
        validate_failover_nodes(&msm.options.failover_nodes, shape.sticky, msm.store, shape.store_nodes)?;
        // Refused rather than ignored: Tomcat 9 and older have no legacyAppBase, so the flag
        // would do nothing but make the lab's label differ from the same lab without it.
        if shape.webapp_javaee && !msm.tomcat.jakarta() {
            return Err(SpecError::JavaeeOnJavaxLine(msm.tomcat.to_string()));
        }
        Ok(LabSpec { msm, shape })
    }

    /// The lab of one serializer, in a run that tries several (`bench`, `compat`): this spec,
    /// named `<name>-<serializer>`; `None` when that name would be too long.
    pub fn per_serializer(&self, serializer: Serializer) -> Option<LabSpec> {
        let mut spec = self.clone();
        spec.shape.name = format!("{}-{serializer}", self.shape.name).parse().ok()?;
        spec.msm.serializer = serializer;
        Some(spec)
    }
}

/// msm's `failoverNodes`: sticky memcached only, ids of the lab's nodes (`n1..nN`), and at
/// least one node left to write to first.
fn validate_failover_nodes(ids: &[String], sticky: bool, store: Store, store_nodes: u8) -> Result<(), SpecError> {
    if ids.is_empty() {
        return Ok(());
    }
    let value = ids.join(",");
    let bad = |why: String| Err(SpecError::MsmOption { flag: "--failover-nodes".into(), value: value.clone(), why });
    if !sticky {
        return bad("msm uses failover nodes in sticky mode only (non-sticky sessions go to every node in turn): add --sticky".into());
    }
    if store != Store::Memcached || store_nodes < 2 {
        return bad("failover needs two or more memcached nodes: add --store-nodes 2".into());
    }
    let lab_ids: Vec<String> = (1..=store_nodes).map(|i| format!("n{i}")).collect();
    if let Some(id) = ids.iter().find(|id| !lab_ids.contains(id)) {
        return bad(format!("{id} is not a node of this lab; its nodes are {}", lab_ids.join(", ")));
    }
    let mut distinct = ids.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct.len() >= lab_ids.len() {
        return bad("leave at least one node that is not a failover node, for sessions to be written to first".into());
    }
    Ok(())
}

/// A valid lab (Tomcat 9, java, one memcached, 2 Tomcats on 13355): the unit tests of every
/// module start from it and change what they test, so a new field is added here once.
#[cfg(test)]
impl LabSpec {
    pub fn example() -> LabSpec {
        let msm = MsmChoice::new(
            "9".parse().unwrap(),
            Serializer::Java,
            Store::Memcached,
            "debian:bookworm-slim".into(),
            "https://repo1.maven.org/maven2".into(),
        );
        let shape = LabShape::new("default".parse().unwrap(), Jre::Jre17, 2, 13355, String::new());
        LabSpec { msm, shape }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::labspec::webapp::{WebappSource, WebappSpec};

    fn spec() -> LabSpec {
        LabSpec::example()
    }

    /// The `io.msmlab.spec` label is this JSON (less `name` and `maven_repo`), and labs made by
    /// older msmlab carry it: `lab::health` compares it as a string, so any change to its keys or
    /// values makes every existing lab "other settings". serde_json's map is sorted (no
    /// `preserve_order`), which is the form the label takes.
    #[test]
    fn the_spec_label_json_is_pinned() {
        let label = |s: &LabSpec| serde_json::to_value(s).unwrap().to_string();
        let mut full = spec();
        full.msm.options.session_backup_async = true;
        full.msm.options.backup_thread_count = Some(4);
        full.msm.options.memcached_protocol = Some(Protocol::Binary);
        full.msm.options.storage_key_prefix = Some("static:shop,context".into());
        full.msm.options.failover_nodes = vec!["n1".into()];
        full.msm.options.custom.insert("lockExpiration".into(), "10".into());
        full.msm.locking_mode = LockingMode::UriPattern("/cart/.*".into());
        full.msm.registry = Some("127.0.0.1:5555".into());
        full.msm.xstream_allow = vec!["com.example.**".into()];
        full.shape.webapp = Some(WebappSpec { source: WebappSource::Path("shop.war".into()), context_path: None });
        full.shape.swarm = Some(SwarmSpec { push_to: Some("registry.example:5000".into()) });
        assert_eq!(label(&spec()), PINNED_EXAMPLE);
        assert_eq!(label(&full), PINNED_FULL);
    }

    #[test]
    fn new_checks_what_needs_both_halves() {
        let new = |s: LabSpec| LabSpec::new(s.msm, s.shape);
        assert!(new(spec()).is_ok());
        let mut redis = spec();
        (redis.msm.store, redis.shape.store_nodes) = (Store::Redis, 2);
        assert_eq!(new(redis.clone()), Err(SpecError::RedisNodes(2)));
        // Named before a fault of the msm half, as when the spec was flat.
        redis.msm.maven_repo = "ftp://x".into();
        assert_eq!(new(redis), Err(SpecError::RedisNodes(2)));
        let mut locked = spec();
        (locked.shape.sticky, locked.msm.locking_mode) = (true, LockingMode::All);
        assert_eq!(new(locked), Err(SpecError::LockingSticky("all".into())));
        let mut failover = spec();
        failover.msm.options.failover_nodes = vec!["n1".into()];
        assert!(matches!(new(failover), Err(SpecError::MsmOption { flag, .. }) if flag == "--failover-nodes"));
    }

    #[test]
    fn webapp_javaee_needs_a_webapp_and_a_jakarta_line_and_stops_the_javax_refusal() {
        let new = |s: LabSpec| LabSpec::new(s.msm, s.shape);
        let mut javaee = spec();
        javaee.shape.webapp_javaee = true;
        assert_eq!(new(javaee.clone()), Err(SpecError::JavaeeWithoutWebapp));
        javaee.shape.webapp = Some(WebappSpec { source: WebappSource::Path("old.war".into()), context_path: None });
        let on_9 = new(javaee.clone()).unwrap_err();
        assert_eq!(on_9, SpecError::JavaeeOnJavaxLine("9".into()));
        assert!(on_9.to_string().contains("runs javax.servlet webapps as they are"), "{on_9}");
        javaee.msm.tomcat = "10.1".parse().unwrap();
        let javaee = new(javaee).unwrap();
        let mut plain = javaee.clone();
        plain.shape.webapp_javaee = false;
        // In the label only when on: labs made before the flag keep theirs (pinned above).
        let label = serde_json::to_value(&javaee).unwrap();
        assert_eq!(label["webapp_javaee"], true);
        assert!(serde_json::to_value(&plain).unwrap().get("webapp_javaee").is_none());
    }

    const PINNED_EXAMPLE: &str = r#"{"backup_thread_count":null,"base_image":"debian:bookworm-slim","copy_collections_for_serialization":false,"custom":{},"enable_statistics":null,"failover_nodes":[],"images":"built","java_opts":"","jre":"17","listen":"127.0.0.1","locking_mode":"none","maven_repo":"https://repo1.maven.org/maven2","memcached_protocol":null,"name":"default","operation_timeout":null,"port":13355,"registry":null,"request_uri_ignore_pattern":null,"serializer":"java","session_attribute_filter":null,"session_backup_async":false,"session_backup_timeout":null,"session_manager":"msm","sticky":false,"storage_key_prefix":null,"store":"memcached","store_nodes":1,"swarm":null,"tomcat":"9","tomcats":2,"webapp":null,"xstream_allow":[]}"#;
    const PINNED_FULL: &str = r#"{"backup_thread_count":4,"base_image":"debian:bookworm-slim","copy_collections_for_serialization":false,"custom":{"lockExpiration":"10"},"enable_statistics":null,"failover_nodes":["n1"],"images":"built","java_opts":"","jre":"17","listen":"127.0.0.1","locking_mode":"uriPattern:/cart/.*","maven_repo":"https://repo1.maven.org/maven2","memcached_protocol":"binary","name":"default","operation_timeout":null,"port":13355,"registry":"127.0.0.1:5555","request_uri_ignore_pattern":null,"serializer":"java","session_attribute_filter":null,"session_backup_async":true,"session_backup_timeout":null,"session_manager":"msm","sticky":false,"storage_key_prefix":"static:shop,context","store":"memcached","store_nodes":1,"swarm":{"push_to":"registry.example:5000"},"tomcat":"9","tomcats":2,"webapp":{"context_path":null,"path":"shop.war"},"xstream_allow":["com.example.**"]}"#;
}
