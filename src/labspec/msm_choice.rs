//! The msm half of a lab: what decides the jars and the rendered `context.xml`, and where the
//! images and jars come from, checked without I/O. `render` needs no more for real servers.

use serde::Serialize;

use crate::labspec::errors::SpecError;
use crate::labspec::msm_kinds::{ImageSource, LockingMode, Serializer, SessionManager, Store, TomcatLine};
use crate::labspec::msm_options::MsmOptions;

/// The msm choices a lab and a bundle for real servers share: what decides the jars and the
/// rendered `context.xml`, and where the images and jars come from. `render` needs no more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MsmChoice {
    pub tomcat: TomcatLine,
    pub serializer: Serializer,
    pub store: Store,
    pub session_manager: SessionManager,
    pub base_image: String,
    pub maven_repo: String,
    pub images: ImageSource,
    /// Registry host (and port) official images are pulled from; `None`: Docker Hub.
    pub registry: Option<String>,
    /// Types xstream may read back besides its defaults (`--xstream-allow`): msmlab's
    /// allow-list transcoder factory replaces msm's.
    pub xstream_allow: Vec<String>,
    /// msm's `lockingMode` (non-sticky only).
    pub locking_mode: LockingMode,
    /// The other `<Manager>` attributes a team tunes (flattened: one JSON object per lab).
    #[serde(flatten)]
    pub options: MsmOptions,
}

impl MsmChoice {
    /// What every verb that makes a lab asks for; the rest as a lab has it unless told
    /// otherwise: msm, msmlab's own images, Docker Hub, no allow-list, no locking, msm's
    /// other attributes at their defaults. A new field gets its default here, once.
    pub fn new(tomcat: TomcatLine, serializer: Serializer, store: Store, base_image: String, maven_repo: String) -> MsmChoice {
        MsmChoice {
            tomcat,
            serializer,
            store,
            session_manager: SessionManager::Msm,
            base_image,
            maven_repo,
            images: ImageSource::Built,
            registry: None,
            xstream_allow: Vec::new(),
            locking_mode: LockingMode::None,
            options: MsmOptions::default(),
        }
    }

    /// Checks the values that are not checked by their types.
    pub fn validate(self) -> Result<Self, SpecError> {
        validate_sources(&self.maven_repo, &self.base_image, self.registry.as_deref())?;
        validate_xstream_allow(&self.xstream_allow, self.serializer, self.images)?;
        self.options.validate(self.serializer, self.store)?;
        Ok(self)
    }
}

/// `--xstream-allow`: patterns that cannot break out of the Java string they become, for
/// xstream only, and only where msmlab can compile them.
fn validate_xstream_allow(patterns: &[String], serializer: Serializer, images: ImageSource) -> Result<(), SpecError> {
    if patterns.is_empty() {
        return Ok(());
    }
    for p in patterns {
        let ok = !p.is_empty()
            && p.len() <= 200
            && p.chars().all(|c| c.is_ascii_alphanumeric() || "_$.*".contains(c))
            && !p.starts_with('.')
            && p.chars().any(|c| c.is_ascii_alphanumeric());
        if !ok {
            return Err(SpecError::XstreamPattern(p.clone()));
        }
    }
    if serializer != Serializer::Xstream {
        return Err(SpecError::XstreamAllowSerializer);
    }
    if images == ImageSource::Official {
        return Err(SpecError::XstreamAllowOfficial);
    }
    Ok(())
}

/// Where a lab's jars and images come from: the repository, the base image, the registry.
fn validate_sources(maven_repo: &str, base_image: &str, registry: Option<&str>) -> Result<(), SpecError> {
    validate_repo_url(maven_repo)?;
    validate_image_ref(base_image)?;
    registry.map_or(Ok(()), validate_registry)
}

fn validate_repo_url(url: &str) -> Result<(), SpecError> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| SpecError::MavenRepo(url.to_string()))?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(SpecError::MavenRepo(url.to_string()));
    }
    Ok(())
}

fn validate_image_ref(image: &str) -> Result<(), SpecError> {
    let ok = !image.is_empty()
        && image.len() <= 255
        && image
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/:@".contains(c))
        && !image.starts_with(['-', '.', '/', ':']);
    if ok {
        Ok(())
    } else {
        Err(SpecError::BaseImage(image.to_string()))
    }
}

/// A registry as a host with an optional port: it becomes the first part of image names.
pub fn validate_registry(registry: &str) -> Result<(), SpecError> {
    let (host, port) = registry.rsplit_once(':').map_or((registry, None), |(h, p)| (h, Some(p)));
    let host_ok = !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
        && !host.starts_with(['-', '.']);
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    if host_ok && port_ok {
        Ok(())
    } else {
        Err(SpecError::Registry(registry.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labspec::LabSpec;

    fn choice() -> MsmChoice {
        LabSpec::example().msm
    }

    #[test]
    fn maven_repo_must_be_an_http_url() {
        for bad in ["repo1.maven.org", "ftp://x", "https://", "https://a b"] {
            let s = MsmChoice { maven_repo: bad.into(), ..choice() };
            assert_eq!(s.validate(), Err(SpecError::MavenRepo(bad.into())), "{bad}");
        }
        assert!(MsmChoice { maven_repo: "http://127.0.0.1:8081/repo".into(), ..choice() }.validate().is_ok());
    }

    #[test]
    fn a_registry_is_a_host_and_an_optional_port() {
        for good in ["127.0.0.1:5555", "mirror.example.com", "reg-1.local:443"] {
            assert!(MsmChoice { registry: Some(good.into()), ..choice() }.validate().is_ok(), "{good}");
        }
        for bad in ["", "http://x", "a/b", "host:0", "host:port", "-x"] {
            let s = MsmChoice { registry: Some(bad.into()), ..choice() };
            assert_eq!(s.validate(), Err(SpecError::Registry(bad.into())), "{bad}");
        }
    }

    #[test]
    fn base_image_must_be_an_image_reference() {
        for bad in ["", "debian bookworm", "-x", "a;rm -rf /"] {
            let s = MsmChoice { base_image: bad.into(), ..choice() };
            assert_eq!(s.validate(), Err(SpecError::BaseImage(bad.into())), "{bad}");
        }
        assert!(MsmChoice { base_image: "registry.local:5000/debian@sha256:abc".into(), ..choice() }.validate().is_ok());
    }
}
