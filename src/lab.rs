//! A lab as it exists on the engine: brought up from a `Plan`, found again by label, removed.
//!
//! Nothing is remembered between commands: `status`, `down` and rollback rediscover the lab
//! from the `io.msmlab.lab` label every time.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::future::try_join_all;

use crate::engine::{ContainerInfo, ContainerSpec, Engine, EngineError, NameKind, Privileges, Resource};
use crate::health::{self, Existing};
use crate::images::ImageRecipe;
use crate::maven::{FetchError, Fetched, Fetcher};
use crate::names::{self, Role, IMAGE_LABEL, NGINX_PORT, SPEC_LABEL};
use crate::plan::{Node, Plan, CATALINA_HOME};
use crate::official;
use crate::progress::{Progress, Step};
use crate::spec::ImageSource;
use crate::ready::{self, NotReady};

/// How long each kind of container may take to become ready. Cold Tomcats on a loaded
/// 2-core machine take seconds, not minutes; these bounds only catch the stuck ones.
pub const STORE_TIMEOUT: Duration = Duration::from_secs(30);
pub const TOMCAT_TIMEOUT: Duration = Duration::from_secs(120);
pub const NGINX_TIMEOUT: Duration = Duration::from_secs(30);

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error(
        "lab {lab:?} is up with other settings ({what}); rebuild it with these with `--recreate`, \
         or choose another --name"
    )]
    Different { lab: String, what: String },
    #[error("port {port} on {ip} is taken by {by}; choose another with --port")]
    PortTaken { ip: std::net::IpAddr, port: u16, by: String },
    #[error("the {kind} name {name} that lab {lab:?} needs is taken by {by}; remove it, or choose another --name")]
    NameTaken { lab: String, kind: &'static str, name: String, by: String },
    #[error("{step} failed{}", cleanup_note(.cleanup))]
    Step { step: String, cleanup: Option<String>, source: BoxError },
    #[error("interrupted by {signal}{}", cleanup_note(.cleanup))]
    Interrupted { signal: &'static str, cleanup: Option<String> },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

fn cleanup_note(cleanup: &Option<String>) -> String {
    cleanup.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()
}

impl LabError {
    /// Records what the rollback after this error removed, if anything.
    fn cleaned_up(self, cleanup: Option<String>) -> LabError {
        match self {
            LabError::Step { step, source, .. } => LabError::Step { step, cleanup, source },
            LabError::Interrupted { signal, .. } => LabError::Interrupted { signal, cleanup },
            other => LabError::Step { step: "creating the lab".into(), cleanup, source: other.into() },
        }
    }
}

pub fn at<E: Into<BoxError>>(step: impl Into<String>) -> impl FnOnce(E) -> LabError {
    let step = step.into();
    move |e| LabError::Step { step, cleanup: None, source: e.into() }
}

/// How long `up` spent where. `start_to_ready` is `start` (until the engine has started every
/// container) plus `ready` (until every readiness probe passed).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Timings {
    pub fetch: Duration,
    pub images: Duration,
    pub create: Duration,
    pub start: Duration,
    pub ready: Duration,
    pub start_to_ready: Duration,
    pub total: Duration,
    pub floor: Floor,
}

/// What the containers themselves need, which no orchestration can beat: the slowest
/// Tomcat's own "Server startup in N ms" plus nginx's first proxied answer.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Floor {
    /// The largest "Server startup in N ms" the Tomcats logged (None if none could be read).
    pub slowest_tomcat_startup: Option<Duration>,
    /// How long the first request nginx proxied to a ready Tomcat took.
    pub nginx_first_answer: Duration,
}

impl Floor {
    pub fn total(&self) -> Option<Duration> {
        self.slowest_tomcat_startup.map(|t| t + self.nginx_first_answer)
    }
}

/// The milliseconds in Tomcat's startup line: `Server startup in [1234] milliseconds`
/// (8.5, 9) or `Server startup in 1234 ms` (7).
pub fn startup_millis(line: &str) -> Option<u64> {
    let rest = &line[line.find("Server startup in")? + "Server startup in".len()..];
    let digits: String = rest.trim_start_matches([' ', '[']).chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// What `up` did.
#[derive(Debug, Clone)]
pub enum UpOutcome {
    /// Built and started the lab.
    Created(Timings),
    /// The lab was up and healthy with these settings already; nothing was touched.
    AlreadyUp,
}

/// Brings a lab up, or fails having removed everything it created. A lab that exists already
/// is left alone when healthy and made with the same settings (`AlreadyUp`), refused when made
/// with others, and cleared away first when broken or half made; `recreate` clears it always.
pub async fn up(engine: &Engine, plan: &Plan, fetcher: &Fetcher, progress: &Progress, recreate: bool) -> Result<UpOutcome, LabError> {
    let started = Instant::now();
    let lab = plan.spec.name.as_str();
    if preflight(engine, plan, progress, recreate).await? == Preflight::AlreadyUp {
        return Ok(UpOutcome::AlreadyUp);
    }

    // The lab is ours from here: an interrupt, like any failure, removes what exists of it.
    let mut interrupts = Interrupts::watch();
    let work = async {
        let step = progress.step("Fetch jars");
        // Official images bring their own Tomcat: only the jars for lib/ are needed.
        let official = plan.spec.images == ImageSource::Official;
        let artifacts: Vec<_> = if official { plan.jars.lib.clone() } else { plan.jars.all().cloned().collect() };
        let fetched = step.check(fetcher.fetch_all(&artifacts).await).map_err(at::<FetchError>("fetching jars"))?;
        for f in fetched.iter().filter(|f| f.replaced_corrupt.is_some()) {
            progress.warn(format!(
                "cached {} failed its checksum (sha256 {}, jars.lock pins {}); it was removed and downloaded again",
                f.path.display(),
                f.replaced_corrupt.as_deref().unwrap_or(""),
                f.artifact.sha256
            ));
        }
        let downloaded = fetched.iter().filter(|f| f.downloaded).count();
        let fetch = step.done(format!(
            "{} artifacts pinned in jars.lock, {downloaded} downloaded, {} from the cache",
            fetched.len(),
            fetched.len() - downloaded
        ));

        let t = Instant::now();
        let (images, lib_jars) = if official {
            (official::ensure_images(engine, plan, progress).await?, &fetched[..])
        } else {
            let (distribution, lib_jars) = fetched.split_first().expect("a jar set has a distribution");
            (ensure_images(engine, plan, distribution, progress).await?, lib_jars)
        };
        let images_took = t.elapsed();

        let s = create_and_start(engine, plan, &images, lib_jars, progress).await?;
        Ok(Timings {
            fetch,
            images: images_took,
            create: s.create,
            start: s.start,
            ready: s.start_to_ready.saturating_sub(s.start),
            start_to_ready: s.start_to_ready,
            total: started.elapsed(),
            floor: s.floor,
        })
    };
    let failure = tokio::select! {
        result = work => match result {
            Ok(timings) => return Ok(UpOutcome::Created(timings)),
            Err(e) => e,
        },
        signal = interrupts.next() => {
            progress.warn(format!("{signal}: removing what this up created ({signal} again stops at once)"));
            LabError::Interrupted { signal, cleanup: None }
        }
    };
    let removed = tokio::select! {
        removed = roll_back(engine, lab) => removed,
        signal = interrupts.next() => {
            // A second interrupt means "now": what is left carries the label, so `down` finds it.
            eprintln!("{signal} again: stopping without cleanup; `msmlab down --name {lab}` removes what is left");
            std::process::exit(130);
        }
    };
    Err(failure.cleaned_up(removed))
}

/// Pauses between rollback passes that failed: an engine that dropped out for a moment
/// (a restart, a cut connection) gets about 7 s to come back before msmlab gives up.
const ROLLBACK_RETRY: [Duration; 5] =
    [Duration::from_millis(250), Duration::from_millis(500), Duration::from_secs(1), Duration::from_secs(2), Duration::from_secs(3)];

/// Removes what a failed `up` created, and says what that was in a sentence (`None`: nothing).
async fn roll_back(engine: &Engine, lab: &str) -> Option<String> {
    let mut removed = Found::default();
    let mut retries = ROLLBACK_RETRY.iter();
    // A create the engine received just before an interrupt can land after the first pass
    // listed the lab, so passes go on until one finds nothing.
    for _ in 0..8 {
        match down(engine, lab).await {
            Ok(found) if found.is_empty() => break,
            Ok(found) => removed.extend(found),
            Err(e) => match retries.next() {
                Some(pause) => tokio::time::sleep(*pause).await,
                None => {
                    let what = if removed.is_empty() { String::new() } else { format!(" (it removed {})", removed.summary()) };
                    let why = if e.is_unreachable() { "the engine did not answer" } else { "removing failed too" };
                    return Some(format!(
                        "msmlab could not remove everything this up created{what}: {why}; \
                         run `msmlab down --name {lab}` once the engine answers"
                    ));
                }
            },
        }
    }
    (!removed.is_empty()).then(|| format!("msmlab removed what this up had created: {}", removed.summary()))
}

/// Ctrl-C and SIGTERM, watched from the moment `up` owns resources, so none is missed.
struct Interrupts {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

impl Interrupts {
    fn watch() -> Interrupts {
        use tokio::signal::unix::{signal, SignalKind};
        Interrupts {
            int: signal(SignalKind::interrupt()).expect("SIGINT can be watched"),
            term: signal(SignalKind::terminate()).expect("SIGTERM can be watched"),
        }
    }

    /// The next interrupt, named.
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.int.recv() => "Ctrl-C",
            _ = self.term.recv() => "SIGTERM",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Preflight {
    /// Go ahead: nothing of the lab exists (any more).
    Proceed,
    AlreadyUp,
}

/// Deals with a lab of this name that exists already (see `up`), then refuses, before anything
/// is created, a name or a port that something else holds.
async fn preflight(engine: &Engine, plan: &Plan, progress: &Progress, recreate: bool) -> Result<Preflight, LabError> {
    let lab = plan.spec.name.as_str();
    let found = find(engine, lab).await?;
    if !found.is_empty() {
        let why = if recreate {
            "--recreate".to_string()
        } else {
            match health::check(engine, plan, &found).await {
                Existing::Healthy => return Ok(Preflight::AlreadyUp),
                Existing::Different(what) => return Err(LabError::Different { lab: lab.into(), what }),
                Existing::Broken(what) => format!("it was broken or half made: {what}"),
            }
        };
        let step = progress.step(format!("Remove the existing lab {lab} ({why})"));
        let removed = step.check(down(engine, lab).await)?;
        step.done(removed.summary());
    }

    for (kind, name) in plan.nodes().map(|n| (NameKind::Container, &n.name)).chain([(NameKind::Network, &plan.network)]) {
        if let Some(holder) = engine.name_holder(kind, name).await? {
            let (kind, by) = match kind {
                NameKind::Container => ("container", "a container"),
                NameKind::Network => ("network", "a network"),
            };
            let by = match holder {
                Some(other) => format!("{by} of lab {other:?}"),
                None => format!("{by} msmlab did not make"),
            };
            return Err(LabError::NameTaken { lab: lab.into(), kind, name: name.clone(), by });
        }
    }

    let (ip, port) = (plan.spec.listen, plan.spec.port);
    match port_holder(engine, ip, port).await? {
        PortHolder::Free => Ok(Preflight::Proceed),
        PortHolder::Lab { lab, container } => Err(LabError::PortTaken { ip, port, by: format!("lab {lab:?} ({container})") }),
        PortHolder::Program => Err(LabError::PortTaken { ip, port, by: "another program".into() }),
    }
}

/// Who holds a host port nginx would publish on: `up`'s pre-flight and `doctor` ask the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortHolder {
    Free,
    /// A lab's nginx publishes it.
    Lab { lab: String, container: String },
    /// Something else is bound to it on this machine.
    Program,
}

pub async fn port_holder(engine: &Engine, ip: std::net::IpAddr, port: u16) -> Result<PortHolder, EngineError> {
    let all = engine.containers(None).await?;
    if let Some(c) = all.iter().find(|c| c.published_port == Some(port)) {
        return Ok(PortHolder::Lab { lab: c.lab.clone(), container: c.name.clone() });
    }
    // Only a local engine publishes on this machine's addresses, so only then can we test it.
    if engine.is_local() && std::net::TcpListener::bind((ip, port)).is_err() {
        return Ok(PortHolder::Program);
    }
    Ok(PortHolder::Free)
}

/// Image tags by role, and the command of a role whose image's own command does not suit.
pub struct Images {
    pub by_role: HashMap<Role, String>,
    pub cmd: HashMap<Role, Vec<String>>,
}

async fn ensure_images(engine: &Engine, plan: &Plan, distribution: &Fetched, progress: &Progress) -> Result<Images, LabError> {
    // nginx and the store build on --base-image; the Tomcat image on the Debian release
    // that ships the chosen JRE.
    let base = plan.spec.base_image.clone();
    let tomcat_base = plan.spec.jre.base_image();
    let mut bases = vec![base.clone()];
    if tomcat_base != base {
        bases.push(tomcat_base.clone());
    }
    let ids: HashMap<String, String> = try_join_all(bases.into_iter().map(|b| async move {
        let step = progress.step(format!("Base image {b}"));
        let id = step.check(engine.ensure_base_image(&b).await).map_err(at::<EngineError>(format!("preparing the base image {b}")))?;
        step.done(short_id(&id));
        Ok::<_, LabError>((b, id))
    }))
    .await?
    .into_iter()
    .collect();

    let dist = &distribution.artifact;
    let store_role = plan.stores[0].role;
    let recipes = [
        ImageRecipe::packaged(store_role, &base, &ids[&base]).map_err(at(format!("rendering the {store_role} Dockerfile")))?,
        ImageRecipe::tomcat(plan.spec.jre, &ids[&tomcat_base], &dist.coords.version, distribution.path.clone(), &dist.sha256)
            .map_err(at("rendering the Tomcat Dockerfile"))?,
        ImageRecipe::packaged(Role::Nginx, &base, &ids[&base]).map_err(at("rendering the nginx Dockerfile"))?,
    ];
    let built = try_join_all(recipes.iter().map(|r| async move {
        let step = progress.step(format!("Image {}", r.tag));
        ensure_built(engine, r, &step).await?;
        Ok::<_, LabError>((r.role, r.tag.clone()))
    }))
    .await?;
    Ok(Images { by_role: built.into_iter().collect(), cmd: HashMap::new() })
}

/// Builds a recipe's image unless the engine has its tag already.
pub async fn ensure_built(engine: &Engine, r: &ImageRecipe, step: &Step) -> Result<(), LabError> {
    if engine.image_id(&r.tag).await?.is_some() {
        step.done("reused");
    } else {
        step.update("building (Debian packages from the mirror)");
        let context = r.context_tar().map_err(at(format!("reading the build context of {}", r.tag)))?;
        let labels = HashMap::from([(IMAGE_LABEL.to_string(), r.role.to_string())]);
        step.check(engine.build_image(&r.tag, context, &labels).await)
            .map_err(at::<EngineError>(format!("building image {}", r.tag)))?;
        step.done("built");
    }
    Ok(())
}

pub fn short_id(id: &str) -> String {
    id.chars().take(19).collect()
}

/// What `create_and_start` measured.
struct Started {
    create: Duration,
    start: Duration,
    start_to_ready: Duration,
    floor: Floor,
}

async fn create_and_start(
    engine: &Engine,
    plan: &Plan,
    images: &Images,
    lib_jars: &[Fetched],
    progress: &Progress,
) -> Result<Started, LabError> {
    let lab = &plan.spec.name;
    let step = progress.step(format!("Create network {} and {} containers", plan.network, plan.nodes().count()));
    step.check(engine.create_network(&plan.network, names::network_labels(lab)).await)
        .map_err(at::<EngineError>(format!("creating network {}", plan.network)))?;
    let tomcat_files = plan.tomcat_archive(lib_jars).map_err(at("reading the cached jars"))?;
    let nginx_files = plan.nginx_archive().map_err(at("packing nginx.conf"))?;
    let spec_label = health::spec_label(&plan.spec);
    let create_node = |node: &Node| {
        let spec = ContainerSpec {
            name: node.name.clone(),
            image: images.by_role[&node.role].clone(),
            labels: {
                let mut labels = names::labels(lab, node.role, node.index);
                labels.insert(SPEC_LABEL.to_string(), spec_label.clone());
                labels
            },
            network: plan.network.clone(),
            env: plan.env(node),
            // Only nginx is published, on the --listen address (loopback unless told otherwise).
            publish: (node.role == Role::Nginx).then(|| (plan.spec.listen.to_string(), plan.spec.port, NGINX_PORT)),
            cmd: images.cmd.get(&node.role).cloned(),
            // Official images start as root and switch users themselves; msmlab's own need nothing.
            privileges: if plan.spec.images == ImageSource::Official { Privileges::ImageDefault } else { Privileges::Unprivileged },
            ..Default::default()
        };
        let files = match node.role {
            Role::Tomcat => Some((CATALINA_HOME, tomcat_files.clone())),
            Role::Nginx => Some(("/etc/nginx", nginx_files.clone())),
            Role::Memcached | Role::Redis => None,
        };
        async move {
            engine.create_container(&spec).await?;
            if let Some((path, tar)) = files {
                engine.upload(&spec.name, path, tar).await?;
            }
            Ok::<_, EngineError>(())
        }
    };
    // The store starts first, as soon as it exists, while the others are created and get
    // their files: msm fails for good if its node's name does not resolve when Tomcat
    // starts, and the name resolves as soon as the container runs. The Tomcats take a second
    // to reach msm, so they need not wait for the store to answer.
    let store_steps: Vec<_> = plan.stores.iter().map(|n| progress.step(format!("Start {}", n.name))).collect();
    let stores = all_settled(plan.stores.iter().zip(&store_steps).map(|(n, step)| {
        let created = create_node(n);
        async move {
            step.check(created.await).map_err(at::<EngineError>(format!("creating {}", n.name)))?;
            step.check(engine.start(&n.name).await).map_err(at::<EngineError>(format!("starting {}", n.name)))
        }
    }));
    let others = all_settled(plan.tomcats.iter().chain([&plan.nginx]).map(create_node));
    let (stores, others) = tokio::join!(stores, others);
    step.check(others).map_err(at::<EngineError>("creating the containers"))?;
    stores?;
    let create = step.done("");
    let ready_from = Instant::now();

    let store = try_join_all(plan.stores.iter().zip(store_steps).map(|(n, step)| async move {
        let answer = step.check(ready::store(engine, n.role, &n.name, STORE_TIMEOUT).await);
        step.done(answer.map_err(at::<NotReady>(format!("starting {}", n.name)))?.to_lowercase());
        Ok::<_, LabError>(())
    }));

    let tc_steps: Vec<_> = plan.tomcats.iter().map(|t| progress.step(format!("Start {}", t.name))).collect();
    let ng = &plan.nginx.name;
    let ng_step = progress.step(format!("Start {ng}"));
    let tomcats_then_nginx = async {
        all_settled(plan.tomcats.iter().zip(&tc_steps).map(|(t, step)| async move {
            step.check(engine.start(&t.name).await).map_err(at::<EngineError>(format!("starting {}", t.name)))
        }))
        .await?;

        // nginx resolves the Tomcats' names once, when it starts: they resolve as soon as the
        // containers run. Nothing is sent through it before the Tomcats are ready, so it never
        // marks a starting Tomcat as failed.
        ng_step.check(engine.start(ng).await).map_err(at::<EngineError>(format!("starting {ng}")))?;
        let all_started = ready_from.elapsed();
        ng_step.update("waiting for the Tomcats");

        let startups = try_join_all(plan.tomcats.iter().zip(tc_steps).map(|(t, step)| async move {
            step.update("waiting for \"Server startup in\" and the test page");
            let line = step.check(ready::tomcat(engine, &t.name, TOMCAT_TIMEOUT).await);
            let line = line.map_err(at::<NotReady>(format!("starting {}", t.name)))?;
            if let Some(w) = &plan.webapp {
                step.check(ready::webapp(engine, &t.name, &w.context_path).await)
                    .map_err(at::<NotReady>(format!("deploying {} on {}", w.source.display(), t.name)))?;
            }
            let detail = line.find("Server startup in").map(|i| line[i..].to_string()).unwrap_or(line);
            let millis = startup_millis(&detail);
            step.done(format!("serves the test page ({detail})"));
            Ok::<_, LabError>(millis)
        }))
        .await?;
        Ok::<_, LabError>((all_started, startups))
    };
    let (_, (start, startups)) = tokio::try_join!(store, tomcats_then_nginx)?;

    let tomcats: Vec<String> = plan.tomcats.iter().map(|t| t.name.clone()).collect();
    let first_answer = ng_step
        .check(ready::nginx(engine, ng, &plan.page_url(), &tomcats, NGINX_TIMEOUT).await)
        .map_err(at::<NotReady>(format!("starting {ng}")))?;
    ng_step.done(format!("proxies to all {} Tomcats on {}:{}", tomcats.len(), plan.spec.listen, plan.spec.port));
    let slowest = startups.iter().copied().collect::<Option<Vec<u64>>>().and_then(|m| m.into_iter().max());
    let floor = Floor { slowest_tomcat_startup: slowest.map(Duration::from_millis), nginx_first_answer: first_answer };
    Ok(Started { create, start, start_to_ready: ready_from.elapsed(), floor })
}

/// Runs engine calls that change the lab side by side and waits for every one of them, so
/// that none is still in flight when a failure leads to a rollback; the first error wins.
async fn all_settled<T, E>(calls: impl IntoIterator<Item = impl std::future::Future<Output = Result<T, E>>>) -> Result<Vec<T>, E> {
    futures_util::future::join_all(calls).await.into_iter().collect()
}

/// Everything that carries a lab's label.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Found {
    pub containers: Vec<ContainerInfo>,
    pub networks: Vec<Resource>,
    pub volumes: Vec<Resource>,
}

impl Found {
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty() && self.networks.is_empty() && self.volumes.is_empty()
    }

    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        if !self.containers.is_empty() {
            parts.push(count(self.containers.len(), "container"));
        }
        if !self.networks.is_empty() {
            parts.push(count(self.networks.len(), "network"));
        }
        if !self.volumes.is_empty() {
            parts.push(count(self.volumes.len(), "volume"));
        }
        parts.join(", ")
    }

    pub fn extend(&mut self, other: Found) {
        self.containers.extend(other.containers);
        self.networks.extend(other.networks);
        self.volumes.extend(other.volumes);
    }

    /// The names of everything found, containers first.
    pub fn names(&self) -> Vec<String> {
        let c = self.containers.iter().map(|c| c.name.clone());
        c.chain(self.networks.iter().map(|n| n.name.clone())).chain(self.volumes.iter().map(|v| v.name.clone())).collect()
    }
}

/// Finds a lab by its label.
pub async fn find(engine: &Engine, lab: &str) -> Result<Found, EngineError> {
    Ok(Found {
        containers: engine.containers(Some(lab)).await?,
        networks: engine.networks(Some(lab)).await?,
        volumes: engine.volumes(Some(lab)).await?,
    })
}

/// Removes exactly what carries the lab's label: containers, then networks and volumes.
/// Returns what was removed.
pub async fn down(engine: &Engine, lab: &str) -> Result<Found, EngineError> {
    let found = find(engine, lab).await?;
    try_join_all(found.containers.iter().map(|c| engine.remove_container(&c.id))).await?;
    for n in &found.networks {
        engine.remove_network(&n.id).await?;
    }
    for v in &found.volumes {
        engine.remove_volume(&v.name).await?;
    }
    Ok(found)
}

/// Every msmlab lab on the engine, by name: whatever carries the `io.msmlab.lab` label, and
/// nothing else.
pub async fn find_all(engine: &Engine) -> Result<std::collections::BTreeMap<String, Found>, EngineError> {
    let everything = Found {
        containers: engine.containers(None).await?,
        networks: engine.networks(None).await?,
        volumes: engine.volumes(None).await?,
    };
    Ok(by_lab(everything))
}

/// Groups what the engine listed by its lab label. Anything without a lab name (the engine's
/// filter should never return one) is left out: `down --all` must not touch it.
pub fn by_lab(found: Found) -> std::collections::BTreeMap<String, Found> {
    let mut labs: std::collections::BTreeMap<String, Found> = std::collections::BTreeMap::new();
    for c in found.containers.into_iter().filter(|c| !c.lab.is_empty()) {
        labs.entry(c.lab.clone()).or_default().containers.push(c);
    }
    for n in found.networks.into_iter().filter(|n| !n.lab.is_empty()) {
        labs.entry(n.lab.clone()).or_default().networks.push(n);
    }
    for v in found.volumes.into_iter().filter(|v| !v.lab.is_empty()) {
        labs.entry(v.lab.clone()).or_default().volumes.push(v);
    }
    labs
}

/// `down` for every lab on the engine; returns what was removed, by lab.
pub async fn down_all(engine: &Engine) -> Result<std::collections::BTreeMap<String, Found>, EngineError> {
    let labs = find_all(engine).await?;
    let mut removed = std::collections::BTreeMap::new();
    for lab in labs.keys() {
        removed.insert(lab.clone(), down(engine, lab).await?);
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tomcat_startup_lines_of_every_line_give_their_milliseconds() {
        let t9 = "25-Nov-2026 17:40:01.123 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1234] milliseconds";
        let t7 = "Nov 25, 2026 5:40:01 PM org.apache.catalina.startup.Catalina start\nINFO: Server startup in 987 ms";
        assert_eq!(startup_millis(t9), Some(1234));
        assert_eq!(startup_millis(t7), Some(987));
        assert_eq!(startup_millis("Server startup in"), None);
        assert_eq!(startup_millis("no such line"), None);
        let floor = Floor { slowest_tomcat_startup: Some(Duration::from_millis(1234)), nginx_first_answer: Duration::from_millis(16) };
        assert_eq!(floor.total(), Some(Duration::from_millis(1250)));
    }
}
