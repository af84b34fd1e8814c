//! `msmlab bench`: for each serializer, a lab of its own (full JIT), load through nginx from C
//! clients that each hold a session with the payload asked for, and the bytes the store really
//! holds per session. Optionally, first, msmlab's load generator against `wrk` on an answer
//! nginx gives by itself, to show that the generator is not what limits the figures.
//!
//! The labs run one after another under `<name>-<serializer>`, and each is removed when its
//! run ends, whatever happened.

pub mod chart;
pub mod load;
pub mod stats;
pub mod wrk;


use std::time::Duration;

use clap::ValueEnum;
use serde::Serialize;

use crate::bench::load::{Errors, Limit, LoadError, LoadSpec};
use crate::bench::stats::{Latency};
use crate::bench::wrk::{WrkError, WrkRun};
use crate::engine::{Engine, EngineError};
use crate::exit::{Classified, ExitStatus};
use crate::jars::lock::Lock;
use crate::jars::maven::Fetcher;
use crate::lab::LabError;
use crate::lab::store;
use crate::lab::{self, LabUrl};
use crate::plan::Plan;
use crate::plan::PlanError;
use crate::labspec::support::Unsupported;
use crate::labspec::support;
use crate::labspec::webapp::WEBAPP_CONTEXT;
use crate::labspec::{LabSpec, Serializer, TomcatLine};
use crate::ui::progress::Progress;
use crate::verify::node_of;

/// JVM flags of a bench lab's Tomcats, after the image's start-up tuning: the image runs C1
/// only (`-XX:TieredStopAtLevel=1`), which starts fast but caps throughput. The last
/// occurrence of a flag wins, so this restores the full tiered JIT with C2.
pub const BENCH_JAVA_OPTS: &str = "-XX:TieredStopAtLevel=4";
/// nginx's own answer (see `templates/nginx.conf`): the endpoint of the wrk comparison.
pub const STATIC_PATH: &str = "/msmlab/static";
/// The page the bench drives (see `templates/webapp/Payload.jsp`).
pub const PAYLOAD_PAGE: &str = "Payload.jsp";
/// Sessions whose size is read from the store after a run.
const SESSIONS_SAMPLED: usize = 5;
/// Rounds of the wrk comparison: msmlab, wrk, msmlab, wrk… so drift hits both alike.
const WRK_ROUNDS: usize = 2;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("--serializers {0:?}: name serializers separated by commas (java, kryo, xstream), or all")]
    Serializers(String),
    #[error("--concurrency {0}: give 1 to 4096 clients")]
    Concurrency(usize),
    #[error("--payload-attributes {0}: give 1 to 256 (and --payload-kb 0 to 1024)")]
    Payload(u32),
    #[error("--name {0:?} is too long for a bench: the labs are named <name>-<serializer>, which must be a lab name too")]
    Name(String),
    #[error("interrupted by {0}; msmlab removed the bench's lab")]
    Interrupted(&'static str),
    #[error("the load run on {lab} failed")]
    Load {
        lab: String,
        #[source]
        source: LoadError,
    },
    #[error("comparing with wrk")]
    Wrk(#[source] WrkError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Unsupported(#[from] Unsupported),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Lab(#[from] LabError),
}

impl Classified for BenchError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            BenchError::Serializers(_) | BenchError::Concurrency(_) | BenchError::Payload(_) | BenchError::Name(_) => ExitStatus::BadInput,
            BenchError::Interrupted(_) => ExitStatus::Interrupted,
            BenchError::Load { .. } | BenchError::Wrk(_) => ExitStatus::Failed,
            BenchError::Engine(e) => e.exit_status(),
            BenchError::Unsupported(e) => e.exit_status(),
            BenchError::Plan(e) => e.exit_status(),
            BenchError::Lab(e) => e.exit_status(),
        }
    }
}

/// What the session holds: about `kb` KiB spread over `attributes` attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Payload {
    pub kb: u32,
    pub attributes: u32,
    pub shape: Shape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// Each attribute one String.
    Plain,
    /// Each attribute an ArrayList of HashMap rows (Integer, Long, Strings, a list of Strings).
    Collections,
}

impl Shape {
    fn as_str(self) -> &'static str {
        match self {
            Shape::Plain => "plain",
            Shape::Collections => "collections",
        }
    }
}

impl Payload {
    pub fn validate(self) -> Result<Payload, BenchError> {
        if !(1..=256).contains(&self.attributes) || self.kb > 1024 {
            return Err(BenchError::Payload(self.attributes));
        }
        Ok(self)
    }

    pub fn describe(&self) -> String {
        format!("{} KiB in {} attribute{} ({})", self.kb, self.attributes, if self.attributes == 1 { "" } else { "s" }, self.shape.as_str())
    }
}

/// The payload page on the lab at `url`.
pub fn payload_url(url: &LabUrl, p: &Payload) -> String {
    url.at(&format!("/{WEBAPP_CONTEXT}/{PAYLOAD_PAGE}?kb={}&attributes={}&shape={}", p.kb, p.attributes, p.shape.as_str()))
}

pub fn static_url(url: &LabUrl) -> String {
    url.at(STATIC_PATH)
}

/// `20s`, `500ms`, `2m`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("{s:?} is not a duration: write it like 20s, 500ms or 2m");
    let s = s.trim();
    let (n, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: f64 = n.parse().map_err(|_| bad())?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(bad()),
    };
    Duration::try_from_secs_f64(secs).map_err(|_| bad())
}

/// `all` (every serializer msm supports with this Tomcat) or a comma-separated list; one
/// msm cannot run is refused with its reason (`BenchSpec::validate`).
pub fn serializers(list: &str, tomcat: &TomcatLine) -> Result<Vec<Serializer>, BenchError> {
    support::serializer_list(list, tomcat).ok_or_else(|| BenchError::Serializers(list.to_string()))
}

/// Everything a bench needs; `lab` is the template of every serializer's lab (its name is
/// the prefix, its serializer is replaced).
#[derive(Debug, Clone)]
pub struct BenchSpec {
    pub lab: LabSpec,
    pub serializers: Vec<Serializer>,
    pub concurrency: usize,
    pub limit: Limit,
    pub warmup: Duration,
    pub payload: Payload,
    pub compare_wrk: bool,
}

impl BenchSpec {
    /// Checks what the types do not, and refuses serializers msm cannot run, before any I/O.
    pub fn validate(self) -> Result<BenchSpec, BenchError> {
        if !(1..=4096).contains(&self.concurrency) {
            return Err(BenchError::Concurrency(self.concurrency));
        }
        self.payload.validate()?;
        for s in &self.serializers {
            support::check_combination(&self.lab.msm.tomcat, *s)?;
            self.lab_for(*s)?;
        }
        Ok(self)
    }

    /// The lab of one serializer: the template, renamed, with the bench's JVM flags first.
    pub fn lab_for(&self, s: Serializer) -> Result<LabSpec, BenchError> {
        let mut lab = self.lab.per_serializer(s).ok_or_else(|| BenchError::Name(self.lab.shape.name.to_string()))?;
        lab.shape.java_opts = [BENCH_JAVA_OPTS, self.lab.shape.java_opts.as_str()].join(" ").trim().to_string();
        Ok(lab)
    }
}

/// What one serializer's run measured.
#[derive(Debug, Clone, Serialize)]
pub struct SerializerRun {
    pub serializer: Serializer,
    pub lab: String,
    pub up_seconds: f64,
    /// Requests answered 2xx in the measured phase.
    pub requests: u64,
    pub errors: Errors,
    pub seconds: f64,
    pub requests_per_sec: f64,
    pub latency: Latency,
    /// Times a client got a new session id mid-run (a lost session).
    pub session_changes: u64,
    pub store_bytes: Option<StoreBytes>,
}

/// The size of the sessions in the store, read over its own protocol.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoreBytes {
    pub sessions_read: usize,
    pub median: u64,
    pub min: u64,
    pub max: u64,
}

impl StoreBytes {
    pub fn of(sizes: &[u64]) -> Option<StoreBytes> {
        let min = *sizes.iter().min()?;
        let max = *sizes.iter().max()?;
        let as_f64: Vec<f64> = sizes.iter().map(|&s| s as f64).collect();
        let median = stats::median(&as_f64)?.round() as u64;
        Some(StoreBytes { sessions_read: sizes.len(), median, min, max })
    }
}

/// msmlab's generator and wrk, in turns, on the same URL at the same concurrency.
#[derive(Debug, Clone, Serialize)]
pub struct WrkComparison {
    pub url: String,
    pub connections: usize,
    pub wrk_threads: usize,
    pub seconds_each: f64,
    pub msmlab_rps: Vec<f64>,
    pub wrk: Vec<WrkRun>,
    pub msmlab_median_rps: f64,
    pub wrk_median_rps: f64,
    /// msmlab's requests/s over wrk's (medians): the target is at least 0.9.
    pub ratio: f64,
}

/// Where the figures came from.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: Option<String>,
    pub kernel: Option<String>,
    /// /proc/loadavg's 1, 5 and 15 minute figures, when the bench started and ended.
    pub load_before: Option<[f64; 3]>,
    pub load_after: Option<[f64; 3]>,
}

impl Machine {
    pub fn now() -> Machine {
        let read = |p: &str| std::fs::read_to_string(p).ok();
        Machine {
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model: read("/proc/cpuinfo")
                .and_then(|c| c.lines().find_map(|l| l.strip_prefix("model name").map(|m| m.trim_start_matches([' ', '\t', ':']).to_string()))),
            kernel: read("/proc/sys/kernel/osrelease").map(|k| k.trim().to_string()),
            load_before: load_average(),
            load_after: None,
        }
    }
}

pub fn load_average() -> Option<[f64; 3]> {
    parse_loadavg(&std::fs::read_to_string("/proc/loadavg").ok()?)
}

pub fn parse_loadavg(text: &str) -> Option<[f64; 3]> {
    let mut f = text.split_whitespace().map(|v| v.parse::<f64>().ok());
    Some([f.next()??, f.next()??, f.next()??])
}

/// The settings a reader needs to reproduce the figures.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub tomcat: String,
    pub jre: u8,
    pub store: String,
    pub store_nodes: u8,
    pub tomcats: u8,
    pub concurrency: usize,
    pub limit: Limit,
    pub warmup_seconds: f64,
    pub payload: Payload,
    pub java_opts: String,
}

/// The whole result of `msmlab bench`.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub machine: Machine,
    pub settings: Settings,
    pub runs: Vec<SerializerRun>,
    pub wrk: Option<WrkComparison>,
}

pub async fn run(engine: &Engine, lock: &Lock, fetcher: &Fetcher, progress: &Progress, spec: &BenchSpec) -> Result<BenchReport, BenchError> {
    let mut machine = Machine::now();
    let settings = Settings {
        tomcat: spec.lab.msm.tomcat.to_string(),
        jre: spec.lab.shape.jre.version(),
        store: spec.lab.msm.store.to_string(),
        store_nodes: spec.lab.shape.store_nodes,
        tomcats: spec.lab.shape.tomcats,
        concurrency: spec.concurrency,
        limit: spec.limit,
        warmup_seconds: spec.warmup.as_secs_f64(),
        payload: spec.payload,
        java_opts: spec.lab_for(spec.serializers[0])?.shape.java_opts,
    };
    let mut runs = Vec::new();
    let mut wrk = None;
    for (i, &s) in spec.serializers.iter().enumerate() {
        let lab = spec.lab_for(s)?;
        let plan = Plan::new(lab, lock)?;
        // A fresh lab (a leftover of that name is replaced), removed whatever the run does.
        let t = lab::throwaway(engine, &plan, fetcher, progress, |url| measure(engine, &plan, spec, progress, i == 0 && spec.compare_wrk, url)).await?;
        let (mut run, comparison) = t.outcome.unwrap_or_else(|signal| Err(BenchError::Interrupted(signal)))?;
        t.removed?;
        run.up_seconds = t.up.map_or(0.0, |timings| timings.total.as_secs_f64());
        runs.push(run);
        wrk = wrk.or(comparison);
    }
    machine.load_after = load_average();
    Ok(BenchReport { machine, settings, runs, wrk })
}

async fn measure(
    engine: &Engine,
    plan: &Plan,
    spec: &BenchSpec,
    progress: &Progress,
    compare_wrk: bool,
    url: LabUrl,
) -> Result<(SerializerRun, Option<WrkComparison>), BenchError> {
    let lab = plan.spec.shape.name.to_string();
    let comparison = if compare_wrk { Some(compare_with_wrk(&static_url(&url), spec, progress).await?) } else { None };

    let what = match spec.limit {
        Limit::Duration(d) => format!("{:.0}s", d.as_secs_f64()),
        Limit::Requests(n) => format!("{n} requests"),
    };
    let step = progress.step(format!(
        "Load {lab}: {} clients, {:.0}s warm-up, {what}, payload {}",
        spec.concurrency,
        spec.warmup.as_secs_f64(),
        spec.payload.describe()
    ));
    let load = LoadSpec {
        url: payload_url(&url, &spec.payload),
        concurrency: spec.concurrency,
        limit: spec.limit,
        warmup: spec.warmup,
        timeout: Duration::from_secs(10),
    };
    let result = step.check(load::run(&load).await).map_err(|source| BenchError::Load { lab: lab.clone(), source })?;
    step.done(format!("{:.0} requests/s, {} errors", result.rate(), result.errors.total()));

    let step = progress.step(format!("Read session sizes from {}", plan.stores[0].name));
    let store_bytes = StoreBytes::of(&session_sizes(engine, plan, &result.sessions).await?);
    step.done(store_bytes.as_ref().map_or("no session found in the store".into(), |b| format!("{} bytes per session (median)", b.median)));

    let run = SerializerRun {
        serializer: plan.spec.msm.serializer,
        lab,
        up_seconds: 0.0,
        requests: result.ok,
        errors: result.errors.clone(),
        seconds: result.elapsed.as_secs_f64(),
        requests_per_sec: result.rate(),
        latency: Latency::of(&result.latency),
        session_changes: result.session_changes,
        store_bytes,
    };
    Ok((run, comparison))
}

/// The stored size of a few of the clients' sessions, each read from the node its id names.
async fn session_sizes(engine: &Engine, plan: &Plan, sessions: &[String]) -> Result<Vec<u64>, BenchError> {
    let mut sizes = Vec::new();
    for id in sessions.iter().take(SESSIONS_SAMPLED) {
        let wanted = node_of(id).unwrap_or(1);
        let Some(node) = plan.stores.iter().find(|n| n.index == wanted) else { continue };
        match store::stored_size(engine, node.role, &node.name, id).await {
            Ok(Some(n)) => sizes.push(n),
            Ok(None) => {}
            Err(store::ProbeError::Engine(e)) => return Err(e.into()),
            // A store that answers oddly leaves the size unknown; the run's figures stand.
            Err(_) => {}
        }
    }
    Ok(sizes)
}

async fn compare_with_wrk(url: &str, spec: &BenchSpec, progress: &Progress) -> Result<WrkComparison, BenchError> {
    let each = match spec.limit {
        Limit::Duration(d) => d.max(Duration::from_secs(1)),
        Limit::Requests(_) => Duration::from_secs(5),
    };
    // wrk gets one thread per CPU, as the tokio runtime msmlab runs on.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut msmlab_rps = Vec::new();
    let mut wrk_runs = Vec::new();
    for round in 1..=WRK_ROUNDS {
        let step = progress.step(format!("Generator vs wrk, round {round}/{WRK_ROUNDS}: msmlab, {} clients, {}s on {url}", spec.concurrency, each.as_secs()));
        let load = LoadSpec {
            url: url.to_string(),
            concurrency: spec.concurrency,
            limit: Limit::Duration(each),
            warmup: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
        };
        let r = step.check(load::run(&load).await).map_err(|source| BenchError::Load { lab: url.to_string(), source })?;
        step.done(format!("{:.0} requests/s", r.rate()));
        msmlab_rps.push(r.rate());

        let step = progress.step(format!("Generator vs wrk, round {round}/{WRK_ROUNDS}: wrk, {} connections, {} threads", spec.concurrency, threads));
        let w = step.check(wrk::run(url, spec.concurrency, threads, each).await).map_err(BenchError::Wrk)?;
        step.done(format!("{:.0} requests/s", w.requests_per_sec));
        wrk_runs.push(w);
    }
    let msmlab_median_rps = stats::median(&msmlab_rps).unwrap_or(0.0);
    let wrk_median_rps = stats::median(&wrk_runs.iter().map(|w| w.requests_per_sec).collect::<Vec<_>>()).unwrap_or(0.0);
    Ok(WrkComparison {
        url: url.to_string(),
        connections: spec.concurrency,
        wrk_threads: threads,
        seconds_each: each.as_secs_f64(),
        ratio: if wrk_median_rps > 0.0 { msmlab_median_rps / wrk_median_rps } else { 0.0 },
        msmlab_rps,
        wrk: wrk_runs,
        msmlab_median_rps,
        wrk_median_rps,
    })
}

/// Bench's refusals are usage errors (exit code 2), like the rest of bad input.
/// A report as a bench of java, kryo and xstream produces it (figures made up), for the
/// tests of the report formats.
#[cfg(test)]
pub(crate) fn sample_report(with_wrk: bool) -> BenchReport {
    let run = |serializer, rps: f64, p50: f64, bytes: Option<u64>, errors: u64| SerializerRun {
        session_changes: errors.min(2),
        serializer,
        lab: format!("bench-{serializer}"),
        up_seconds: 4.2,
        requests: (rps * 20.0) as u64,
        errors: Errors { status: errors, io: 0, timeout: 0 },
        seconds: 20.0,
        requests_per_sec: rps,
        latency: Latency { p50_ms: p50, p90_ms: p50 * 2.0, p99_ms: p50 * 5.0, max_ms: p50 * 20.0, mean_ms: p50 * 1.2 },
        store_bytes: bytes.map(|b| StoreBytes { sessions_read: 5, median: b, min: b, max: b }),
    };
    BenchReport {
        machine: Machine {
            cpus: 2,
            cpu_model: Some("Test CPU <&> 2.0GHz".into()),
            kernel: Some("6.1.0".into()),
            load_before: Some([7.6, 6.8, 4.2]),
            load_after: Some([7.9, 7.0, 4.5]),
        },
        settings: Settings {
            tomcat: "9".into(),
            jre: 17,
            store: "memcached".into(),
            store_nodes: 1,
            tomcats: 2,
            concurrency: 16,
            limit: Limit::Duration(Duration::from_secs(20)),
            warmup_seconds: 5.0,
            payload: Payload { kb: 4, attributes: 4, shape: Shape::Collections },
            java_opts: BENCH_JAVA_OPTS.into(),
        },
        runs: vec![
            run(Serializer::Java, 812.4, 17.5, Some(6210), 0),
            run(Serializer::Kryo, 1020.9, 14.1, Some(3980), 0),
            run(Serializer::Xstream, 455.0, 31.0, None, 3),
        ],
        wrk: with_wrk.then(|| WrkComparison {
            url: static_url(&LabUrl::reached(None, "127.0.0.1", 13481)),
            connections: 16,
            wrk_threads: 2,
            seconds_each: 20.0,
            msmlab_rps: vec![15000.0, 15400.0],
            wrk: Vec::new(),
            msmlab_median_rps: 15200.0,
            wrk_median_rps: 16000.0,
            ratio: 0.95,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(parse_duration("20s"), Ok(Duration::from_secs(20)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        for bad in ["", "s", "20h", "-1s", "twenty"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn all_means_the_serializers_msm_supports() {
        let t9: TomcatLine = "9".parse().unwrap();
        assert_eq!(serializers("all", &t9).unwrap(), [Serializer::Java, Serializer::Kryo, Serializer::Xstream]);
        assert_eq!(serializers("kryo, java,kryo", &t9).unwrap(), [Serializer::Kryo, Serializer::Java]);
        assert!(matches!(serializers("java,protobuf", &t9), Err(BenchError::Serializers(_))));
        assert!(matches!(serializers("", &t9), Err(BenchError::Serializers(_))));
    }

    fn spec() -> BenchSpec {
        BenchSpec {
            lab: LabSpec { shape: crate::labspec::LabShape::new("bench".parse().unwrap(), crate::labspec::Jre::Jre17, 2, 13481, "-Xmx256m".into()), ..LabSpec::example() },
            serializers: vec![Serializer::Java, Serializer::Kryo],
            concurrency: 8,
            limit: Limit::Duration(Duration::from_secs(5)),
            warmup: Duration::from_secs(1),
            payload: Payload { kb: 4, attributes: 4, shape: Shape::Collections },
            compare_wrk: false,
        }
    }

    #[test]
    fn each_serializer_gets_its_own_lab_with_the_full_jit() {
        let lab = spec().lab_for(Serializer::Kryo).unwrap();
        assert_eq!(lab.shape.name.as_str(), "bench-kryo");
        assert_eq!(lab.msm.serializer, Serializer::Kryo);
        // The bench's flag comes first, so the user's own options still have the last word.
        assert_eq!(lab.shape.java_opts, "-XX:TieredStopAtLevel=4 -Xmx256m");
    }

    #[test]
    fn what_msm_cannot_run_is_refused_before_anything_starts() {
        let s = BenchSpec { serializers: vec![Serializer::Java, Serializer::Flexjson], ..spec() };
        let e = s.validate().unwrap_err();
        assert!(matches!(e, BenchError::Unsupported(_)), "{e:#}");
        assert!(e.to_string().contains("flexjson"), "{e}");
        let s = BenchSpec { concurrency: 0, ..spec() };
        assert!(s.validate().unwrap_err().to_string().contains("--concurrency 0"));
        let s = BenchSpec { payload: Payload { kb: 4, attributes: 0, shape: Shape::Plain }, ..spec() };
        assert!(s.validate().is_err());
        let mut long = spec();
        long.lab.shape.name = "x".repeat(30).parse().unwrap();
        assert!(long.validate().unwrap_err().to_string().contains("too long"));
    }

    #[test]
    fn urls_carry_the_payload() {
        let p = Payload { kb: 16, attributes: 8, shape: Shape::Plain };
        let url = LabUrl::reached(None, "127.0.0.1", 13481);
        assert_eq!(payload_url(&url, &p), "http://127.0.0.1:13481/ShareSession/Payload.jsp?kb=16&attributes=8&shape=plain");
        assert_eq!(static_url(&url), "http://127.0.0.1:13481/msmlab/static");
        assert_eq!(p.describe(), "16 KiB in 8 attributes (plain)");
    }

    #[test]
    fn store_sizes_summarise_as_median_min_max() {
        assert_eq!(StoreBytes::of(&[300, 100, 200]), Some(StoreBytes { sessions_read: 3, median: 200, min: 100, max: 300 }));
        assert_eq!(StoreBytes::of(&[]), None);
    }

    #[test]
    fn load_average_is_read_from_proc() {
        assert_eq!(parse_loadavg("7.60 6.84 4.17 3/512 12345\n"), Some([7.6, 6.84, 4.17]));
        assert_eq!(parse_loadavg("garbage"), None);
    }
}
