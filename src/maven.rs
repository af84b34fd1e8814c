//! Downloads pinned artifacts from a Maven repository into a cache in Maven's layout.
//!
//! A file reaches the cache only after its SHA-256 matched the lock: it is written to a
//! temporary file beside its final place, checked, then renamed. A cached file is checked
//! again before each use and never downloaded twice.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::lock::{Artifact, Coords};

/// Maven Central, the default repository.
pub const CENTRAL: &str = "https://repo1.maven.org/maven2";
/// Downloads in flight at once.
const PARALLEL: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{coords}: {url} answered {status}")]
    Status { coords: String, url: String, status: reqwest::StatusCode },
    #[error("{coords}: download from {url} failed")]
    Http { coords: String, url: String, source: reqwest::Error },
    #[error(
        "{coords}: checksum mismatch for {url}: jars.lock pins sha256 {expected}, the download has {actual}; \
         the file was discarded (is the repository a faithful mirror?)"
    )]
    Checksum { coords: String, url: String, expected: String, actual: String },
    #[error("{coords}: {url} sent {received} bytes where jars.lock pins {expected}; the file was discarded (a truncated download?)")]
    Size { coords: String, url: String, expected: u64, received: u64 },
    #[error("{coords}: {url} does not match the repository's own .sha1 (published {published}, file has {actual}): not pinned")]
    Sha1 { coords: String, url: String, published: String, actual: String },
    #[error("{url} is not UTF-8 text")]
    NotText { url: String },
    #[error("{coords}: cannot write to the cache at {path}")]
    Io { coords: String, path: String, source: std::io::Error },
}

/// Where fetched files live, and the repository they come from.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    repo: String,
    cache: PathBuf,
}

/// One artifact in the cache.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub artifact: Artifact,
    pub path: PathBuf,
    /// False when the cache already held a verified copy.
    pub downloaded: bool,
}

/// The cache directory: `$MSMLAB_CACHE_DIR`, else the user's cache dir + `msmlab`.
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MSMLAB_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("msmlab")
}

impl Fetcher {
    pub fn new(repo: &str, cache: PathBuf) -> Fetcher {
        let client = reqwest::Client::builder()
            .user_agent(concat!("msmlab/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(15))
            .read_timeout(Duration::from_secs(60))
            .build()
            .expect("a TLS backend is compiled in");
        Fetcher { client, repo: repo.trim_end_matches('/').to_string(), cache }
    }

    pub fn url(&self, a: &Artifact) -> String {
        format!("{}/{}", self.repo, a.coords.repo_path())
    }

    /// The cache path of an artifact: `<cache>/maven/<maven layout>`.
    pub fn path(&self, a: &Artifact) -> PathBuf {
        self.cache.join("maven").join(a.coords.repo_path())
    }

    /// A text file of the repository (a POM, `maven-metadata.xml`), and its URL.
    pub async fn text(&self, repo_path: &str) -> Result<(String, String), FetchError> {
        let url = format!("{}/{}", self.repo, repo_path);
        let bytes = self.get(&url, repo_path).await?;
        let text = String::from_utf8(bytes.to_vec()).map_err(|_| FetchError::NotText { url: url.clone() })?;
        Ok((text, url))
    }

    async fn get(&self, url: &str, what: &str) -> Result<bytes::Bytes, FetchError> {
        let http = |source| FetchError::Http { coords: what.into(), url: url.into(), source };
        let response = self.client.get(url).send().await.map_err(http)?;
        if !response.status().is_success() {
            return Err(FetchError::Status { coords: what.into(), url: url.into(), status: response.status() });
        }
        response.bytes().await.map_err(http)
    }

    /// Size and SHA-256 of a file in the repository, for pinning it: the download must match
    /// the `.sha1` the repository publishes beside it. Nothing is written to the cache.
    pub async fn digest(&self, coords: &Coords) -> Result<(u64, String), FetchError> {
        let url = format!("{}/{}", self.repo, coords.repo_path());
        let what = coords.to_string();
        let body = self.get(&url, &what).await?;
        let published = self.get(&format!("{url}.sha1"), &what).await?;
        let published = String::from_utf8_lossy(&published).split_whitespace().next().unwrap_or("").to_ascii_lowercase();
        let actual = hex::encode(sha1::Sha1::digest(&body));
        if published != actual {
            return Err(FetchError::Sha1 { coords: what, url, published, actual });
        }
        Ok((body.len() as u64, hex::encode(Sha256::digest(&body))))
    }

    /// Fetches every artifact, several at once; the result keeps the input order.
    pub async fn fetch_all(&self, artifacts: &[Artifact]) -> Result<Vec<Fetched>, FetchError> {
        futures_util::stream::iter(artifacts.iter().map(|a| self.fetch(a)))
            .buffered(PARALLEL)
            .try_collect()
            .await
    }

    pub async fn fetch(&self, a: &Artifact) -> Result<Fetched, FetchError> {
        let path = self.path(a);
        let coords = a.coords.to_string();
        let io = |source, p: &Path| FetchError::Io { coords: coords.clone(), path: p.display().to_string(), source };
        if let Some(actual) = sha256_file(&path).await.map_err(|e| io(e, &path))? {
            if actual == a.sha256 {
                return Ok(Fetched { artifact: a.clone(), path, downloaded: false });
            }
            // A cached file that fails its checksum is not trusted: fetch it again.
            tokio::fs::remove_file(&path).await.map_err(|e| io(e, &path))?;
        }
        let dir = path.parent().expect("cache paths have a parent");
        tokio::fs::create_dir_all(dir).await.map_err(|e| io(e, dir))?;
        let tmp = dir.join(format!(".{}.part-{}", a.coords.file_name(), std::process::id()));
        let result = self.download(a, &tmp).await;
        match result {
            Ok(()) => {
                tokio::fs::rename(&tmp, &path).await.map_err(|e| io(e, &path))?;
                Ok(Fetched { artifact: a.clone(), path, downloaded: true })
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                Err(e)
            }
        }
    }

    async fn download(&self, a: &Artifact, tmp: &Path) -> Result<(), FetchError> {
        let url = self.url(a);
        let coords = a.coords.to_string();
        let http = |source| FetchError::Http { coords: coords.clone(), url: url.clone(), source };
        let io = |source| FetchError::Io { coords: coords.clone(), path: tmp.display().to_string(), source };
        let response = self.client.get(&url).send().await.map_err(http)?;
        if !response.status().is_success() {
            return Err(FetchError::Status { coords, url, status: response.status() });
        }
        let mut file = tokio::fs::File::create(tmp).await.map_err(io)?;
        let mut hasher = Sha256::new();
        let mut received: u64 = 0;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(http)?;
            received += chunk.len() as u64;
            hasher.update(&chunk);
            file.write_all(&chunk).await.map_err(io)?;
        }
        file.flush().await.map_err(io)?;
        if let Some(expected) = a.size.filter(|&size| size != received) {
            return Err(FetchError::Size { coords, url, expected, received });
        }
        let actual = hex::encode(hasher.finalize());
        if actual != a.sha256 {
            return Err(FetchError::Checksum { coords, url, expected: a.sha256.clone(), actual });
        }
        Ok(())
    }
}

/// The SHA-256 of a file, or `None` when it does not exist.
pub async fn sha256_file(path: &Path) -> std::io::Result<Option<String>> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut hasher = Sha256::new();
        std::io::copy(&mut file, &mut hasher)?;
        Ok(Some(hex::encode(hasher.finalize())))
    })
    .await
    .expect("hashing does not panic")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lock::Coords;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A one-file Maven repository on loopback that counts the requests it serves.
    async fn serve(body: &'static [u8], status: &'static str) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = hits.clone();
        tokio::spawn(async move {
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let head = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(body).await;
            }
        });
        (format!("http://{addr}/repo"), hits)
    }

    fn artifact(body: &[u8]) -> Artifact {
        Artifact {
            coords: Coords::parse("org.example:thing:1.0").unwrap(),
            size: Some(body.len() as u64),
            sha256: hex::encode(Sha256::digest(body)),
        }
    }

    #[tokio::test]
    async fn a_verified_download_is_cached_and_never_fetched_again() {
        let (repo, hits) = serve(b"jar bytes", "200 OK").await;
        let cache = tempfile::tempdir().unwrap();
        let f = Fetcher::new(&repo, cache.path().to_path_buf());
        let a = artifact(b"jar bytes");
        let first = f.fetch(&a).await.unwrap();
        assert!(first.downloaded);
        assert_eq!(first.path, cache.path().join("maven/org/example/thing/1.0/thing-1.0.jar"));
        assert_eq!(std::fs::read(&first.path).unwrap(), b"jar bytes");
        let second = f.fetch(&a).await.unwrap();
        assert!(!second.downloaded);
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_checksum_mismatch_names_the_artifact_and_url_and_caches_nothing() {
        let (repo, _) = serve(b"tampered", "200 OK").await;
        let cache = tempfile::tempdir().unwrap();
        let f = Fetcher::new(&repo, cache.path().to_path_buf());
        let a = artifact(b"original");
        let err = f.fetch(&a).await.unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, FetchError::Checksum { .. }), "{msg}");
        assert!(msg.contains("org.example:thing:1.0"), "{msg}");
        assert!(msg.contains(&format!("{repo}/org/example/thing/1.0/thing-1.0.jar")), "{msg}");
        let dir = cache.path().join("maven/org/example/thing/1.0");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "no file, not even a partial one, is left");
    }

    #[tokio::test]
    async fn a_truncated_download_is_refused_by_its_size() {
        let (repo, _) = serve(b"half", "200 OK").await;
        let cache = tempfile::tempdir().unwrap();
        let mut a = artifact(b"half");
        a.size = Some(8);
        let err = Fetcher::new(&repo, cache.path().to_path_buf()).fetch(&a).await.unwrap_err();
        assert!(err.to_string().contains("sent 4 bytes where jars.lock pins 8"), "{err}");
        assert!(!cache.path().join("maven/org/example/thing/1.0/thing-1.0.jar").exists());
    }

    #[tokio::test]
    async fn a_missing_artifact_is_an_error_naming_the_url() {
        let (repo, _) = serve(b"", "404 Not Found").await;
        let cache = tempfile::tempdir().unwrap();
        let err = Fetcher::new(&repo, cache.path().to_path_buf()).fetch(&artifact(b"x")).await.unwrap_err();
        assert_eq!(err.to_string(), format!("org.example:thing:1.0: {repo}/org/example/thing/1.0/thing-1.0.jar answered 404 Not Found"));
    }

    #[tokio::test]
    async fn a_corrupted_cache_file_is_replaced_by_a_verified_download() {
        let (repo, hits) = serve(b"good", "200 OK").await;
        let cache = tempfile::tempdir().unwrap();
        let f = Fetcher::new(&repo, cache.path().to_path_buf());
        let a = artifact(b"good");
        std::fs::create_dir_all(f.path(&a).parent().unwrap()).unwrap();
        std::fs::write(f.path(&a), b"bit rot").unwrap();
        let got = f.fetch(&a).await.unwrap();
        assert!(got.downloaded);
        assert_eq!(std::fs::read(&got.path).unwrap(), b"good");
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
