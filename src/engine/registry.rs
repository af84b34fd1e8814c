//! The registry a swarm's nodes pull from, spoken to directly (Docker Registry HTTP API v2):
//! `down` deletes the manifests msmlab pushed for a lab. The engine API can push but not
//! delete from a registry.

use std::time::Duration;

/// What became of one pushed image on `down`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Deleted {
    Deleted,
    /// Not there (any more): nothing to do.
    Gone,
    /// The registry keeps it, and why (a registry without `storage.delete.enabled` answers 405).
    Kept(String),
}

/// `registry/repo@sha256:…` split into the registry, the repository and the digest.
pub fn parse_pushed(reference: &str) -> Option<(&str, &str, &str)> {
    let (name, digest) = reference.split_once('@')?;
    let (registry, repo) = name.split_once('/')?;
    (digest.starts_with("sha256:") && !repo.is_empty() && registry.contains([':', '.'])).then_some((registry, repo, digest))
}

/// `registry/repo:tag` split into the registry, the repository and the tag: a tag msmlab
/// gave a lab image it pushed.
pub fn parse_tagged(reference: &str) -> Option<(&str, &str, &str)> {
    let (registry, rest) = reference.split_once('/')?;
    let (repo, tag) = rest.rsplit_once(':')?;
    (registry.contains([':', '.']) && !repo.is_empty() && !tag.is_empty() && !reference.contains('@')).then_some((registry, repo, tag))
}

/// Deletes what a tag names: the registry says its digest (`HEAD`), which is then deleted.
pub async fn delete_tagged(reference: &str) -> Deleted {
    let Some((registry, repo, tag)) = parse_tagged(reference) else {
        return Deleted::Kept(format!("{reference} is not a pushed reference (registry/repo:tag)"));
    };
    match send(registry, &format!("/v2/{repo}/manifests/{tag}"), reqwest::Method::HEAD).await {
        Ok((_, r)) if r.status().as_u16() == 404 => Deleted::Gone,
        Ok((url, r)) => match r.headers().get("Docker-Content-Digest").and_then(|d| d.to_str().ok()) {
            Some(digest) => delete_manifest(&format!("{registry}/{repo}@{digest}")).await,
            None => Deleted::Kept(format!("{url} answered {} without a digest", r.status())),
        },
        Err(why) => Deleted::Kept(why),
    }
}

/// The manifest type the engine pushes (Docker's schema 2).
const SCHEMA2: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// Deletes a manifest by digest.
pub async fn delete_manifest(reference: &str) -> Deleted {
    let Some((registry, repo, digest)) = parse_pushed(reference) else {
        return Deleted::Kept(format!("{reference} is not a pushed reference (registry/repo@sha256:…)"));
    };
    match send(registry, &format!("/v2/{repo}/manifests/{digest}"), reqwest::Method::DELETE).await {
        Ok((_, r)) if r.status().is_success() => Deleted::Deleted,
        Ok((_, r)) if r.status().as_u16() == 404 => Deleted::Gone,
        Ok((url, r)) if r.status().as_u16() == 405 => Deleted::Kept(format!("{url}: the registry does not allow deletes (storage.delete.enabled)")),
        Ok((url, r)) => Deleted::Kept(format!("{url} answered {}", r.status())),
        Err(why) => Deleted::Kept(why),
    }
}

/// One request to the registry, and the URL that answered. The registry speaks plain HTTP when
/// the nodes trust it as an insecure registry, else HTTPS: both are tried, HTTPS first. The
/// engine pushes schema 2 manifests; asked without that type, a registry answers for a
/// converted manifest of another digest, and a delete finds nothing.
async fn send(registry: &str, path: &str, method: reqwest::Method) -> Result<(String, reqwest::Response), String> {
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().expect("a plain HTTP client builds");
    let mut last = String::new();
    for scheme in ["https", "http"] {
        let url = format!("{scheme}://{registry}{path}");
        match client.request(method.clone(), &url).header("Accept", SCHEMA2).send().await {
            Ok(r) => return Ok((url, r)),
            Err(e) => last = format!("{url}: {e}"),
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushed_references_split_into_registry_repository_and_digest() {
        assert_eq!(parse_pushed("172.31.251.2:5000/msmlab-x-tomcat@sha256:ab"), Some(("172.31.251.2:5000", "msmlab-x-tomcat", "sha256:ab")));
        assert_eq!(parse_pushed("msmlab-x-tomcat:lab"), None);
        assert_eq!(parse_pushed("msmlab-tomcat@sha256:ab"), None);
        assert_eq!(parse_tagged("172.31.251.2:5000/msmlab-lab-x-tomcat:3f6a"), Some(("172.31.251.2:5000", "msmlab-lab-x-tomcat", "3f6a")));
        assert_eq!(parse_tagged("msmlab-lab-x-tomcat:3f6a"), None);
    }
}
