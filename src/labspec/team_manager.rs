//! `--context-xml FILE`: a team's own msm `<Manager>` element, turned into the lab's choices.
//!
//! Every attribute is kept. The typed ones become the spec fields their flags set (so they are
//! validated like flags, and `render` writes them the same way); the others become
//! `--msm-option`s, checked against msm's jar. Only the node addresses are the lab's: the
//! file's nodes are renamed `n1..nN` in their order, its `failoverNodes` with them, and the
//! lab runs as many memcached nodes as the file lists.

use std::fmt::Debug;

use crate::labspec::{parse_msm_option, LockingMode, MsmChoice, MsmOptions, Protocol, Serializer, SpecError, Store, MAX_STORE_NODES};

/// msm's Manager class, the only one a file may name.
pub const MANAGER_CLASS_NAME: &str = "de.javakaffee.web.msm.MemcachedBackupSessionManager";

/// What the file says, attribute by attribute (`None`: not in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamManager {
    /// The file, for messages.
    pub origin: String,
    pub serializer: Option<Serializer>,
    pub store: Store,
    /// How many memcached nodes the file lists (1 for Redis).
    pub store_nodes: u8,
    /// msm's default is sticky, so a file without the attribute is sticky.
    pub sticky: bool,
    pub locking_mode: Option<LockingMode>,
    pub options: MsmOptions,
}

/// Where a team's file and a flag disagree, and what else cannot be taken over.
fn bad(origin: &str, why: String) -> SpecError {
    SpecError::ContextXml { path: origin.into(), why }
}

impl TeamManager {
    /// Reads the first `<Manager>` of `text` (a whole `context.xml`, or the element alone).
    pub fn parse(text: &str, origin: &str) -> Result<TeamManager, SpecError> {
        let doc = roxmltree::Document::parse(text).map_err(|e| bad(origin, format!("not well-formed XML: {e}")))?;
        let manager = doc
            .descendants()
            .find(|n| n.has_tag_name("Manager"))
            .ok_or_else(|| bad(origin, "it has no <Manager> element; give your context.xml or the <Manager …/> element alone".into()))?;
        let class = manager.attribute("className").unwrap_or("org.apache.catalina.session.StandardManager");
        if class != MANAGER_CLASS_NAME {
            return Err(bad(origin, format!("its <Manager> is {class}, not msm's {MANAGER_CLASS_NAME}")));
        }
        let mut team = TeamManager {
            origin: origin.into(),
            serializer: None,
            store: Store::Memcached,
            store_nodes: 1,
            sticky: true,
            locking_mode: None,
            options: MsmOptions { session_backup_async: true, ..MsmOptions::default() },
        };
        let mut ids: Vec<String> = Vec::new();
        let mut failover: Vec<String> = Vec::new();
        for attr in manager.attributes() {
            let (key, value) = (attr.name(), attr.value());
            let wrong = |what: &str| bad(origin, format!("{key}={value:?}: {what}"));
            let boolean = || match value {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(wrong("give true or false")),
            };
            let number = || value.parse::<u32>().map_err(|_| wrong("give a whole number"));
            let o = &mut team.options;
            match key {
                "className" => {}
                "memcachedNodes" => (team.store, ids) = nodes(value).map_err(|why| wrong(&why))?,
                "failoverNodes" => failover = value.split([' ', ',']).filter(|s| !s.is_empty()).map(String::from).collect(),
                "sticky" => team.sticky = boolean()?,
                "lockingMode" => team.locking_mode = Some(value.parse().map_err(|_| wrong("give none, all, auto or uriPattern:REGEX"))?),
                "transcoderFactoryClass" => {
                    let s = Serializer::ALL.into_iter().find(|s| s.transcoder_factory() == value);
                    team.serializer = Some(s.ok_or_else(|| {
                        let known: Vec<&str> = Serializer::ALL.iter().map(|s| s.transcoder_factory()).collect();
                        wrong(&format!("not a transcoder factory of msm's serializers ({})", known.join(", ")))
                    })?);
                }
                "sessionBackupAsync" => o.session_backup_async = boolean()?,
                "backupThreadCount" => o.backup_thread_count = Some(number()?.try_into().map_err(|_| wrong("too many threads"))?),
                "sessionBackupTimeout" => o.session_backup_timeout = Some(number()?),
                "operationTimeout" => o.operation_timeout = Some(number()?),
                "memcachedProtocol" => {
                    o.memcached_protocol = Some(match value {
                        "text" => Protocol::Text,
                        "binary" => Protocol::Binary,
                        _ => return Err(wrong("give text or binary")),
                    })
                }
                "requestUriIgnorePattern" => o.request_uri_ignore_pattern = Some(value.into()),
                "sessionAttributeFilter" => o.session_attribute_filter = Some(value.into()),
                "storageKeyPrefix" => o.storage_key_prefix = Some(value.into()),
                "copyCollectionsForSerialization" => o.copy_collections_for_serialization = boolean()?,
                "enableStatistics" => o.enable_statistics = Some(boolean()?),
                _ => {
                    let (k, v) = parse_msm_option(&format!("{key}={value}")).map_err(|e| bad(origin, e.to_string()))?;
                    o.custom.insert(k, v);
                }
            }
        }
        if ids.is_empty() {
            return Err(bad(origin, "its <Manager> has no memcachedNodes".into()));
        }
        team.store_nodes = ids.len() as u8;
        // The file's node ids become the lab's, in order; its failover nodes follow them.
        for id in failover {
            let i = ids.iter().position(|n| *n == id).ok_or_else(|| bad(origin, format!("failoverNodes names {id}, which memcachedNodes does not list")))?;
            team.options.failover_nodes.push(format!("n{}", i + 1));
        }
        Ok(team)
    }

    /// The lab's choices with the file's: a flag left at its default takes the file's value;
    /// a flag set to another value than the file's is a conflict. Returns the choice, the
    /// stickiness and the number of store nodes.
    pub fn apply(self, choice: MsmChoice, sticky: bool, store_nodes: u8) -> Result<(MsmChoice, bool, u8), SpecError> {
        let o = &self.origin;
        let d = MsmOptions::default();
        let (f, t) = (choice.options, self.options);
        let options = MsmOptions {
            session_backup_async: pick(o, "--session-backup-async", "sessionBackupAsync", f.session_backup_async, d.session_backup_async, Some(t.session_backup_async))?,
            backup_thread_count: pick(o, "--backup-thread-count", "backupThreadCount", f.backup_thread_count, None, t.backup_thread_count.map(Some))?,
            session_backup_timeout: pick(o, "--session-backup-timeout", "sessionBackupTimeout", f.session_backup_timeout, None, t.session_backup_timeout.map(Some))?,
            operation_timeout: pick(o, "--operation-timeout", "operationTimeout", f.operation_timeout, None, t.operation_timeout.map(Some))?,
            memcached_protocol: pick(o, "--memcached-protocol", "memcachedProtocol", f.memcached_protocol, None, t.memcached_protocol.map(Some))?,
            request_uri_ignore_pattern: pick(o, "--request-uri-ignore-pattern", "requestUriIgnorePattern", f.request_uri_ignore_pattern, None, t.request_uri_ignore_pattern.map(Some))?,
            session_attribute_filter: pick(o, "--session-attribute-filter", "sessionAttributeFilter", f.session_attribute_filter, None, t.session_attribute_filter.map(Some))?,
            storage_key_prefix: pick(o, "--storage-key-prefix", "storageKeyPrefix", f.storage_key_prefix, None, t.storage_key_prefix.map(Some))?,
            copy_collections_for_serialization: pick(
                o,
                "--copy-collections-for-serialization",
                "copyCollectionsForSerialization",
                f.copy_collections_for_serialization,
                false,
                Some(t.copy_collections_for_serialization),
            )?,
            enable_statistics: pick(o, "--enable-statistics", "enableStatistics", f.enable_statistics, None, t.enable_statistics.map(Some))?,
            failover_nodes: pick(o, "--failover-nodes", "failoverNodes", f.failover_nodes, Vec::new(), Some(t.failover_nodes))?,
            custom: {
                let mut custom = t.custom;
                for (k, v) in f.custom {
                    if let Some(file) = custom.get(&k).filter(|file| **file != v) {
                        return Err(bad(o, format!("--msm-option {k}={v} conflicts with {k}={file:?} in the file; leave out one of them")));
                    }
                    custom.insert(k, v);
                }
                custom
            },
        };
        let choice = MsmChoice {
            serializer: pick(o, "--serializer", "transcoderFactoryClass", choice.serializer, Serializer::Java, self.serializer)?,
            store: pick(o, "--store", "memcachedNodes", choice.store, Store::Memcached, Some(self.store))?,
            locking_mode: pick(o, "--locking-mode", "lockingMode", choice.locking_mode, LockingMode::None, self.locking_mode)?,
            options,
            ..choice
        };
        let sticky = pick(o, "--sticky", "sticky", sticky, false, Some(self.sticky))?;
        let store_nodes = pick(o, "--store-nodes", "memcachedNodes", store_nodes, 1, Some(self.store_nodes))?;
        Ok((choice, sticky, store_nodes))
    }
}

/// The file's value unless the flag says otherwise; a flag at its default gives way.
fn pick<T: PartialEq + Debug>(origin: &str, flag: &str, attr: &str, given: T, default: T, file: Option<T>) -> Result<T, SpecError> {
    match file {
        None => Ok(given),
        Some(file) if given == default || given == file => Ok(file),
        Some(file) => Err(bad(origin, format!("{flag} {given:?} conflicts with {attr} in the file ({file:?}); leave out the flag or change the file"))),
    }
}

/// msm's `memcachedNodes`: `id:host:port` nodes (space or comma), one `host:port`, or one
/// `redis://` URL. Returns the store and the node ids (`n1` for an unnamed node).
fn nodes(value: &str) -> Result<(Store, Vec<String>), String> {
    let tokens: Vec<&str> = value.split([' ', ',']).filter(|s| !s.is_empty()).collect();
    if tokens.iter().any(|t| t.starts_with("redis://") || t.starts_with("rediss://")) {
        return if tokens.len() == 1 { Ok((Store::Redis, vec!["n1".into()])) } else { Err("msm takes one redis:// node".into()) };
    }
    if tokens.iter().any(|t| t.starts_with("http://")) {
        return Err("Couchbase nodes: msmlab's labs run memcached or Redis".into());
    }
    let mut ids: Vec<String> = Vec::new();
    for t in &tokens {
        match t.split(':').collect::<Vec<_>>()[..] {
            [id, _, _] if !id.is_empty() && !ids.iter().any(|i| i == id) => ids.push(id.into()),
            [_, _] if tokens.len() == 1 => ids.push("n1".into()),
            _ => return Err(format!("{t:?} is not a node: give id:host:port for each node (or a single host:port)")),
        }
    }
    if ids.len() > MAX_STORE_NODES as usize {
        return Err(format!("{} nodes: msmlab runs at most {MAX_STORE_NODES}", ids.len()));
    }
    Ok((Store::Memcached, ids))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labspec::LabSpec;

    const TEAM: &str = r#"<?xml version="1.0"?>
<Context>
  <Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager"
           memcachedNodes="m1:cache-a.prod:11211 m2:cache-b.prod:11211"
           failoverNodes="m1"
           requestUriIgnorePattern=".*\.(png|css)$"
           transcoderFactoryClass="de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory"
           lockExpiration="7"
           operationTimeout="2500"/>
</Context>"#;

    #[test]
    fn a_team_file_keeps_its_options_and_takes_the_labs_node_names() {
        let team = TeamManager::parse(TEAM, "team.xml").unwrap();
        assert_eq!(team.serializer, Some(Serializer::Kryo));
        assert!(team.sticky, "no sticky attribute: msm's default, sticky");
        assert_eq!(team.store_nodes, 2);
        assert_eq!(team.options.failover_nodes, ["n1"]);
        assert_eq!(team.options.operation_timeout, Some(2500));
        assert_eq!(team.options.custom.get("lockExpiration").map(String::as_str), Some("7"));
        assert!(team.options.session_backup_async, "msm's default");
    }

    #[test]
    fn flags_at_their_defaults_give_way_and_others_conflict() {
        let choice = LabSpec::example().msm;
        let (choice, sticky, nodes) = TeamManager::parse(TEAM, "team.xml").unwrap().apply(choice, false, 1).unwrap();
        assert_eq!((choice.serializer, sticky, nodes), (Serializer::Kryo, true, 2));
        let mut xstream = LabSpec::example().msm;
        xstream.serializer = Serializer::Xstream;
        let err = TeamManager::parse(TEAM, "team.xml").unwrap().apply(xstream, false, 1).unwrap_err().to_string();
        assert!(err.starts_with("--context-xml team.xml: --serializer Xstream conflicts with transcoderFactoryClass"), "{err}");
    }

    #[test]
    fn what_cannot_be_taken_over_is_refused_with_the_reason() {
        let cases = [
            ("<Context/>", "no <Manager>"),
            (r#"<Manager className="org.apache.catalina.session.PersistentManager"/>"#, "not msm's"),
            (r#"<Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager"/>"#, "no memcachedNodes"),
            (r#"<Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager" memcachedNodes="http://cb:8091/pools"/>"#, "Couchbase"),
            (r#"<Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager" memcachedNodes="n1:a:1" failoverNodes="n9"/>"#, "n9"),
            (r#"<Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager" memcachedNodes="n1:a:1" sticky="yes"/>"#, "true or false"),
            ("<Manager", "well-formed"),
        ];
        for (xml, says) in cases {
            let err = TeamManager::parse(xml, "f.xml").unwrap_err().to_string();
            assert!(err.contains(says), "{xml}: {err}");
        }
    }

    #[test]
    fn a_redis_url_makes_a_redis_lab() {
        let xml = r#"<Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager" memcachedNodes="redis://cache.prod:6379" sticky="false"/>"#;
        let team = TeamManager::parse(xml, "f.xml").unwrap();
        assert_eq!((team.store, team.store_nodes, team.sticky), (Store::Redis, 1, false));
    }
}
