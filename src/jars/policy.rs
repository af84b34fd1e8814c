//! What msmlab pins, and why: the input of `msmlab lock`, which turns it into `jars.lock`
//! by reading the real POMs. Change a version here, run `msmlab lock`, commit both.
//!
//! Every departure from what msm's own POMs say is listed here with its reason, and
//! explained at length in docs/jars.md.

use crate::labspec::{Serializer, Store};

/// The memcached-session-manager release msmlab builds labs with (the last one, 2018).
pub const MSM_GROUP: &str = "de.javakaffee.msm";
pub const MSM_VERSION: &str = "2.3.2";
/// msm core: the session manager and Java serialization.
pub const MSM_CORE: &str = "memcached-session-manager";
/// Apache Tomcat distributions: `org.apache.tomcat:tomcat:tar.gz:<release>`.
pub const TOMCAT_GROUP: &str = "org.apache.tomcat";
pub const TOMCAT_ARTIFACT: &str = "tomcat";

/// Left out of every closure, with the reason.
pub const EXCLUDE: &[(&str, &str, &str)] = &[
    // In [common]: every module's POM declares core, and core's POM declares all store clients.
    (MSM_GROUP, MSM_CORE, "in [common] already; core's POM also declares every store client"),
    // msm's parent POM declares these for every module at compile scope; they are
    // annotations for static analysis, never loaded when Tomcat runs.
    ("com.google.code.findbugs", "annotations", "static-analysis annotations, not needed at run time"),
    ("com.google.code.findbugs", "jsr305", "static-analysis annotations, not needed at run time"),
];

/// A Tomcat line: the releases it takes from the distribution's metadata, and msm's jar.
pub struct TomcatLinePolicy {
    pub major: u8,
    /// Releases of this line start with this (`8.5.`: Maven Central has no 8.0 distribution).
    pub prefix: &'static str,
    pub msm_jar: &'static str,
    /// The line uses `jakarta.servlet`: msm's jars go through `MIGRATION_TOOL` first.
    pub jakarta: bool,
}

pub const TOMCAT_LINES: &[TomcatLinePolicy] = &[
    TomcatLinePolicy { major: 7, prefix: "7.0.", msm_jar: "memcached-session-manager-tc7", jakarta: false },
    TomcatLinePolicy { major: 8, prefix: "8.5.", msm_jar: "memcached-session-manager-tc8", jakarta: false },
    TomcatLinePolicy { major: 9, prefix: "9.0.", msm_jar: "memcached-session-manager-tc9", jakarta: false },
    // msm stops at Tomcat 9 (msm #459). Its tc9 jar, converted to jakarta.servlet, runs on
    // 10.1 (10.0 reached end of life in 2022) and, with msmlab's subclass, on 11: docs/jakarta.md.
    TomcatLinePolicy { major: 10, prefix: "10.1.", msm_jar: "memcached-session-manager-tc9", jakarta: true },
    TomcatLinePolicy { major: 11, prefix: "11.0.", msm_jar: "memcached-session-manager-tc9", jakarta: true },
];

/// Apache's javax-to-jakarta migration tool (`MigrationCLI SRC DEST`), in its shaded jar,
/// which carries its own dependencies.
pub const MIGRATION_TOOL: &str = "org.apache.tomcat:jakartaee-migration:jar:shaded:1.0.12";

/// A serializer: msm's module for it (none for Java serialization, which is in core), and
/// the versions that replace the POMs' where those do not work.
pub struct SerializerPolicy {
    pub serializer: Serializer,
    /// `(artifactId, version)` of msm's serializer module.
    pub module: Option<(&'static str, &'static str)>,
    /// `(groupId, artifactId, version)` replacing what the POMs say, wherever it appears.
    pub overrides: &'static [(&'static str, &'static str, &'static str)],
}

pub const SERIALIZERS: &[SerializerPolicy] = &[
    SerializerPolicy { serializer: Serializer::Java, module: None, overrides: &[] },
    SerializerPolicy {
        serializer: Serializer::Kryo,
        module: Some(("msm-kryo-serializer", MSM_VERSION)),
        // kryo-serializers 0.41 (the POM's) registers SubListSerializers at start-up, which
        // fails on Java 9+ (NoSuchFieldException: parentOffset; msm #386, kryo-serializers
        // #107). 0.45 fixes it, but declares kryo 5.0.0-RC1, which lacks the kryo 4 KryoPool
        // API msm-kryo-serializer calls (NoClassDefFoundError: .../kryo/pool/KryoFactory):
        // kryo stays on 4.x, its newest release, with kryo 4.0.3's own dependencies.
        overrides: &[("de.javakaffee", "kryo-serializers", "0.45"), ("com.esotericsoftware", "kryo", "4.0.3")],
    },
    SerializerPolicy {
        serializer: Serializer::Xstream,
        // msm published its xstream module last at 2.1.1; nothing in it or in the interfaces
        // it implements changed up to 2.3.2, and it runs with core 2.3.2.
        module: Some(("msm-xstream-serializer", "2.1.1")),
        // The POM's xstream 1.4.7 does not start on Java 17 without opening java.desktop and
        // java.lang.reflect, and has known CVEs; 1.4.21 (the newest 1.4) starts as it is.
        overrides: &[("com.thoughtworks.xstream", "xstream", "1.4.21")],
    },
    // Flexjson: msm-flexjson-serializer stops at 1.8.3, built for msm 1.x; `support` refuses it.
];

/// A store: the client jar, at the version msm core's POM declares.
pub struct StorePolicy {
    pub store: Store,
    pub client: (&'static str, &'static str),
}

pub const STORES: &[StorePolicy] = &[
    StorePolicy { store: Store::Memcached, client: ("net.spy", "spymemcached") },
    StorePolicy { store: Store::Redis, client: ("redis.clients", "jedis") },
];
