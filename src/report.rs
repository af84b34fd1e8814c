//! Turns results into what people and machines read: results on stdout, human text or JSON.
//! Nothing else prints results.

use std::fmt::Write;

use serde::Serialize;
use serde_json::json;

use crate::bench::BenchReport;
use crate::engine::ContainerInfo;
use crate::lab::{Found, Timings};
use crate::lock::JarSet;
use crate::relock::Relocked;
use crate::spec::{Serializer, Store, TomcatLine};
use crate::verify::Verdict;

pub fn verdict_text(v: &Verdict) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Lab {:?}: {} requests through {}", v.lab, v.requests.len(), v.url);
    let width = v.checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in &v.checks {
        let mark = if c.ok { "✓" } else { "✗" };
        let _ = writeln!(out, "  {mark} {:width$}  {}", c.name, c.detail);
    }
    let failed: Vec<&str> = v.checks.iter().filter(|c| !c.ok).map(|c| c.name).collect();
    if v.ok {
        let _ = writeln!(out, "PASS: the session is shared");
    } else {
        let _ = writeln!(out, "FAIL: {}", failed.join(", "));
    }
    out
}

pub fn verdict_json(v: &Verdict) -> String {
    serde_json::to_string_pretty(v).expect("a verdict serializes")
}

pub fn status_text(lab: &str, containers: &[ContainerInfo]) -> String {
    if containers.is_empty() {
        return format!("No lab named {lab:?} (start one with `msmlab up --name {lab}`)\n");
    }
    let mut out = format!("Lab {lab:?}\n");
    let _ = writeln!(out, "  {:<32} {:<10} {:<9} {:<15} PUBLISHED", "CONTAINER", "ROLE", "STATE", "ADDRESS");
    for c in containers {
        let role = c.role.map_or("?".to_string(), |r| r.to_string());
        let published = c.published.as_deref().unwrap_or("-");
        let _ = writeln!(
            out,
            "  {:<32} {:<10} {:<9} {:<15} {published}",
            c.name,
            role,
            c.state,
            c.address.as_deref().unwrap_or("-")
        );
    }
    out
}

pub fn status_json(lab: &str, containers: &[ContainerInfo]) -> String {
    serde_json::to_string_pretty(&json!({ "lab": lab, "exists": !containers.is_empty(), "containers": containers }))
        .expect("status serializes")
}

pub fn down_text(lab: &str, removed: &Found) -> String {
    if removed.is_empty() {
        return format!("Nothing to remove: no resource carries the label io.msmlab.lab={lab}\n");
    }
    let mut out = format!("Removed lab {lab:?} ({}):\n", removed.summary());
    for name in removed.names() {
        let _ = writeln!(out, "  {name}");
    }
    out
}

pub fn up_text(lab: &str, url: &str, t: &Timings) -> String {
    format!(
        "Lab {lab:?} is up in {:.1}s (fetch {:.1}s, images {:.1}s, create {:.1}s, start {:.1}s, ready {:.1}s)\n  \
         open {url}\n  check it with `msmlab verify --name {lab}`, remove it with `msmlab down --name {lab}`\n",
        t.total.as_secs_f64(),
        t.fetch.as_secs_f64(),
        t.images.as_secs_f64(),
        t.create.as_secs_f64(),
        t.start.as_secs_f64(),
        t.ready.as_secs_f64(),
    )
}

/// `up --timings`: every phase on its own line, and the physical floor beside the result.
pub fn up_timings_text(t: &Timings) -> String {
    let s = |d: std::time::Duration| format!("{:>6.2}s", d.as_secs_f64());
    let mut out = String::from("Timings:\n");
    let _ = writeln!(out, "  fetch    {}  jars checked or downloaded", s(t.fetch));
    let _ = writeln!(out, "  images   {}  base images and lab images (built or reused)", s(t.images));
    let _ = writeln!(out, "  create   {}  network, containers, uploads (the store starts meanwhile)", s(t.create));
    let _ = writeln!(out, "  start    {}  until the engine started every container", s(t.start));
    let _ = writeln!(out, "  ready    {}  until every probe passed and nginx reached every Tomcat", s(t.ready));
    let _ = writeln!(out, "  total    {}", s(t.total));
    match (t.floor.slowest_tomcat_startup, t.floor.total()) {
        (Some(tomcat), Some(floor)) => {
            let _ = writeln!(
                out,
                "  floor    {}  slowest Tomcat's \"Server startup in\" {:.2}s + nginx's first proxied answer {:.3}s",
                s(floor),
                tomcat.as_secs_f64(),
                t.floor.nginx_first_answer.as_secs_f64()
            );
            let _ = writeln!(out, "  start to ready / floor: {:.2}×", t.start_to_ready.as_secs_f64() / floor.as_secs_f64());
        }
        _ => {
            let _ = writeln!(out, "  floor    (no Tomcat startup line could be read)");
        }
    }
    out
}

/// `up --json`: the lab, where it answers, and the timings in seconds.
pub fn up_json(lab: &str, url: &str, t: &Timings) -> String {
    let secs = |d: std::time::Duration| (d.as_secs_f64() * 1000.0).round() / 1000.0;
    serde_json::to_string_pretty(&json!({
        "lab": lab,
        "url": url,
        "timings": {
            "fetch": secs(t.fetch),
            "images": secs(t.images),
            "create": secs(t.create),
            "start": secs(t.start),
            "ready": secs(t.ready),
            "start_to_ready": secs(t.start_to_ready),
            "total": secs(t.total),
        },
        "floor": {
            "slowest_tomcat_startup": t.floor.slowest_tomcat_startup.map(secs),
            "nginx_first_answer": secs(t.floor.nginx_first_answer),
            "total": t.floor.total().map(secs),
        },
    }))
    .expect("timings serialize")
}

/// `msmlab jars`: what goes into Tomcat's `lib/` for one choice.
#[derive(Debug, Serialize)]
pub struct JarListing {
    pub tomcat: String,
    pub serializer: Serializer,
    pub store: Store,
    pub transcoder_factory: &'static str,
    /// JVM flags msmlab adds for this serializer (CATALINA_OPTS); empty when none.
    pub jvm_flags: &'static str,
    pub distribution: ListedJar,
    pub lib: Vec<ListedJar>,
}

#[derive(Debug, Serialize)]
pub struct ListedJar {
    pub coords: String,
    pub file: String,
    pub size: Option<u64>,
    pub sha256: String,
    pub cached: bool,
}

impl JarListing {
    /// `cached[i]` says whether the i-th of `set.all()` is in the cache, verified.
    pub fn new(tomcat: &TomcatLine, serializer: Serializer, store: Store, set: &JarSet, cached: &[bool]) -> JarListing {
        let listed: Vec<ListedJar> = set
            .all()
            .zip(cached)
            .map(|(a, &cached)| ListedJar {
                coords: a.coords.to_string(),
                file: a.coords.file_name(),
                size: a.size,
                sha256: a.sha256.clone(),
                cached,
            })
            .collect();
        let mut listed = listed.into_iter();
        let distribution = listed.next().expect("a jar set has a distribution");
        JarListing {
            tomcat: tomcat.to_string(),
            serializer,
            store,
            transcoder_factory: serializer.transcoder_factory(),
            jvm_flags: crate::plan::serializer_jvm_flags(serializer),
            distribution,
            lib: listed.collect(),
        }
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        let release = self.distribution.coords.rsplit(':').next().unwrap_or("");
        let _ = writeln!(
            out,
            "Tomcat {} ({release}) + {} + {}: {} jars for $CATALINA_HOME/lib",
            self.tomcat,
            self.serializer,
            self.store,
            self.lib.len()
        );
        let width = self.lib.iter().map(|j| j.coords.len()).max().unwrap_or(0);
        for j in self.lib.iter().chain(std::iter::once(&self.distribution)) {
            let size = j.size.map(|s| format!("{:.1} KB", s as f64 / 1024.0)).unwrap_or_default();
            let cached = if j.cached { "cached" } else { "not cached" };
            let _ = writeln!(out, "  {:width$}  {size:>10}  sha256 {}…  {cached}", j.coords, &j.sha256[..16]);
        }
        let _ = writeln!(out, "  (the last line is the Tomcat distribution the image is built from)");
        let _ = writeln!(out, "context.xml: transcoderFactoryClass=\"{}\"", self.transcoder_factory);
        if !self.jvm_flags.is_empty() {
            let _ = writeln!(out, "JVM flags (CATALINA_OPTS): {}", self.jvm_flags);
        }
        out
    }
}

/// `msmlab lock`: what changed.
pub fn relock_text(file: &str, r: &Relocked, same: bool) -> String {
    let mut out = String::new();
    let total = r.lock.artifacts.len();
    let _ = writeln!(out, "{file}: {total} artifacts pinned ({} unchanged, {} added, {} removed)", r.kept, r.added.len(), r.removed.len());
    for c in &r.added {
        let _ = writeln!(out, "  + {c}");
    }
    for c in &r.removed {
        let _ = writeln!(out, "  - {c}");
    }
    if same {
        let _ = writeln!(out, "{file} is up to date: the repository reproduces it byte for byte");
    } else if r.added.is_empty() && r.removed.is_empty() {
        let _ = writeln!(out, "{file} differs in layout or selection only");
    }
    out
}

/// `msmlab bench`: one line per serializer, then the load generator check.
pub fn bench_text(r: &BenchReport) -> String {
    let mut out = String::new();
    let s = &r.settings;
    let limit = match s.limit {
        crate::load::Limit::Duration(d) => format!("{:.0}s", d.as_secs_f64()),
        crate::load::Limit::Requests(n) => format!("{n} requests"),
    };
    let _ = writeln!(
        out,
        "msmlab bench: Tomcat {}, {}, JRE {}, {} Tomcats; {} clients, {limit} after {:.0}s warm-up; payload {}",
        s.tomcat,
        s.store,
        s.jre,
        s.tomcats,
        s.concurrency,
        s.warmup_seconds,
        s.payload.describe()
    );
    let load = |l: Option<[f64; 3]>| l.map_or("?".to_string(), |l| format!("{:.2}", l[0]));
    let _ = writeln!(out, "machine: {} CPUs, load average {} before, {} after", r.machine.cpus, load(r.machine.load_before), load(r.machine.load_after));
    let _ = writeln!(
        out,
        "  {:<10} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>5} {:>14}",
        "serializer", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "requests", "errors", "lost", "bytes/session"
    );
    for run in &r.runs {
        let l = &run.latency;
        let bytes = run.store_bytes.as_ref().map_or("n/a".to_string(), |b| b.median.to_string());
        let _ = writeln!(
            out,
            "  {:<10} {:>9.1} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8} {:>7} {:>5} {:>14}",
            run.serializer.to_string(),
            run.requests_per_sec,
            l.p50_ms,
            l.p90_ms,
            l.p99_ms,
            l.max_ms,
            run.requests,
            run.errors.total(),
            run.session_changes,
            bytes
        );
    }
    if r.runs.iter().any(|x| x.session_changes > 0) {
        let _ = writeln!(
            out,
            "  lost: times a client was handed a new session mid-run; the Tomcats' logs say why \
             (usually msm's sessionBackupTimeout of 100 ms, exceeded on a loaded machine)"
        );
    }
    if let Some(w) = &r.wrk {
        let verdict = if w.ratio >= 0.9 { "not the bottleneck" } else { "below the 0.9× target" };
        let _ = writeln!(
            out,
            "load generator vs wrk on {} ({} connections, {}×{:.0}s each): msmlab {:.0} req/s, wrk {:.0} req/s: {:.2}× ({verdict})",
            w.url,
            w.connections,
            w.msmlab_rps.len(),
            w.seconds_each,
            w.msmlab_median_rps,
            w.wrk_median_rps,
            w.ratio
        );
    }
    out
}

pub fn bench_json(r: &BenchReport) -> String {
    serde_json::to_string_pretty(r).expect("a bench report serializes")
}

#[cfg(test)]
mod bench_tests {
    use super::*;
    use crate::bench::sample_report;

    #[test]
    fn the_bench_table_has_a_line_per_serializer_and_the_wrk_ratio() {
        let text = bench_text(&sample_report(true));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("msmlab bench: Tomcat 9, memcached, JRE 17, 2 Tomcats; 16 clients, 20s after 5s warm-up"), "{text}");
        assert_eq!(lines[1], "machine: 2 CPUs, load average 7.60 before, 7.90 after");
        let row = |name: &str| lines.iter().find(|l| l.trim_start().starts_with(name)).unwrap().split_whitespace().collect::<Vec<_>>();
        assert_eq!(row("java"), ["java", "812.4", "17.50", "35.00", "87.50", "350.00", "16248", "0", "0", "6210"]);
        assert_eq!(row("xstream")[7..], ["3", "2", "n/a"]);
        assert!(text.contains("lost: times a client was handed a new session"), "{text}");
        assert!(text.contains("msmlab 15200 req/s, wrk 16000 req/s: 0.95× (not the bottleneck)"), "{text}");
    }

    #[test]
    fn the_bench_json_carries_every_figure() {
        let v: serde_json::Value = serde_json::from_str(&bench_json(&sample_report(false))).unwrap();
        assert_eq!(v["runs"].as_array().unwrap().len(), 3);
        assert_eq!(v["runs"][1]["serializer"], "kryo");
        assert_eq!(v["runs"][1]["latency"]["p99_ms"], 70.5);
        assert_eq!(v["runs"][0]["store_bytes"]["median"], 6210);
        assert_eq!(v["runs"][2]["errors"]["status"], 3);
        assert_eq!(v["settings"]["limit"]["duration"], 20.0);
        assert_eq!(v["settings"]["payload"]["shape"], "collections");
        assert_eq!(v["machine"]["load_before"][0], 7.6);
        assert!(v["wrk"].is_null());
    }
}
