//! `--images official`: Docker Hub's `tomcat`, `nginx` and `memcached` images instead of the
//! ones msmlab builds, pulled through the engine (from Docker Hub, or from `--registry`).
//!
//! The official Tomcat image has the layout msmlab's own has (`CATALINA_HOME=/usr/local/tomcat`,
//! `catalina.sh run`, an empty `webapps/`), so the same uploads work; it runs as root. Its
//! Tomcat release is whatever the tag holds that day, not the one `jars.lock` pins: the msm
//! jars are still the pinned ones.

use std::collections::HashMap;

use futures_util::future::try_join_all;
use serde::Serialize;

use crate::engine::{Engine, EngineError, PullProgress};
use crate::images::TOMCAT_JAVA_OPTS;
use crate::lab::{at, Images, LabError};
use crate::names::Role;
use crate::plan::Plan;
use crate::progress::Progress;

/// The official Tomcat tag for each Tomcat line msm supports (msm-facts §7): 9.0 is current,
/// 8.5 and 7 are frozen at their last releases, 6 exists only with Java 8.
pub const TOMCAT_TAGS: &[(u8, &str)] = &[(9, "9.0-jre17"), (8, "8.5-jre17"), (7, "7.0.109-jdk8"), (6, "6.0.53-jre8")];
/// Pinned to a minor line, so a lab does not change under the user's feet.
pub const NGINX_TAG: &str = "1.27";
pub const MEMCACHED_TAG: &str = "1.6";

/// Jar scanning off, as in msmlab's own Tomcat image (its `catalina.properties` cannot be
/// edited in an image we only pull, but the system property does the same).
const TOMCAT_SCAN_OFF: &str = "-Dtomcat.util.scan.StandardJarScanFilter.jarsToSkip=*.jar";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficialImages {
    pub tomcat: String,
    pub nginx: String,
    pub memcached: String,
}

/// `repo:tag` on Docker Hub, or `registry/library/repo:tag` on a mirror with Hub's layout.
pub fn reference(registry: Option<&str>, repo: &str, tag: &str) -> String {
    match registry {
        Some(r) => format!("{r}/library/{repo}:{tag}"),
        None => format!("{repo}:{tag}"),
    }
}

/// The images for a Tomcat line, or `None` when the table has no tag for it.
pub fn images_for(tomcat_major: u8, registry: Option<&str>) -> Option<OfficialImages> {
    let (_, tag) = TOMCAT_TAGS.iter().find(|(line, _)| *line == tomcat_major)?;
    Some(OfficialImages {
        tomcat: reference(registry, "tomcat", tag),
        nginx: reference(registry, "nginx", NGINX_TAG),
        memcached: reference(registry, "memcached", MEMCACHED_TAG),
    })
}

/// The JVM options msmlab's own image sets, for the official image (which sets none).
pub fn tomcat_java_opts() -> String {
    format!("{TOMCAT_JAVA_OPTS} {TOMCAT_SCAN_OFF}")
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// A line for the progress display.
pub fn describe(p: &PullProgress) -> String {
    format!("pulling: {} of {} layers, {} of {}", p.layers_done, p.layers, megabytes(p.current), megabytes(p.total))
}

/// Pulls the three images (those the engine lacks), each with its own progress line.
pub async fn ensure_images(engine: &Engine, plan: &Plan, progress: &Progress) -> Result<Images, LabError> {
    let major = plan.spec.tomcat.major();
    let images = images_for(major, plan.spec.registry.as_deref()).ok_or_else(|| LabError::Step {
        step: "choosing the official images".into(),
        cleanup: None,
        source: format!("no official Tomcat tag is known for Tomcat {major}").into(),
    })?;
    let wanted = [(Role::Memcached, images.memcached), (Role::Tomcat, images.tomcat), (Role::Nginx, images.nginx)];
    let pulled = try_join_all(wanted.into_iter().map(|(role, image)| async move {
        let step = progress.step(format!("Image {image}"));
        let pulled = step
            .check(engine.pull(&image, |p| step.update(describe(p))).await)
            .map_err(at::<EngineError>(format!("pulling {image}")))?;
        step.done(if pulled { "pulled" } else { "present" });
        Ok::<_, LabError>((role, image))
    }))
    .await?;
    // The official memcached image runs `memcached` with no options; give the lab's.
    let cmd = HashMap::from([(Role::Memcached, ["memcached", "-p", "11211", "-U", "0", "-m", "64"].map(String::from).to_vec())]);
    Ok(Images { by_role: pulled.into_iter().collect(), cmd })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_names_and_a_mirror_with_the_same_layout() {
        let hub = images_for(9, None).unwrap();
        assert_eq!(hub, OfficialImages { tomcat: "tomcat:9.0-jre17".into(), nginx: "nginx:1.27".into(), memcached: "memcached:1.6".into() });
        let local = images_for(9, Some("127.0.0.1:5555")).unwrap();
        assert_eq!(local.tomcat, "127.0.0.1:5555/library/tomcat:9.0-jre17");
        assert_eq!(images_for(7, None).unwrap().tomcat, "tomcat:7.0.109-jdk8");
        assert_eq!(images_for(10, None), None);
    }

    #[test]
    fn progress_reads_in_megabytes() {
        let p = PullProgress { layers: 4, layers_done: 1, current: 12_345_678, total: 45_600_000 };
        assert_eq!(describe(&p), "pulling: 1 of 4 layers, 12.3 MB of 45.6 MB");
    }
}
