//! `--images official`: which of Docker Hub's `tomcat`, `nginx`, `memcached` and `redis` images
//! and tags stand in for the ones msmlab builds, and the Java each Tomcat line runs; no I/O
//! (`lab::provision::pull_official` pulls them, from Docker Hub or from `--registry`).
//!
//! The official Tomcat image has the layout msmlab's own has (`CATALINA_HOME=/usr/local/tomcat`,
//! `catalina.sh run`, an empty `webapps/`), so the same uploads work; it runs as root. Its
//! Tomcat release is whatever the tag holds that day, not the one `jars.lock` pins: the msm
//! jars are still the pinned ones.

use serde::Serialize;

use crate::plan::images::TOMCAT_JAVA_OPTS;
use crate::labspec::{Jre, Store};

/// The official Tomcat tag for each Tomcat line msm supports (msm-facts §7), `{jre}` standing
/// for `--jre`: 10.1 and 9.0 are current, 8.5 is frozen at 8.5.100 (all with JRE 11, 17 and
/// 21 tags); 7 is frozen at 7.0.109 with JDK 8 only, so `--jre` does not apply to it. Tomcat
/// 11 takes the JDK tag: its lab compiles msmlab's Manager, and the JRE images have no javac.
pub const TOMCAT_TAGS: &[(u8, &str)] =
    &[(11, "11.0-jdk{jre}"), (10, "10.1-jre{jre}"), (9, "9.0-jre{jre}"), (8, "8.5-jre{jre}"), (7, "7.0.109-jdk8")];
/// Pinned to a minor line, so a lab does not change under the user's feet.
pub const NGINX_TAG: &str = "1.27";
pub const MEMCACHED_TAG: &str = "1.6";
pub const REDIS_TAG: &str = "7.2";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficialImages {
    pub tomcat: String,
    pub nginx: String,
    /// memcached's or Redis's, as `--store` says.
    pub store: String,
}

/// `repo:tag` on Docker Hub, or `registry/library/repo:tag` on a mirror with Hub's layout.
pub fn reference(registry: Option<&str>, repo: &str, tag: &str) -> String {
    match registry {
        Some(r) => format!("{r}/library/{repo}:{tag}"),
        None => format!("{repo}:{tag}"),
    }
}

/// The images for a Tomcat line, JRE and store, or `None` when the table has no tag for the line.
pub fn images_for(tomcat_major: u8, jre: Jre, store: Store, registry: Option<&str>) -> Option<OfficialImages> {
    let (_, tag) = TOMCAT_TAGS.iter().find(|(line, _)| *line == tomcat_major)?;
    let store = match store {
        Store::Memcached => reference(registry, "memcached", MEMCACHED_TAG),
        Store::Redis => reference(registry, "redis", REDIS_TAG),
    };
    Some(OfficialImages {
        tomcat: reference(registry, "tomcat", &tag.replace("{jre}", &jre.version().to_string())),
        nginx: reference(registry, "nginx", NGINX_TAG),
        store,
    })
}

/// The Java major version the official Tomcat image of a line runs.
pub fn java_of(tomcat_major: u8, jre: Jre) -> u8 {
    if tomcat_major == 7 {
        8
    } else {
        jre.version()
    }
}

/// The JVM options msmlab's own image sets, for the official image (which sets none). Jar
/// scanning keeps Tomcat's defaults, as in a stock Tomcat: the user's webapp may need its
/// TLDs; the test page skips its own scan (`templates/webapp/META-INF/context.xml`).
pub fn tomcat_java_opts() -> String {
    TOMCAT_JAVA_OPTS.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_names_and_a_mirror_with_the_same_layout() {
        let hub = images_for(9, Jre::Jre17, Store::Memcached, None).unwrap();
        assert_eq!(hub, OfficialImages { tomcat: "tomcat:9.0-jre17".into(), nginx: "nginx:1.27".into(), store: "memcached:1.6".into() });
        let local = images_for(9, Jre::Jre17, Store::Memcached, Some("127.0.0.1:5555")).unwrap();
        assert_eq!(local.tomcat, "127.0.0.1:5555/library/tomcat:9.0-jre17");
        assert_eq!(images_for(8, Jre::Jre21, Store::Redis, None).unwrap(), OfficialImages { tomcat: "tomcat:8.5-jre21".into(), nginx: "nginx:1.27".into(), store: "redis:7.2".into() });
        assert_eq!(images_for(7, Jre::Jre21, Store::Memcached, None).unwrap().tomcat, "tomcat:7.0.109-jdk8");
        assert_eq!(java_of(7, Jre::Jre21), 8);
        assert_eq!(images_for(10, Jre::Jre17, Store::Memcached, None).unwrap().tomcat, "tomcat:10.1-jre17");
        assert_eq!(images_for(11, Jre::Jre21, Store::Memcached, None).unwrap().tomcat, "tomcat:11.0-jdk21");
        assert_eq!(images_for(12, Jre::Jre21, Store::Memcached, None), None);
    }
}
