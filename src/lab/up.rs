//! `msmlab up`: fetch the jars, provision the images, create the network and containers, start
//! them in order and wait until each is ready. A failure or an interrupt removes what this
//! `up` created (`roll_back`), so nothing is left behind.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::future::try_join_all;

use crate::engine::swarm::Swarm;
use crate::engine::{ContainerSpec, Engine, EngineError, Privileges};
use crate::jars::attributes::{self, AttributeError};
use crate::jars::lock::Artifact;
use crate::jars::maven::{FetchError, Fetched, Fetcher};
use crate::lab::errors::{at, LabError};
use crate::lab::found::{down_owned, find, Found};
use crate::lab::health::Existing;
use crate::lab::health;
use crate::lab::jakarta;
use crate::lab::preflight::{preflight, Preflight};
use crate::lab::probe;
use crate::lab::provision::{self, Images};
use crate::lab::ready::{self, NotReady, NGINX_TIMEOUT, STORE_TIMEOUT, TOMCAT_TIMEOUT};
use crate::lab::settings;
use crate::lab::swarm;
use crate::lab::timings::{startup_millis, Floor, Timings};
use crate::lab::url::LabUrl;
use crate::plan::probe::PROBE_JAR;
use crate::plan::{Node, Plan, CATALINA_HOME};
use crate::labspec::{ImageSource, SessionManager};
use crate::labspec::names::{self, Role, NGINX_PORT, SPEC_LABEL};
use crate::ui::interrupt::Interrupts;
use crate::ui::progress::{Progress, Step};

/// What `up` did.
#[derive(Debug, Clone)]
pub enum UpOutcome {
    /// Built and started the lab, reached at `url`.
    Created { timings: Timings, url: LabUrl },
    /// The lab was up and healthy with these settings already; nothing was touched.
    AlreadyUp { url: LabUrl },
}

/// Brings a lab up, or fails having removed everything it created. A lab that exists already
/// is left alone when healthy and made with the same settings (`AlreadyUp`), refused when made
/// with others, and cleared away first when broken or half made; `recreate` clears it always.
pub async fn up(engine: &Engine, plan: &Plan, fetcher: &Fetcher, progress: &Progress, recreate: bool) -> Result<UpOutcome, LabError> {
    let started = Instant::now();
    let lab = plan.spec.shape.name.as_str();
    let swarm = match check_existing(engine, plan, progress, recreate).await? {
        (Preflight::AlreadyUp { url }, _) => return Ok(UpOutcome::AlreadyUp { url }),
        (Preflight::Proceed, swarm) => swarm,
    };

    // From here, what this run makes carries its owner token: an interrupt, like any failure,
    // removes that, and nothing another run of the same name made.
    let owner = owner_token();
    let owner = owner.as_str();
    let mut interrupts = Interrupts::watch();
    let failure = tokio::select! {
        result = make(engine, plan, fetcher, progress, swarm.as_ref(), owner) => match result {
            Ok((mut timings, url)) => {
                timings.total = started.elapsed();
                return Ok(UpOutcome::Created { timings, url });
            }
            Err(e) => e,
        },
        signal = interrupts.next() => {
            progress.warn(format!("{signal}: removing what this up created ({signal} again stops at once)"));
            LabError::Interrupted { signal, cleanup: None }
        }
    };
    let removed = tokio::select! {
        removed = roll_back(engine, lab, owner) => removed,
        signal = interrupts.next() => {
            // A second interrupt means "now": the rollback is dropped where it stands. What is
            // left carries the label, so `down` finds it.
            let note = format!("{signal} again: stopping without cleanup; `msmlab down --name {lab}` removes what is left");
            return Err(LabError::Interrupted { signal, cleanup: Some(note) });
        }
    };
    if let LabError::Building { .. } = failure {
        // Another run is making this lab: its result is ours, if it has the same settings.
        return tokio::select! {
            r = wait_for_other(engine, plan, progress) => r,
            signal = interrupts.next() => Err(LabError::Interrupted { signal, cleanup: None }),
        };
    }
    Err(failure.cleaned_up(removed))
}

/// The pre-flight of a lab on one engine, or on a swarm, where the services are checked where
/// they are and the nodes decide the layout.
async fn check_existing(engine: &Engine, plan: &Plan, progress: &Progress, recreate: bool) -> Result<(Preflight, Option<Swarm>), LabError> {
    match plan.spec.shape.swarm {
        Some(_) => {
            let (pre, swarm) = swarm::deploy::preflight(engine, plan, progress, recreate).await?;
            Ok((pre, Some(swarm)))
        }
        None => Ok((preflight(engine, plan, progress, recreate).await?, None)),
    }
}

/// Everything a rollback undoes: the jars, the images, the jars msmlab makes, then the lab
/// created and started. `Timings::total` is left to the caller, who started the clock.
async fn make(engine: &Engine, plan: &Plan, fetcher: &Fetcher, progress: &Progress, swarm: Option<&Swarm>, owner: &str) -> Result<(Timings, LabUrl), LabError> {
    let (mut fetched, fetch) = fetch_jars(plan, fetcher, progress).await?;
    // Neither migration tool is a lib jar to convert or compile against: msm's converts them;
    // `--webapp-javaee`'s (the same one, or fetched for it alone) goes into lib/ as it is.
    let tool = take(&mut fetched, plan.jars.migration.as_ref());
    let webapp_tool = tool.clone().filter(|t| Some(&t.artifact) == plan.webapp_migration.as_ref()).or_else(|| take(&mut fetched, plan.webapp_migration.as_ref()));
    let t = Instant::now();
    let (images, lib_jars) = if plan.spec.msm.images == ImageSource::Official {
        (provision::pull_official(engine, plan, progress).await?, &fetched[..])
    } else {
        let (distribution, lib_jars) = fetched.split_first().expect("a jar set has a distribution");
        (provision::build_images(engine, plan, distribution, progress).await?, lib_jars)
    };
    let labels = || HashMap::from([(names::LAB_LABEL.to_string(), plan.spec.shape.name.to_string()), (names::OWNER_LABEL.to_string(), owner.to_string())]);
    let tomcat_image = &images.by_role[&Role::Tomcat];
    let converted = match &tool {
        Some(tool) => Some(jakarta::convert(engine, tomcat_image, tool, lib_jars, labels(), progress).await?.0),
        None => None,
    };
    let lib_jars = converted.as_deref().unwrap_or(lib_jars);
    let mut built = jars_of_our_own(engine, plan, tomcat_image, lib_jars, labels, progress).await?;
    if let Some(build) = &plan.probe {
        built.push((PROBE_JAR.to_string(), probe::probe_jar(engine, plan, build, tomcat_image, fetcher, labels(), progress).await?));
    }
    let mut images_took = t.elapsed();
    // `--webapp-javaee`'s tool goes into lib/ as it is, for Tomcat's HostConfig.
    let lib_jars: Vec<Fetched> = lib_jars.iter().cloned().chain(webapp_tool).collect();
    let lib_jars = &lib_jars[..];

    let s = match swarm {
        Some(swarm) => {
            let files = HashMap::from([
                (Role::Tomcat, plan.tomcat_archive(lib_jars, &built).map_err(at("reading the cached jars"))?),
                (Role::Nginx, plan.nginx_archive().map_err(at("packing nginx.conf"))?),
            ]);
            let d = swarm::deploy::deploy(engine, plan, swarm, &images, &files, owner, progress).await?;
            let floor = Floor { slowest_tomcat_startup: None, nginx_first_answer: d.nginx_first_answer };
            // The lab's own images, built and pushed, count as images.
            images_took += d.images;
            Started { url: d.url, create: d.create, start: d.start, start_to_ready: d.start_to_ready, floor }
        }
        None => create_and_start(engine, plan, &images, lib_jars, &built, owner, progress).await?,
    };
    let timings = Timings {
        fetch,
        images: images_took,
        create: s.create,
        start: s.start,
        ready: s.start_to_ready.saturating_sub(s.start),
        start_to_ready: s.start_to_ready,
        total: Duration::ZERO,
        floor: s.floor,
    };
    Ok((timings, s.url))
}

/// Takes the fetched copy of `artifact` out of `fetched`.
fn take(fetched: &mut Vec<Fetched>, artifact: Option<&Artifact>) -> Option<Fetched> {
    let i = fetched.iter().position(|f| Some(&f.artifact) == artifact)?;
    Some(fetched.remove(i))
}

/// The plan's jars, from the cache or the repository, each checked against the lock; with
/// `--msm-option`s checked against msm's jar. Returns them and how long the step took.
async fn fetch_jars(plan: &Plan, fetcher: &Fetcher, progress: &Progress) -> Result<(Vec<Fetched>, Duration), LabError> {
    let step = progress.step("Fetch jars");
    // Official images bring their own Tomcat: only the jars for lib/ are needed.
    let mut artifacts: Vec<_> = if plan.spec.msm.images == ImageSource::Official {
        plan.jars.lib.iter().chain(&plan.jars.migration).cloned().collect()
    } else {
        plan.jars.all().cloned().collect()
    };
    artifacts.extend(plan.webapp_migration.iter().filter(|a| plan.jars.migration.as_ref() != Some(a)).cloned());
    let fetched = step.check(fetcher.fetch_all(&artifacts).await).map_err(at::<FetchError>("fetching jars"))?;
    for f in fetched.iter().filter(|f| f.replaced_corrupt.is_some()) {
        progress.warn(format!(
            "cached {} failed its checksum (sha256 {}, jars.lock pins {}); it was removed and downloaded again",
            f.path.display(),
            f.replaced_corrupt.as_deref().unwrap_or(""),
            f.artifact.sha256
        ));
    }
    if plan.spec.msm.session_manager == SessionManager::Msm {
        attributes::check_options(&plan.spec.msm.options.custom, &fetched).map_err(at::<AttributeError>("checking --msm-option against msm's jar"))?;
    }
    let downloaded = fetched.iter().filter(|f| f.downloaded).count();
    let took = step.done(format!("{} artifacts pinned in jars.lock, {downloaded} downloaded, {} from the cache", fetched.len(), fetched.len() - downloaded));
    Ok((fetched, took))
}

/// The jars msmlab compiles for this lab in its Tomcat image: `--xstream-allow`'s
/// transcoder factory, and on Tomcat 11 msmlab's Manager. Each is a `lib/` path and its bytes.
async fn jars_of_our_own(
    engine: &Engine,
    plan: &Plan,
    tomcat_image: &str,
    lib_jars: &[Fetched],
    labels: impl Fn() -> HashMap<String, String>,
    progress: &Progress,
) -> Result<Vec<(String, Vec<u8>)>, LabError> {
    let mut built = Vec::new();
    if !plan.spec.msm.xstream_allow.is_empty() {
        let jar = provision::xstream_allow_jar(engine, &plan.spec.msm.xstream_allow, tomcat_image, lib_jars, labels(), progress).await?;
        built.push((crate::plan::XSTREAM_ALLOW_JAR.to_string(), jar));
    }
    if plan.spec.msm.tomcat.major() >= 11 && plan.spec.msm.session_manager == SessionManager::Msm {
        let jar = jakarta::tomcat11_manager(engine, tomcat_image, lib_jars, labels(), progress).await?;
        built.push((crate::plan::TOMCAT11_MANAGER_JAR.to_string(), jar));
    }
    Ok(built)
}

/// How long a second `up` of the same name waits for the first one to finish the lab.
const OTHER_UP_TIMEOUT: Duration = Duration::from_secs(600);

/// Waits until the lab another run is making is up (then it is ours as it is, or refused as
/// made with other settings), or gone (that run failed).
async fn wait_for_other(engine: &Engine, plan: &Plan, progress: &Progress) -> Result<UpOutcome, LabError> {
    let lab = plan.spec.shape.name.as_str();
    let step = progress.step(format!("Wait for the other msmlab up that is making lab {lab}"));
    let deadline = Instant::now() + OTHER_UP_TIMEOUT;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let found = find(engine, lab).await?;
        if found.is_empty() {
            step.fail("it stopped and removed what it made");
            return Err(LabError::OtherUpFailed { lab: lab.into() });
        }
        // A lab whose every container runs is judged; one still being made is waited for.
        if found.containers.len() == plan.nodes().count() && found.containers.iter().all(|c| c.state.is_running()) {
            match health::check(engine, plan, &found).await {
                Existing::Healthy { url } => {
                    step.done("it is up");
                    return Ok(UpOutcome::AlreadyUp { url });
                }
                Existing::Different(what) => return Err(LabError::Different { lab: lab.into(), what }),
                Existing::Broken(_) => {}
            }
        }
    }
    step.fail("it did not finish");
    Err(LabError::OtherUpFailed { lab: lab.into() })
}

/// A token no other run picks: the process id and the clock.
fn owner_token() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}-{nanos:x}", std::process::id())
}

/// Pauses between rollback passes that failed: an engine that dropped out for a moment
/// (a restart, a cut connection) gets about 7 s to come back before msmlab gives up.
const ROLLBACK_RETRY: [Duration; 5] =
    [Duration::from_millis(250), Duration::from_millis(500), Duration::from_secs(1), Duration::from_secs(2), Duration::from_secs(3)];

/// Removes what a failed `up` created, and says what that was in a sentence (`None`: nothing).
async fn roll_back(engine: &Engine, lab: &str, owner: &str) -> Option<String> {
    let mut removed = Found::default();
    let mut retries = ROLLBACK_RETRY.iter();
    // A create the engine received just before an interrupt can land after the first pass
    // listed the lab, so passes go on until one finds nothing.
    for _ in 0..8 {
        match down_owned(engine, lab, owner).await {
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
    // An image build the interrupt cut short leaves untagged layers; they carry msmlab's label.
    let layers = engine.prune_dangling_images(names::IMAGE_LABEL, Duration::from_secs(10)).await.unwrap_or(0);
    let layers = (layers > 0).then(|| format!("{layers} layers of an unfinished image build"));
    let what = match (removed.is_empty(), layers) {
        (true, None) => return None,
        (true, Some(l)) => l,
        (false, None) => removed.summary(),
        (false, Some(l)) => format!("{} and {l}", removed.summary()),
    };
    Some(format!("msmlab removed what this up had created: {what}"))
}

/// What `create_and_start` measured.
struct Started {
    /// Where nginx was published, as reached from here.
    url: LabUrl,
    create: Duration,
    start: Duration,
    start_to_ready: Duration,
    floor: Floor,
}

/// Creates the lab's network and containers, then starts them in order and waits until each
/// is ready: the store first, the Tomcats, then nginx.
async fn create_and_start(
    engine: &Engine,
    plan: &Plan,
    images: &Images,
    lib_jars: &[Fetched],
    built: &[(String, Vec<u8>)],
    owner: &str,
    progress: &Progress,
) -> Result<Started, LabError> {
    let step = progress.step(format!("Create network {} and {} containers", plan.network, plan.nodes().count()));
    let store_steps: Vec<_> = plan.stores.iter().map(|n| progress.step(format!("Start {}", n.name))).collect();
    let blueprint = Blueprint::new(plan, images, lib_jars, built, owner)?;
    create(engine, &blueprint, &step, &store_steps).await?;
    let create = step.done("");

    let ready_from = Instant::now();
    let tc_steps: Vec<_> = plan.tomcats.iter().map(|t| progress.step(format!("Start {}", t.name))).collect();
    let ng_step = progress.step(format!("Start {}", plan.nginx.name));
    let ((), (start, startups)) =
        tokio::try_join!(stores_ready(engine, plan, store_steps), start_tomcats_then_nginx(engine, plan, tc_steps, &ng_step, ready_from))?;

    let tomcats: Vec<String> = plan.tomcats.iter().map(|t| t.name.clone()).collect();
    let ng = &plan.nginx.name;
    // --port 0: the engine chose the port; read it back.
    let port = match plan.spec.shape.port {
        0 => ng_step.check(engine.published_port(ng).await).map_err(at::<EngineError>(format!("reading the port {ng} was published on")))?,
        p => p,
    };
    let url = LabUrl::on(engine, &plan.spec.shape.listen.to_string(), port);
    let first_answer = ng_step
        .check(ready::nginx(engine, ng, &url.page(), &tomcats, NGINX_TIMEOUT).await)
        .map_err(at::<NotReady>(format!("starting {ng}")))?;
    let at_host = engine.reach_host().map(|h| format!(" (reached at {h})")).unwrap_or_default();
    ng_step.done(format!("proxies to all {} Tomcats on {}:{port}{at_host}", tomcats.len(), plan.spec.shape.listen));
    let slowest = startups.iter().copied().collect::<Option<Vec<u64>>>().and_then(|m| m.into_iter().max());
    let floor = Floor { slowest_tomcat_startup: slowest.map(Duration::from_millis), nginx_first_answer: first_answer };
    Ok(Started { url, create, start, start_to_ready: ready_from.elapsed(), floor })
}

/// Each container of a plan as the engine creates it, and the files it receives.
struct Blueprint<'a> {
    plan: &'a Plan,
    images: &'a Images,
    /// This run's token (`names::OWNER_LABEL`).
    owner: String,
    /// The network this run created.
    network_id: std::sync::OnceLock<String>,
    spec_label: String,
    tomcat_files: Vec<u8>,
    nginx_files: Vec<u8>,
}

impl<'a> Blueprint<'a> {
    fn new(plan: &'a Plan, images: &'a Images, lib_jars: &[Fetched], built: &[(String, Vec<u8>)], owner: &str) -> Result<Blueprint<'a>, LabError> {
        Ok(Blueprint {
            plan,
            images,
            owner: owner.into(),
            network_id: std::sync::OnceLock::new(),
            spec_label: settings::spec_label(&plan.spec),
            tomcat_files: plan.tomcat_archive(lib_jars, built).map_err(at("reading the cached jars"))?,
            nginx_files: plan.nginx_archive().map_err(at("packing nginx.conf"))?,
        })
    }

    fn container(&self, node: &Node) -> ContainerSpec {
        let (plan, images) = (self.plan, self.images);
        let mut labels = names::labels(&plan.spec.shape.name, node.role, node.index);
        labels.insert(SPEC_LABEL.to_string(), self.spec_label.clone());
        labels.insert(names::OWNER_LABEL.to_string(), self.owner.clone());
        labels.extend(plan.probe_label(node.role));
        ContainerSpec {
            name: node.name.clone(),
            image: images.by_role[&node.role].clone(),
            labels,
            // By id: while two runs race, two networks of the lab's name can exist for a moment.
            network: self.network_id.get().cloned().unwrap_or_else(|| plan.network.clone()),
            env: plan.env(node),
            // Only nginx is published, on the --listen address (loopback unless told otherwise).
            publish: (node.role == Role::Nginx).then(|| (plan.spec.shape.listen.to_string(), plan.spec.shape.port, NGINX_PORT)),
            cmd: images.cmd.get(&node.role).cloned(),
            // Official images start as root and switch users themselves; msmlab's own need nothing.
            privileges: if plan.spec.msm.images == ImageSource::Official { Privileges::ImageDefault } else { Privileges::Unprivileged },
            ..Default::default()
        }
    }

    /// Where a container's files go, and the tar of them.
    fn files(&self, node: &Node) -> Option<(&'static str, Vec<u8>)> {
        match node.role {
            Role::Tomcat => Some((CATALINA_HOME, self.tomcat_files.clone())),
            Role::Nginx => Some(("/etc/nginx", self.nginx_files.clone())),
            Role::Memcached | Role::Redis => None,
        }
    }

    async fn create(&self, engine: &Engine, node: &Node) -> Result<(), EngineError> {
        let spec = self.container(node);
        engine.create_container(&spec).await?;
        if let Some((path, tar)) = self.files(node) {
            engine.upload(&spec.name, path, tar).await?;
        }
        Ok(())
    }
}

/// The network and every container, the store started as soon as it exists.
///
/// The first store container is created first, alone and on no network: container names are
/// the engine's one unique claim, so of two runs making the same lab at once exactly one gets
/// it and goes on, and the other (`LabError::Building`) has made nothing and waits for the
/// first. Only then is the network made (so two of one name never exist: an engine of API
/// 1.41 allows that, and then refuses to start containers on either), and the container moved
/// onto it.
async fn create(engine: &Engine, blueprint: &Blueprint<'_>, step: &Step, store_steps: &[Step]) -> Result<(), LabError> {
    let plan = blueprint.plan;
    let first = &plan.stores[0];
    let claim = ContainerSpec { network: "none".into(), ..blueprint.container(first) };
    match engine.create_container(&claim).await {
        Err(e) if e.is_conflict() => return Err(LabError::Building { lab: plan.spec.shape.name.to_string() }),
        created => step.check(created).map_err(at::<EngineError>(format!("creating {}", first.name)))?,
    };
    let mut labels = names::network_labels(&plan.spec.shape.name);
    labels.insert(names::OWNER_LABEL.to_string(), blueprint.owner.clone());
    let id = step.check(engine.create_network(&plan.network, labels).await).map_err(at::<EngineError>(format!("creating network {}", plan.network)))?;
    step.check(engine.move_to_network(&first.name, &id).await).map_err(at::<EngineError>(format!("attaching {} to {}", first.name, plan.network)))?;
    let _ = blueprint.network_id.set(id);
    // The store starts first, while the others are created and get their files: msm fails
    // for good if its node's name does not resolve when Tomcat starts, and the name resolves
    // as soon as the container runs. The Tomcats take a second to reach msm, so they need not
    // wait for the store to answer.
    let stores = all_settled(plan.stores.iter().zip(store_steps).map(|(n, step)| async move {
        if n.index != first.index {
            step.check(blueprint.create(engine, n).await).map_err(at::<EngineError>(format!("creating {}", n.name)))?;
        }
        step.check(engine.start(&n.name).await).map_err(at::<EngineError>(format!("starting {}", n.name)))
    }));
    let others = all_settled(plan.tomcats.iter().chain([&plan.nginx]).map(|n| blueprint.create(engine, n)));
    let (stores, others) = tokio::join!(stores, others);
    step.check(others).map_err(at::<EngineError>("creating the containers"))?;
    stores?;
    Ok(())
}

/// Every store node answers its own protocol (memcached `version`, Redis `INFO server`).
async fn stores_ready(engine: &Engine, plan: &Plan, steps: Vec<Step>) -> Result<(), LabError> {
    try_join_all(plan.stores.iter().zip(steps).map(|(n, step)| async move {
        let answer = step.check(ready::store(engine, n.role, &n.name, STORE_TIMEOUT).await);
        step.done(answer.map_err(at::<NotReady>(format!("starting {}", n.name)))?.to_lowercase());
        Ok::<_, LabError>(())
    }))
    .await?;
    Ok(())
}

/// Starts the Tomcats, then nginx, and waits until every Tomcat serves the test page (whether
/// the user's webapp answers is asked afterwards, `lab::webapp_check`). Returns when the engine had started them all, and each Tomcat's own
/// "Server startup in" milliseconds.
async fn start_tomcats_then_nginx(
    engine: &Engine,
    plan: &Plan,
    tc_steps: Vec<Step>,
    ng_step: &Step,
    ready_from: Instant,
) -> Result<(Duration, Vec<Option<u64>>), LabError> {
    all_settled(plan.tomcats.iter().zip(&tc_steps).map(|(t, step)| async move {
        step.check(engine.start(&t.name).await).map_err(at::<EngineError>(format!("starting {}", t.name)))
    }))
    .await?;

    // nginx resolves the Tomcats' names once, when it starts: they resolve as soon as the
    // containers run. Nothing is sent through it before the Tomcats are ready, so it never
    // marks a starting Tomcat as failed.
    let ng = &plan.nginx.name;
    ng_step.check(engine.start(ng).await).map_err(at::<EngineError>(format!("starting {ng}")))?;
    let all_started = ready_from.elapsed();
    ng_step.update("waiting for the Tomcats");

    let startups = try_join_all(plan.tomcats.iter().zip(tc_steps).map(|(t, step)| async move {
        step.update("waiting for \"Server startup in\" and the test page");
        let line = step.check(ready::tomcat(engine, &t.name, TOMCAT_TIMEOUT).await);
        let line = line.map_err(at::<NotReady>(format!("starting {}", t.name)))?;
        if let (Some(w), true) = (&plan.webapp, plan.spec.shape.webapp_javaee) {
            step.check(ready::converted_webapp(engine, &t.name, &w.context_path).await)
                .map_err(at::<NotReady>(format!("converting {} on {}", w.source, t.name)))?;
        }
        // One form for every Tomcat line (9 says "[451] milliseconds", 8.5 "333 ms").
        let millis = startup_millis(&line);
        step.done(match millis {
            Some(ms) => format!("serves the test page (Tomcat started in {ms} ms)"),
            None => format!("serves the test page ({})", line.trim()),
        });
        Ok::<_, LabError>(millis)
    }))
    .await?;
    Ok((all_started, startups))
}

/// Runs engine calls that change the lab side by side and waits for every one of them, so
/// that none is still in flight when a failure leads to a rollback; the first error wins.
async fn all_settled<T, E>(calls: impl IntoIterator<Item = impl std::future::Future<Output = Result<T, E>>>) -> Result<Vec<T>, E> {
    futures_util::future::join_all(calls).await.into_iter().collect()
}
