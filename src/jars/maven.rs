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

use crate::exit::{Classified, ExitStatus};
use crate::jars::lock::{Artifact, Coords};

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
    #[error("{coords}: refusing plain http for {url}; use an https:// repository, or accept plain http with --allow-http")]
    PlainHttp { coords: String, url: String },
    #[error(
        "{coords}: {url} answered {what}, not the artifact; is --maven-repo {repo} a Maven repository? \
         (accepted: a Maven 2 layout repository such as {CENTRAL}, or a mirror of it)"
    )]
    NotAnArtifact { coords: String, url: String, repo: String, what: String },
}

/// Where fetched files live, and the repository they come from.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    repo: String,
    cache: PathBuf,
    allow_http: bool,
}

/// One artifact in the cache.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub artifact: Artifact,
    pub path: PathBuf,
    /// False when the cache already held a verified copy.
    pub downloaded: bool,
    /// The SHA-256 of a cached copy that failed its check and was replaced, if there was one.
    pub replaced_corrupt: Option<String>,
}

/// The cache directory: `$MSMLAB_CACHE_DIR`, else the user's cache dir + `msmlab`.
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MSMLAB_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("msmlab")
}

impl Fetcher {
    /// A fetcher that only speaks https, redirects included (see `allow_http`).
    pub fn new(repo: &str, cache: PathBuf) -> Fetcher {
        Fetcher { client: client(false), repo: repo.trim_end_matches('/').to_string(), cache, allow_http: false }
    }

    /// Lets downloads (and redirects) use plain http: the user opted in with `--allow-http`.
    pub fn allow_http(self, allow: bool) -> Fetcher {
        Fetcher { client: client(allow), allow_http: allow, ..self }
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
        let mut replaced_corrupt = None;
        if let Some(actual) = sha256_file(&path).await.map_err(|e| io(e, &path))? {
            if actual == a.sha256 {
                return Ok(Fetched { artifact: a.clone(), path, downloaded: false, replaced_corrupt });
            }
            // A cached file that fails its checksum is not trusted: it goes, and is fetched again.
            tokio::fs::remove_file(&path).await.map_err(|e| io(e, &path))?;
            replaced_corrupt = Some(actual);
        }
        let url = self.url(a);
        if !self.allow_http && crate::labspec::trust::is_plain_http(&url) {
            return Err(FetchError::PlainHttp { coords, url });
        }
        let dir = path.parent().expect("cache paths have a parent");
        tokio::fs::create_dir_all(dir).await.map_err(|e| io(e, dir))?;
        // Removed when dropped: a failed check, an error, or an interrupt that drops this
        // future mid-download all leave nothing unverified in the cache.
        let tmp = PartFile(dir.join(format!(".{}.part-{}", a.coords.file_name(), std::process::id())));
        // Created here, synchronously, so that the file exists before the guard can run: a
        // create still in flight on the blocking pool when the future is dropped would land
        // after the guard had nothing to remove.
        let file = std::fs::File::create(&tmp.0).map_err(|e| io(e, &tmp.0))?;
        self.download(a, &tmp.0, tokio::fs::File::from_std(file)).await?;
        tokio::fs::rename(&tmp.0, &path).await.map_err(|e| io(e, &path))?;
        Ok(Fetched { artifact: a.clone(), path, downloaded: true, replaced_corrupt })
    }

    async fn download(&self, a: &Artifact, tmp: &Path, mut file: tokio::fs::File) -> Result<(), FetchError> {
        let url = self.url(a);
        let coords = a.coords.to_string();
        let http = |source| FetchError::Http { coords: coords.clone(), url: url.clone(), source };
        let io = |source| FetchError::Io { coords: coords.clone(), path: tmp.display().to_string(), source };
        let response = self.client.get(&url).send().await.map_err(http)?;
        if !response.status().is_success() {
            return Err(FetchError::Status { coords, url, status: response.status() });
        }
        let not_an_artifact = |what: &str| FetchError::NotAnArtifact {
            coords: coords.clone(),
            url: url.clone(),
            repo: self.repo.clone(),
            what: what.into(),
        };
        let content_type = response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if content_type.to_ascii_lowercase().starts_with("text/html") {
            return Err(not_an_artifact(&format!("an HTML page ({content_type})")));
        }
        let mut hasher = Sha256::new();
        let mut received: u64 = 0;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(http)?;
            // No artifact msmlab pins (jar, tar.gz) starts like a web page.
            if received == 0 && looks_like_html(&chunk) {
                return Err(not_an_artifact("an HTML page"));
            }
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

fn client(allow_http: bool) -> reqwest::Client {
    // A redirect may not downgrade https to http unless the user accepted plain http.
    let redirects = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 10 {
            attempt.error("too many redirects")
        } else if !allow_http && attempt.url().scheme() != "https" {
            let to = attempt.url().to_string();
            attempt.error(format!("refusing a redirect to plain http ({to}); accept plain http with --allow-http"))
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .user_agent(concat!("msmlab/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(Duration::from_secs(60))
        .redirect(redirects)
        .build()
        .expect("a TLS backend is compiled in")
}

fn looks_like_html(start: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&start[..start.len().min(64)]).trim_start().to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.starts_with("<head") || head.starts_with("<body")
}

/// A download in progress beside its final place in the cache; removed unless renamed.
struct PartFile(PathBuf);

impl Drop for PartFile {
    fn drop(&mut self) {
        // After a successful rename the file is gone and this fails harmlessly.
        let _ = std::fs::remove_file(&self.0);
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

impl Classified for FetchError {
    /// A repository that serves something other than the pinned jar is the user's to change
    /// (bad input); one that cannot be reached, or fails, is the environment.
    fn exit_status(&self) -> ExitStatus {
        match self {
            FetchError::Http { .. } | FetchError::Io { .. } => ExitStatus::Failed,
            FetchError::Status { status, .. } if status.is_server_error() => ExitStatus::Failed,
            _ => ExitStatus::BadInput,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jars::lock::Coords;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A one-file Maven repository on loopback that counts the requests it serves.
    async fn serve(body: &'static [u8], status: &'static str) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        serve_as(body, status, "application/java-archive").await
    }

    async fn serve_as(
        body: &'static [u8],
        status: &'static str,
        content_type: &'static str,
    ) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
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
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
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
        let f = Fetcher::new(&repo, cache.path().to_path_buf()).allow_http(true);
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
        let f = Fetcher::new(&repo, cache.path().to_path_buf()).allow_http(true);
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
        let err = Fetcher::new(&repo, cache.path().to_path_buf()).allow_http(true).fetch(&a).await.unwrap_err();
        assert!(err.to_string().contains("sent 4 bytes where jars.lock pins 8"), "{err}");
        assert!(!cache.path().join("maven/org/example/thing/1.0/thing-1.0.jar").exists());
    }

    #[tokio::test]
    async fn a_missing_artifact_is_an_error_naming_the_url() {
        let (repo, _) = serve(b"", "404 Not Found").await;
        let cache = tempfile::tempdir().unwrap();
        let err = Fetcher::new(&repo, cache.path().to_path_buf()).allow_http(true).fetch(&artifact(b"x")).await.unwrap_err();
        assert_eq!(err.to_string(), format!("org.example:thing:1.0: {repo}/org/example/thing/1.0/thing-1.0.jar answered 404 Not Found"));
    }

    #[tokio::test]
    async fn a_corrupted_cache_file_is_replaced_by_a_verified_download() {
        let (repo, hits) = serve(b"good", "200 OK").await;
        let cache = tempfile::tempdir().unwrap();
        let f = Fetcher::new(&repo, cache.path().to_path_buf()).allow_http(true);
        let a = artifact(b"good");
        std::fs::create_dir_all(f.path(&a).parent().unwrap()).unwrap();
        std::fs::write(f.path(&a), b"bit rot").unwrap();
        let got = f.fetch(&a).await.unwrap();
        assert!(got.downloaded);
        assert_eq!(got.replaced_corrupt, Some(hex::encode(Sha256::digest(b"bit rot"))), "the corruption is reported");
        assert_eq!(std::fs::read(&got.path).unwrap(), b"good");
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn plain_http_is_refused_without_the_opt_in_before_any_request() {
        let (repo, hits) = serve(b"jar", "200 OK").await;
        let cache = tempfile::tempdir().unwrap();
        let err = Fetcher::new(&repo, cache.path().to_path_buf()).fetch(&artifact(b"jar")).await.unwrap_err();
        assert!(matches!(err, FetchError::PlainHttp { .. }), "{err}");
        assert!(err.to_string().contains("--allow-http"), "{err}");
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_repository_answering_html_is_named_and_nothing_is_cached() {
        const PAGE: &[u8] = b"<!DOCTYPE html><html><body>Welcome to our portal</body></html>";
        for content_type in ["text/html; charset=utf-8", "application/octet-stream"] {
            let (repo, _) = serve_as(PAGE, "200 OK", content_type).await;
            let cache = tempfile::tempdir().unwrap();
            let err = Fetcher::new(&repo, cache.path().to_path_buf()).allow_http(true).fetch(&artifact(b"jar")).await.unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, FetchError::NotAnArtifact { .. }), "{msg}");
            assert!(msg.contains(&format!("is --maven-repo {repo} a Maven repository?")), "{msg}");
            assert!(msg.contains(CENTRAL), "the accepted kind of value is named: {msg}");
            let dir = cache.path().join("maven/org/example/thing/1.0");
            assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "{content_type}: nothing left in the cache");
        }
    }

    #[tokio::test]
    async fn an_interrupted_download_leaves_no_partial_file() {
        // A repository that sends half the body and then stalls.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\nhalf").await;
            tokio::time::sleep(Duration::from_secs(60)).await;
        });
        let cache = tempfile::tempdir().unwrap();
        let f = Fetcher::new(&format!("http://{addr}/repo"), cache.path().to_path_buf()).allow_http(true);
        let a = artifact(b"halfhalf");
        let dir = cache.path().join("maven/org/example/thing/1.0");
        // Dropping the fetch future is what an interrupt of `up` does to it.
        let mut fetch = Box::pin(f.fetch(&a));
        let wait_for_part = async {
            loop {
                if std::fs::read_dir(&dir).map(|d| d.count() > 0).unwrap_or(false) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        tokio::select! {
            r = &mut fetch => panic!("the stalled download ended: {:?}", r.map(|f| f.path)),
            _ = wait_for_part => {}
        }
        drop(fetch);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "the .part file went with the dropped download");
    }
}
