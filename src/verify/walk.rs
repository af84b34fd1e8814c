//! The walk: requests through nginx with one cookie jar, as a browser would send them, each
//! answer recorded with the Tomcat that gave it.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::cookie::CookieStore;
use serde::{Deserialize, Serialize};

use crate::engine::{ContainerInfo, Engine};
use crate::lab::{self, settings::LabSettings, LabUrl};
use crate::labspec::names::Role;
use crate::labspec::ImageSource;
use crate::verify::errors::VerifyError;
use crate::verify::probe::{Tokens, PROBE_HEADER};
use crate::verify::session_id::node_of;

/// The cookie Tomcat keeps its session id in.
pub const SESSION_COOKIE: &str = "JSESSIONID";

/// A URL path on the lab's nginx (`verify --path`), e.g. `/my/`; in JSON, the path itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct UrlPath(String);

impl FromStr for UrlPath {
    type Err = VerifyError;
    fn from_str(s: &str) -> Result<Self, VerifyError> {
        let ok = s.starts_with('/')
            && !s.starts_with("//")
            && s.len() <= 2000
            && s.chars().all(|c| c.is_ascii_graphic() && c != '#' && c != '\\');
        if ok {
            Ok(UrlPath(s.into()))
        } else {
            Err(VerifyError::Path(s.into()))
        }
    }
}

impl fmt::Display for UrlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What verify walks: msmlab's test page (which reports its backend and a visit counter), or
/// any page of the user's (judged by status, session cookie and nginx's upstream header).
#[derive(Debug, Clone)]
pub enum Page {
    Test,
    User(UrlPath),
}

impl Page {
    /// The page's URL on the lab at `lab`.
    pub fn url(&self, lab: &LabUrl) -> String {
        match self {
            Page::Test => format!("{}?format=json", lab.page()),
            Page::User(path) => lab.at(&path.0),
        }
    }

    pub fn is_test(&self) -> bool {
        matches!(self, Page::Test)
    }
}

/// The lab as found on the engine.
#[derive(Debug, Clone)]
pub struct Target {
    pub lab: String,
    /// Where nginx is reached from here (`lab::url`).
    pub url: LabUrl,
    pub nginx: String,
    /// On a swarm: the host nginx runs on.
    pub nginx_node: Option<String>,
    pub tomcats: Vec<ContainerInfo>,
    /// Every node of the session store (memcached or Redis), running or not: a stopped store
    /// is a failed check or a drill's finding, not an error.
    pub stores: Vec<ContainerInfo>,
    /// The settings the lab was made with, from its label.
    pub settings: LabSettings,
}

impl Target {
    /// Whether the Tomcats carry msmlab's session probe: msmlab's own images always did;
    /// official ones do when this msmlab made them (their probe label), not an older one.
    pub fn probed(&self) -> bool {
        self.settings.images != ImageSource::Official || self.tomcats.iter().all(|t| t.probe.is_some())
    }

    /// msm's `lockingMode` as the lab runs it, as `--locking-mode` writes it: `none` in sticky
    /// mode too, where msm ignores it.
    pub fn locking_mode(&self) -> String {
        self.settings.effective_locking_mode().map_or_else(|| "none".into(), ToString::to_string)
    }

    /// On a swarm, the host each Tomcat runs on, by name (empty on a single engine).
    pub fn nodes(&self) -> std::collections::BTreeMap<String, String> {
        self.tomcats.iter().filter_map(|t| Some((t.name.clone(), t.node.clone()?))).collect()
    }

    /// The store node that holds a session: the one its node id (`-n2`) names, else the first.
    pub fn store_for(&self, session_id: &str) -> Option<&ContainerInfo> {
        let index = node_of(session_id).unwrap_or(1);
        self.stores.iter().find(|m| m.index == index).or(self.stores.first())
    }

    /// The key msm stores a session under, for a page at `url` (a URL or its path): the
    /// session id with the lab's `storageKeyPrefix`, whose `context` is the page's webapp.
    pub fn storage_key(&self, id: &str, url: &str) -> String {
        let path = url.split_once("://").map_or(url, |(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]));
        let context = path.split(['/', '?']).nth(1).filter(|s| !s.is_empty()).map(|s| format!("/{s}")).unwrap_or_default();
        crate::labspec::storage_key(self.settings.storage_key_prefix.as_deref(), "localhost", &context, id)
    }
}

pub async fn target(engine: &Engine, lab: &str) -> Result<Target, VerifyError> {
    let found = lab::find(engine, lab).await?;
    if found.containers.is_empty() {
        return Err(VerifyError::NoLab(lab.into()));
    }
    let incomplete = |what: &str| VerifyError::Incomplete { lab: lab.into(), what: what.into() };
    let of = |role| found.containers.iter().filter(move |c| c.role == Some(role)).cloned().collect::<Vec<_>>();
    let nginx = of(Role::Nginx).into_iter().find(|c| c.state.is_running()).ok_or_else(|| incomplete("its nginx container is not running"))?;
    let port = nginx.published_port.ok_or_else(|| incomplete("nginx publishes no port"))?;
    let tomcats = of(Role::Tomcat);
    if tomcats.is_empty() {
        return Err(incomplete("it has no Tomcat container"));
    }
    let published = nginx.published.as_deref().and_then(|p| p.rsplit_once(':')).map_or("", |(ip, _)| ip);
    let url = LabUrl::on(engine, published, port);
    let stores = found.containers.iter().filter(|c| c.role.is_some_and(|r| r.is_store())).cloned().collect();
    // The settings label says how the lab was made (with the probe label: is the probe there).
    let settings = LabSettings::of(&tomcats[0])?;
    Ok(Target {
        lab: lab.into(),
        url,
        nginx_node: nginx.node.clone(),
        nginx: nginx.name,
        tomcats,
        stores,
        settings,
    })
}

/// One request and what came back.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Answer {
    pub n: usize,
    pub status: Option<u16>,
    /// The Tomcat that answered: the test page says so; otherwise nginx's upstream header.
    pub backend: Option<String>,
    /// nginx's `$upstream_addr`: every Tomcat it tried, the one that answered last.
    pub upstream: Option<String>,
    pub server_ip: Option<String>,
    /// The session cookie the client holds after this request.
    pub session_id: Option<String>,
    /// The test page's visit counter (none on the user's pages).
    pub counter: Option<i64>,
    pub millis: u64,
    pub error: Option<String>,
}

/// The JSON form of the test page (`?format=json`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TestPage {
    server_ip: String,
    backend: String,
    counter: i64,
}

/// A client with one cookie jar, as one user's browser.
pub struct Walker {
    client: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    url: reqwest::Url,
    test_page: bool,
    /// Lab address → container name, to name the Tomcat in nginx's upstream header.
    addresses: HashMap<String, String>,
    sent: usize,
    /// The session probe's token of each request (see `probe`).
    pub tokens: Tokens,
}

impl Walker {
    pub fn new(target: &Target, page: &Page) -> Walker {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            // A new connection per request, as separate page loads may be: a connection kept
            // alive would stay with an nginx worker that a reload has retired.
            .pool_max_idle_per_host(0)
            .no_proxy()
            .timeout(Duration::from_secs(15))
            .build()
            .expect("a plain HTTP client builds");
        let url = reqwest::Url::parse(&page.url(&target.url)).expect("the page URL is built from checked parts");
        let mut walker = Walker { client, jar, url, test_page: page.is_test(), addresses: HashMap::new(), sent: 0, tokens: Tokens::new() };
        walker.learn(&target.tomcats);
        walker
    }

    /// Learns the Tomcats' addresses again (a restarted container may get a new one).
    pub fn learn(&mut self, tomcats: &[ContainerInfo]) {
        for t in tomcats {
            if let Some(a) = &t.address {
                self.addresses.insert(a.clone(), t.name.clone());
            }
        }
    }

    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// The session id in the jar now.
    pub fn session_id(&self) -> Option<String> {
        self.session_id_at(&self.url)
    }

    /// The session id the jar would send to `url` (cookies are scoped by path).
    fn session_id_at(&self, url: &reqwest::Url) -> Option<String> {
        let header = self.jar.cookies(url)?;
        let header = header.to_str().ok()?;
        header.split(';').find_map(|kv| kv.trim().strip_prefix(SESSION_COOKIE)?.strip_prefix('=')).map(str::to_string)
    }

    pub async fn request(&mut self) -> Answer {
        self.send(reqwest::Method::GET, self.url.clone(), None).await
    }

    /// The URL of `path` on the same nginx as the walker's page.
    pub fn url_of(&self, path: &UrlPath) -> reqwest::Url {
        self.url.join(&path.0).expect("a checked URL path joins its nginx's URL")
    }

    /// One request of a user's flow: `method` on `url`, with a form body for POST and PUT.
    pub async fn send(&mut self, method: reqwest::Method, url: reqwest::Url, form: Option<&str>) -> Answer {
        self.sent += 1;
        self.send_as(self.sent, method, url, form).await
    }

    /// `k` requests of the page at once, with the same cookie jar, as a page's parallel
    /// requests (AJAX calls, images) are; in the order they were numbered.
    /// How many requests this walker has sent (their numbers are 1..=sent).
    pub fn sent(&self) -> usize {
        self.sent
    }

    pub async fn burst(&mut self, k: usize) -> Vec<Answer> {
        let first = self.sent + 1;
        self.sent += k;
        let this = &*self;
        futures_util::future::join_all((first..first + k).map(|n| this.send_as(n, reqwest::Method::GET, this.url.clone(), None))).await
    }

    async fn send_as(&self, n: usize, method: reqwest::Method, url: reqwest::Url, form: Option<&str>) -> Answer {
        let mut a = Answer {
            n,
            status: None,
            backend: None,
            upstream: None,
            server_ip: None,
            session_id: None,
            counter: None,
            millis: 0,
            error: None,
        };
        let started = Instant::now();
        let mut request = self.client.request(method, url.clone()).header(PROBE_HEADER, self.tokens.token(a.n));
        if let Some(body) = form {
            request = request.header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(body.to_string());
        }
        match request.send().await {
            Err(e) => a.error = Some(e.to_string()),
            Ok(r) => {
                a.status = Some(r.status().as_u16());
                a.upstream = r.headers().get("x-msmlab-upstream").and_then(|v| v.to_str().ok()).map(str::to_string);
                // The address that answered is the last one nginx tried.
                let last = a.upstream.as_deref().and_then(|u| u.rsplit(", ").next()).map(|u| u.rsplit_once(':').map_or(u, |(ip, _)| ip));
                a.backend = last.map(|ip| self.addresses.get(ip).cloned().unwrap_or_else(|| ip.to_string()));
                if self.test_page && url == self.url {
                    match r.json::<TestPage>().await {
                        Ok(p) => {
                            a.backend = Some(p.backend);
                            a.server_ip = Some(p.server_ip);
                            a.counter = Some(p.counter);
                        }
                        Err(e) => a.error = Some(format!("not the test page's JSON: {e}")),
                    }
                } else if let Err(e) = r.bytes().await {
                    a.error = Some(format!("reading the body: {e}"));
                }
            }
        }
        a.millis = started.elapsed().as_millis() as u64;
        a.session_id = self.session_id_at(&url);
        a
    }

    pub async fn walk(&mut self, n: usize) -> Vec<Answer> {
        let mut answers = Vec::with_capacity(n);
        for _ in 0..n {
            answers.push(self.request().await);
        }
        answers
    }
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_tomcats_are_probed_when_they_carry_the_probe_label() {
        let tomcat = |probe: Option<&str>| ContainerInfo { name: "t".into(), probe: probe.map(String::from), ..Default::default() };
        let settings = |images| LabSettings { images, sticky: false, locking_mode: crate::labspec::LockingMode::None, storage_key_prefix: None };
        let target = |images, tomcats| Target {
            lab: "l".into(),
            url: LabUrl::reached(None, "127.0.0.1", 1),
            nginx: "n".into(),
            nginx_node: None,
            tomcats,
            stores: Vec::new(),
            settings: settings(images),
        };
        assert!(target(ImageSource::Built, vec![tomcat(None)]).probed(), "msmlab's own images always had the probe");
        assert!(target(ImageSource::Official, vec![tomcat(Some("ab")), tomcat(Some("ab"))]).probed());
        // Made by an msmlab that did not give official images the probe.
        assert!(!target(ImageSource::Official, vec![tomcat(Some("ab")), tomcat(None)]).probed());
        assert!(!target(ImageSource::Official, vec![tomcat(None)]).probed());
    }

    #[test]
    fn url_paths_must_be_paths() {
        assert!("/my/".parse::<UrlPath>().is_ok());
        assert!("/my/cart?id=1".parse::<UrlPath>().is_ok());
        for bad in ["my/", "http://x/", "//evil/", "/a b", "/a#b", ""] {
            assert!(bad.parse::<UrlPath>().is_err(), "{bad}");
        }
    }
}
