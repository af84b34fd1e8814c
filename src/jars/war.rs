//! A webapp's WAR from a Maven repository (`--webapp maven:…`), fetched as the jars are:
//! through `maven::Fetcher`, into the same cache, renamed into place only after its SHA-256
//! matched the pin, and re-hashed before each reuse.
//!
//! The pin comes from the user, not from `jars.lock`, so the refusals say how to pin: both
//! hashes when the download differs, and the file's own hash when there was no pin at all.

use std::path::PathBuf;

use crate::exit::{Classified, ExitStatus};
use crate::jars::lock::{Artifact, Coords};
use crate::jars::maven::{FetchError, Fetcher};
use crate::labspec::maven_war::MavenWar;

#[derive(Debug, thiserror::Error)]
pub enum WarError {
    #[error(
        "--webapp {war} has no @sha256 pin, and msmlab deploys only pinned downloads: {url} has sha256 {actual} \
         ({size} bytes; it matches the repository's .sha1). If that is the WAR you mean, use --webapp {pinned}"
    )]
    Unpinned { war: String, url: String, actual: String, size: u64, pinned: String },
    #[error(
        "--webapp {war}: checksum mismatch for {url}: the pin says sha256 {expected}, the download has {actual}; \
         the file was discarded. Check where the pin came from; if you trust the new file, use --webapp {pinned}"
    )]
    Mismatch { war: String, url: String, expected: String, actual: String, pinned: String },
    #[error("--webapp {war}: cannot fetch the WAR")]
    Fetch {
        war: String,
        #[source]
        source: FetchError,
    },
}

impl Classified for WarError {
    /// A missing or wrong pin is the user's to fix; a fetch keeps its own class (a repository
    /// that cannot be reached is the environment).
    fn exit_status(&self) -> ExitStatus {
        match self {
            WarError::Unpinned { .. } | WarError::Mismatch { .. } => ExitStatus::BadInput,
            WarError::Fetch { source, .. } => source.exit_status(),
        }
    }
}

/// The WAR in the cache, and whether this call downloaded it.
#[derive(Debug, Clone)]
pub struct FetchedWar {
    pub path: PathBuf,
    pub downloaded: bool,
}

/// Fetches a pinned WAR into the cache (a verified cached copy is reused). Without a pin,
/// nothing is cached: the file is hashed (checked against the repository's `.sha1`) only to
/// say which pin to add.
pub async fn fetch(fetcher: &Fetcher, war: &MavenWar) -> Result<FetchedWar, WarError> {
    // MavenWar admits only characters that Coords admits, so this cannot fail.
    let coords = Coords::parse(&war.coords()).expect("a parsed MavenWar is valid coordinates");
    let fetch_error = |source| WarError::Fetch { war: war.to_string(), source };
    let Some(sha256) = war.sha256.clone() else {
        let (size, actual) = fetcher.digest(&coords).await.map_err(fetch_error)?;
        let artifact = Artifact { coords, size: None, sha256: String::new() };
        return Err(WarError::Unpinned { war: war.to_string(), url: fetcher.url(&artifact), pinned: war.pinned(&actual).to_string(), actual, size });
    };
    match fetcher.fetch(&Artifact { coords, size: None, sha256 }).await {
        Ok(fetched) => Ok(FetchedWar { path: fetched.path, downloaded: fetched.downloaded }),
        Err(FetchError::Checksum { url, expected, actual, .. }) => {
            Err(WarError::Mismatch { war: war.to_string(), url, expected, pinned: war.pinned(&actual).to_string(), actual })
        }
        Err(source) => Err(fetch_error(source)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    const WAR: &[u8] = b"PK\x05\x06 a pretend war";

    /// A Maven repository on loopback that serves `WAR` and its `.sha1` at any path.
    async fn repository() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = vec![0u8; 4096];
                let n = socket.read(&mut request).await.unwrap_or(0);
                let line = String::from_utf8_lossy(&request[..n]).lines().next().unwrap_or("").to_string();
                let body = if line.contains(".sha1 ") { hex::encode(sha1::Sha1::digest(WAR)).into_bytes() } else { WAR.to_vec() };
                let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
            }
        });
        format!("http://{addr}")
    }

    fn war(pin: Option<&str>) -> MavenWar {
        let text = match pin {
            Some(hex) => format!("maven:org.example:shop:1.0@sha256:{hex}"),
            None => "maven:org.example:shop:1.0".into(),
        };
        text.parse().unwrap()
    }

    #[tokio::test]
    async fn a_pinned_war_is_cached_an_unpinned_or_wrong_one_is_refused_with_the_pin_to_use() {
        let cache = tempfile::tempdir().unwrap();
        let fetcher = Fetcher::new(&repository().await, cache.path().into()).allow_http(true);
        let right = hex::encode(Sha256::digest(WAR));

        let err = fetch(&fetcher, &war(None)).await.unwrap_err();
        assert_eq!(err.exit_status(), ExitStatus::BadInput);
        let text = err.to_string();
        assert!(text.contains(&format!("--webapp maven:org.example:shop:1.0@sha256:{right}")), "{text}");
        assert!(text.contains("/org/example/shop/1.0/shop-1.0.war"), "{text}");

        let wrong = "0".repeat(64);
        let err = fetch(&fetcher, &war(Some(&wrong))).await.unwrap_err();
        assert_eq!(err.exit_status(), ExitStatus::BadInput);
        let text = err.to_string();
        assert!(text.contains(&wrong) && text.contains(&right) && text.contains("shop-1.0.war"), "{text}");

        let first = fetch(&fetcher, &war(Some(&right))).await.unwrap();
        assert!(first.downloaded);
        assert_eq!(std::fs::read(&first.path).unwrap(), WAR);
        let again = fetch(&fetcher, &war(Some(&right))).await.unwrap();
        assert!(!again.downloaded, "the second fetch uses the cache");
    }
}
