//! The walk: requests through nginx with one cookie jar, as a browser would send them, each
//! answer recorded with the Tomcat that gave it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::cookie::CookieStore;
use serde::{Deserialize, Serialize};

use crate::engine::{ContainerInfo, Engine};
use crate::lab::{self, settings::LabSettings, LabUrl};
use crate::labspec::names::Role;
use crate::labspec::ImageSource;
use crate::verify::errors::VerifyError;
use crate::verify::flow::{FlowStep, Schedule, Turn, UrlPath};
use crate::verify::probe::{Tokens, PROBE_HEADER};
use crate::verify::redirect;
use crate::verify::session_id::{self, node_of};

/// The cookie Tomcat keeps its session id in.
pub const SESSION_COOKIE: &str = "JSESSIONID";

/// What verify walks: msmlab's test page (which reports its backend and a visit counter), any
/// page of the user's (judged by status, session cookie and nginx's upstream header), or the
/// steps of a flow file (a login, then pages).
#[derive(Debug, Clone)]
pub enum Page {
    Test,
    User(UrlPath),
    Flow(Vec<FlowStep>),
}

impl Page {
    /// The page's URL on the lab at `lab`; a flow's is its first repeated step's (what the
    /// drills walk).
    pub fn url(&self, lab: &LabUrl) -> String {
        match self {
            Page::Test => format!("{}?format=json", lab.page()),
            Page::User(path) => lab.at(path.as_ref()),
            Page::Flow(_) => self.flow_page().map_or_else(|| lab.page(), |p| lab.at(p.as_ref())),
        }
    }

    /// A flow's page for the drills: its first repeated step's path.
    pub fn flow_page(&self) -> Option<&UrlPath> {
        let Page::Flow(steps) = self else { return None };
        steps.iter().find(|s| !s.once).or(steps.first()).map(|s| &s.path)
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

/// One request and what came back. A page load is one request, and one more for each redirect
/// followed: each hop has its own number, Tomcat and probe report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Answer {
    pub n: usize,
    /// The page load (verify) or flow step (compat) the request belongs to, from 1.
    pub load: usize,
    /// 0 for the request the walk made, k for the k-th redirect it followed.
    pub hop: usize,
    pub method: String,
    /// The path (and query) it was sent to.
    pub path: String,
    pub status: Option<u16>,
    /// Where a redirect sent the walk on to (set when the walk followed it, or refused to).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The Tomcat that answered: the test page says so; otherwise nginx's upstream header.
    pub backend: Option<String>,
    /// nginx's `$upstream_addr`: every Tomcat it tried, the one that answered last.
    pub upstream: Option<String>,
    pub server_ip: Option<String>,
    /// The session the client holds after this request: its cookie or, with no cookie, the
    /// `;jsessionid=` of the URL it was sent to or redirected to.
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
    /// The lab's test page in probe mode, the request of `shift` (it opens no session).
    shift_url: reqwest::Url,
    test_page: bool,
    /// Lab address → container name, to name the Tomcat in nginx's upstream header.
    addresses: HashMap<String, String>,
    sent: usize,
    loads: usize,
    /// The session probe's token of each request (see `probe`).
    pub tokens: Tokens,
}

impl Walker {
    pub fn new(target: &Target, page: &Page) -> Walker {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            // The walker follows redirects itself, a request per hop (`redirect`).
            .redirect(reqwest::redirect::Policy::none())
            // A new connection per request, as separate page loads may be: a connection kept
            // alive would stay with an nginx worker that a reload has retired.
            .pool_max_idle_per_host(0)
            .no_proxy()
            .timeout(Duration::from_secs(15))
            .build()
            .expect("a plain HTTP client builds");
        let url = reqwest::Url::parse(&page.url(&target.url)).expect("the page URL is built from checked parts");
        let shift_url = reqwest::Url::parse(&format!("{}?probe=1", target.url.page())).expect("the test page's URL parses");
        let tokens = Tokens::new();
        let mut walker = Walker { client, jar, url, shift_url, test_page: page.is_test(), addresses: HashMap::new(), sent: 0, loads: 0, tokens };
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

    /// The path (and query) of the walker's page.
    pub fn url_path(&self) -> UrlPath {
        let path = self.url.query().map_or_else(|| self.url.path().to_string(), |q| format!("{}?{q}", self.url.path()));
        path.parse().expect("the page's path is a URL path")
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

    /// One load of the walker's page: its request and each redirect hop.
    pub async fn request(&mut self) -> Vec<Answer> {
        self.load(reqwest::Method::GET, self.url.clone(), None).await
    }

    /// The URL of `path` on the same nginx as the walker's page.
    pub fn url_of(&self, path: &UrlPath) -> reqwest::Url {
        self.url.join(path.as_ref()).expect("a checked URL path joins its nginx's URL")
    }

    /// How many requests this walker has sent (their numbers are 1..=sent).
    pub fn sent(&self) -> usize {
        self.sent
    }

    /// One page load as a browser makes it: `method` on `url`, with a form body for POST and
    /// PUT, then each redirect the answers ask for (`redirect::next_hop`), each a request of its
    /// own. A redirect that may not be followed is a failed answer saying why.
    pub async fn load(&mut self, method: reqwest::Method, url: reqwest::Url, form: Option<&str>) -> Vec<Answer> {
        self.loads += 1;
        let (mut method, mut url, mut form) = (method, url, form.map(str::to_string));
        let mut hops: Vec<Answer> = Vec::new();
        loop {
            self.sent += 1;
            let (mut a, location) = self.send_as(self.sent, method.clone(), url.clone(), form.as_deref()).await;
            a.load = self.loads;
            a.hop = hops.len();
            let next = a.status.map_or(Ok(None), |status| redirect::next_hop(&self.url, &url, &method, status, location.as_deref(), hops.len()));
            a.location = location.filter(|_| !matches!(next, Ok(None)));
            if a.session_id.is_none() {
                a.session_id = a.location.as_deref().and_then(|l| url.join(l).ok()).and_then(|u| session_id::in_url(&u));
            }
            match next {
                Ok(Some(hop)) => {
                    hops.push(a);
                    (method, url) = (hop.method, hop.url);
                    form = form.filter(|_| hop.keep_body);
                }
                Ok(None) => return push(hops, a),
                Err(e) => {
                    a.error = Some(e.to_string());
                    return push(hops, a);
                }
            }
        }
    }

    /// One request outside the walk, to the test page in probe mode (no cookie, no session):
    /// round robin moves on by one Tomcat (`Turn::Shift`).
    pub async fn shift(&self) {
        if let Ok(client) = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(15)).build() {
            let _ = client.get(self.shift_url.clone()).send().await;
        }
    }

    /// Walks a flow: the `once` steps in order, then the others in the order `schedule` gives,
    /// each a page load. Returns every request, hops included.
    pub async fn walk_flow(&mut self, steps: &[FlowStep], schedule: &mut Schedule) -> Vec<Answer> {
        let mut answers = Vec::new();
        for s in steps.iter().filter(|s| s.once) {
            let url = self.url_of(&s.path);
            answers.extend(self.load(s.method.http(), url, s.form.as_deref()).await);
        }
        let repeated: Vec<&FlowStep> = steps.iter().filter(|s| !s.once).collect();
        while let Some(turn) = schedule.next(answers.len()) {
            let i = match turn {
                Turn::Shift => {
                    self.shift().await;
                    continue;
                }
                Turn::Step(i) => i,
            };
            let url = self.url_of(&repeated[i].path);
            let hops = self.load(repeated[i].method.http(), url, repeated[i].form.as_deref()).await;
            schedule.served(i, hops[0].backend.as_deref(), hops.len());
            answers.extend(hops);
        }
        answers
    }

    /// `k` requests of the page at once, with the same cookie jar, as a page's parallel
    /// requests (AJAX calls, images) are; in the order they were numbered. Each is one request:
    /// a redirect is not followed.
    pub async fn burst(&mut self, k: usize) -> Vec<Answer> {
        let first = self.sent + 1;
        self.sent += k;
        let loads = self.loads;
        self.loads += k;
        let this = &*self;
        let answers = futures_util::future::join_all((first..first + k).map(|n| this.send_as(n, reqwest::Method::GET, this.url.clone(), None))).await;
        answers
            .into_iter()
            .enumerate()
            .map(|(i, (mut a, _))| {
                a.load = loads + i + 1;
                a
            })
            .collect()
    }

    /// One request, numbered `n`, and its `Location` header.
    async fn send_as(&self, n: usize, method: reqwest::Method, url: reqwest::Url, form: Option<&str>) -> (Answer, Option<String>) {
        let path = url.query().map_or_else(|| url.path().to_string(), |q| format!("{}?{q}", url.path()));
        let mut a = Answer {
            n,
            load: 0,
            hop: 0,
            method: method.to_string(),
            path,
            status: None,
            location: None,
            backend: None,
            upstream: None,
            server_ip: None,
            session_id: None,
            counter: None,
            millis: 0,
            error: None,
        };
        let started = Instant::now();
        let mut location = None;
        let mut request = self.client.request(method, url.clone()).header(PROBE_HEADER, self.tokens.token(a.n));
        if let Some(body) = form {
            request = request.header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(body.to_string());
        }
        match request.send().await {
            Err(e) => a.error = Some(e.to_string()),
            Ok(r) => {
                a.status = Some(r.status().as_u16());
                location = r.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
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
        // A browser without the cookie sends the id the URL carries (Tomcat's URL rewriting).
        a.session_id = self.session_id_at(&url).or_else(|| session_id::in_url(&url));
        (a, location)
    }

    /// Loads the walker's page until `n` more requests were sent (a load's redirect hops count).
    pub async fn walk(&mut self, n: usize) -> Vec<Answer> {
        let mut answers = Vec::with_capacity(n);
        while answers.len() < n {
            answers.extend(self.request().await);
        }
        answers
    }
}

fn push(mut hops: Vec<Answer>, last: Answer) -> Vec<Answer> {
    hops.push(last);
    hops
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
}
