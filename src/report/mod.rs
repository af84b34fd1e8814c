//! Turns results into what people and machines read: results on stdout, human text or JSON.
//! Nothing else prints results.

use std::fmt::Write;

use serde::Serialize;

use crate::bench::BenchReport;
use crate::bundle::Rendered;
use crate::doctor;
use crate::engine::ContainerInfo;
use crate::verify::drill::{DrillReport, Outcome};
use crate::lab::{Found, Timings};
use crate::lab::logs::Export;
use crate::render::{self, RenderError};
use crate::jars::lock::JarSet;
use crate::jars::relock::Relocked;
use crate::spec::{Serializer, Store, TomcatLine};
use crate::verify::Verdict;

/// Prints a verb's result on stdout: one pretty JSON document with `--json`, else the text.
/// Every reporting verb goes through here, so the two forms never drift apart in where
/// they go; progress and errors stay on stderr.
pub fn emit<T: Serialize + ?Sized>(json: bool, value: &T, text: impl FnOnce(&T) -> String) {
    if json {
        println!("{}", serde_json::to_string_pretty(value).expect("results serialize"));
    } else {
        print!("{}", text(value));
    }
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "pass",
        Outcome::Failed => "FAIL",
        Outcome::Finding => "finding",
    }
}

fn outcome_mark(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "✓",
        Outcome::Failed => "✗",
        Outcome::Finding => "!",
    }
}

pub fn verdict_text(v: &Verdict) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Lab {:?} ({}): {} requests through {}", v.lab, v.mode, v.requests.len(), v.url);
    let width = v.checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in &v.checks {
        let mark = if c.ok { "✓" } else { "✗" };
        let _ = writeln!(out, "  {mark} {:width$}  {}", c.name, c.detail);
    }
    for f in v.msm_log_findings.iter().take(3) {
        let _ = writeln!(out, "      {}: {}", f.container, f.line);
        if let Some(cause) = &f.cause {
            let _ = writeln!(out, "        {cause}");
        }
    }
    for d in &v.drills {
        out.push('\n');
        out.push_str(&drill_text(d));
    }
    if !v.drills.is_empty() {
        let _ = writeln!(out, "\nSummary");
        let _ = writeln!(out, "  {:<15} {:<8} TIME", "CHECK", "RESULT");
        for c in &v.checks {
            let _ = writeln!(out, "  {:<15} {:<8} -", c.name, if c.ok { "pass" } else { "FAIL" });
        }
        for d in &v.drills {
            let _ = writeln!(out, "  {:<15} {:<8} {:.1} s", format!("drill {}", d.drill.name()), outcome_word(d.outcome), d.seconds);
        }
    }
    let failed: Vec<String> = v
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.name.to_string())
        .chain(v.drills.iter().filter(|d| d.failed()).map(|d| format!("drill {}", d.drill.name())))
        .collect();
    let findings = v.drills.iter().filter(|d| d.outcome == Outcome::Finding).count();
    let note = match findings {
        0 => String::new(),
        1 => " (1 finding, see above)".into(),
        n => format!(" ({n} findings, see above)"),
    };
    if v.ok && v.drills.is_empty() {
        let _ = writeln!(out, "PASS: the session is shared");
    } else if v.ok {
        let names: Vec<&str> = v.drills.iter().map(|d| d.drill.name()).collect();
        let _ = writeln!(out, "PASS: the session is shared and the drills ran: {}{note}", names.join(", "));
    } else {
        let _ = writeln!(out, "FAIL: {}{note}", failed.join(", "));
    }
    out
}

/// A drill, step by step.
pub fn drill_text(d: &DrillReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Drill {}: {} in {:.1} s", d.drill.name(), outcome_word(d.outcome), d.seconds);
    for (i, s) in d.steps.iter().enumerate() {
        let mark = if s.ok { "✓" } else { "✗" };
        let _ = writeln!(out, "  {}. {mark} {}: {}", i + 1, s.action, s.saw);
    }
    let _ = writeln!(out, "  {} {}", outcome_mark(d.outcome), d.summary);
    out
}

/// JUnit XML: one test case per check and per drill (a drill's finding is reported as skipped,
/// with the finding as its message, since it neither passed nor failed).
pub fn verdict_junit(v: &Verdict) -> Result<String, RenderError> {
    render::junit(v)
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

/// What `status --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Status<'a> {
    pub lab: &'a str,
    pub exists: bool,
    pub containers: &'a [ContainerInfo],
}

pub fn status_json(lab: &str, containers: &[ContainerInfo]) -> String {
    serde_json::to_string_pretty(&Status { lab, exists: !containers.is_empty(), containers }).expect("status serializes")
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

/// What `up --json` prints when the lab was up and healthy already.
#[derive(Debug, Clone, Serialize)]
pub struct AlreadyUpReport {
    pub lab: String,
    pub url: String,
    pub already_up: bool,
    pub containers: Vec<ContainerInfo>,
}

pub fn already_up_text(lab: &str, url: &str) -> String {
    format!(
        "Lab {lab:?} is already up and healthy with these settings; nothing to do (rebuild it with `--recreate`)\n  \
         open {url}\n  check it with `msmlab verify --name {lab}`, remove it with `msmlab down --name {lab}`\n"
    )
}

pub fn down_all_text(removed: &std::collections::BTreeMap<String, Found>) -> String {
    if removed.is_empty() {
        return "Nothing to remove: no resource carries the label io.msmlab.lab\n".into();
    }
    removed.iter().map(|(lab, found)| down_text(lab, found)).collect()
}

/// What `up --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct UpReport {
    pub lab: String,
    pub url: String,
    /// The user's webapp (`up --webapp`), if any.
    pub webapp_url: Option<String>,
    /// Seconds per step.
    pub timings: TimingsJson,
    /// What the containers themselves needed, in seconds (see `lab::Floor`).
    pub floor: FloorJson,
    pub containers: Vec<ContainerInfo>,
}

/// `start_to_ready` is `start` plus `ready`.
#[derive(Debug, Clone, Serialize)]
pub struct TimingsJson {
    pub fetch: f64,
    pub images: f64,
    pub create: f64,
    pub start: f64,
    pub ready: f64,
    pub start_to_ready: f64,
    pub total: f64,
}

fn secs(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

impl From<&Timings> for TimingsJson {
    fn from(t: &Timings) -> Self {
        let s = secs;
        TimingsJson {
            fetch: s(t.fetch),
            images: s(t.images),
            create: s(t.create),
            start: s(t.start),
            ready: s(t.ready),
            start_to_ready: s(t.start_to_ready),
            total: s(t.total),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FloorJson {
    pub slowest_tomcat_startup: Option<f64>,
    pub nginx_first_answer: f64,
    pub total: Option<f64>,
}

impl From<&Timings> for FloorJson {
    fn from(t: &Timings) -> Self {
        FloorJson {
            slowest_tomcat_startup: t.floor.slowest_tomcat_startup.map(secs),
            nginx_first_answer: secs(t.floor.nginx_first_answer),
            total: t.floor.total().map(secs),
        }
    }
}

/// What `down --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct DownReport<'a> {
    pub lab: &'a str,
    pub removed: &'a Found,
}

pub fn doctor_text(r: &doctor::Report) -> String {
    let width = r.findings.iter().map(|f| f.name.len()).max().unwrap_or(0);
    let mut out = String::from("msmlab doctor\n");
    for f in &r.findings {
        let _ = writeln!(out, "  {} {:width$}  {}", f.status.mark(), f.name, f.detail);
        if let Some(fix) = &f.fix {
            let _ = writeln!(out, "    {:width$}  fix: {fix}", "");
        }
    }
    let _ = writeln!(out, "{}", if r.ok { "Ready for `msmlab up`." } else { "Not ready: fix the ✗ lines first." });
    out
}

pub fn rendered_text(r: &Rendered) -> String {
    let mut out = format!("Wrote {} files to {}:\n", r.files.len(), r.out.display());
    for f in &r.files {
        let _ = writeln!(out, "  {:<52} {:>9} bytes", f.path, f.bytes);
    }
    for c in &r.checks {
        let _ = writeln!(out, "  {} {}: {}", if c.ok { "✓" } else { "✗" }, c.name, c.detail);
    }
    let _ = writeln!(out, "{}", if r.ok { "README.md in the bundle says where each file goes." } else { "FAIL: a check failed; the files were written for inspection" });
    out
}

pub fn export_text(e: &Export) -> String {
    // The path alone on stdout, as `kind export logs` does, so scripts can pick it up.
    format!("{}\n", e.dir.display())
}

pub fn up_text(lab: &str, url: &str, webapp_url: Option<&str>, t: &Timings) -> String {
    let mut out = format!(
        "Lab {lab:?} is up in {:.1}s (fetch {:.1}s, images {:.1}s, create {:.1}s, start {:.1}s, ready {:.1}s)\n  open {url}\n",
        t.total.as_secs_f64(),
        t.fetch.as_secs_f64(),
        t.images.as_secs_f64(),
        t.create.as_secs_f64(),
        t.start.as_secs_f64(),
        t.ready.as_secs_f64(),
    );
    if let Some(w) = webapp_url {
        let path = w.splitn(4, '/').nth(3).map_or("/".to_string(), |p| format!("/{p}"));
        let _ = writeln!(out, "  your webapp: {w} (check it with `msmlab verify --name {lab} --path {path}`)");
    }
    let _ = writeln!(out, "  check it with `msmlab verify --name {lab}`, remove it with `msmlab down --name {lab}`");
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::drill::{Drill, Step};
    use crate::verify::Check;

    fn verdict() -> Verdict {
        let check = |name, ok, detail: &str| Check { name, ok, detail: detail.into() };
        let step = |action: &str, ok| Step { action: action.into(), saw: "what <it> saw & more".into(), ok };
        let drill = |drill, outcome, summary: &str| DrillReport {
            drill,
            outcome,
            summary: summary.into(),
            steps: vec![step("open a session", true), step("stop it", outcome != Outcome::Failed)],
            seconds: 1.5,
        };
        let mut v = Verdict {
            ok: false,
            lab: "ci".into(),
            url: "http://127.0.0.1:13355/my/".into(),
            mode: "sticky",
            requests: Vec::new(),
            backends: Default::default(),
            session_ids: Vec::new(),
            checks: vec![check("answers", true, "2 of 2 requests answered 200"), check("store", false, "session \"A\" is not in <memcached> & co")],
            msm_log_findings: Vec::new(),
            drills: vec![
                drill(Drill::Tomcat, Outcome::Passed, "carried on"),
                drill(Drill::Store, Outcome::Finding, "FINDING: with one cache node, a store outage loses the session"),
                drill(Drill::Restart, Outcome::Failed, "the Tomcats did not come back"),
            ],
        };
        v.settle();
        v
    }

    #[test]
    fn the_text_report_shows_each_drill_step_by_step_and_a_summary_table() {
        let text = verdict_text(&verdict());
        assert!(text.contains("Lab \"ci\" (sticky): 0 requests through http://127.0.0.1:13355/my/"), "{text}");
        assert!(text.contains("Drill store: finding in 1.5 s\n  1. ✓ open a session: what <it> saw & more\n"), "{text}");
        assert!(text.contains("  ! FINDING: with one cache node"), "{text}");
        assert!(text.contains("  2. ✗ stop it: "), "{text}");
        assert!(text.contains("  drill restart   FAIL     1.5 s\n"), "{text}");
        assert!(text.ends_with("FAIL: store, drill restart (1 finding, see above)\n"), "{text}");
    }

    #[test]
    fn junit_has_a_case_per_check_and_drill_with_findings_skipped_and_text_escaped() {
        let xml = verdict_junit(&verdict()).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
        let names: Vec<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
        assert_eq!(names, ["answers", "store", "drill tomcat", "drill store", "drill restart"]);
        let suite = doc.descendants().find(|n| n.has_tag_name("testsuite")).unwrap();
        assert_eq!((suite.attribute("tests"), suite.attribute("failures"), suite.attribute("skipped")), (Some("5"), Some("2"), Some("1")));
        let failure = cases[1].children().find(|n| n.has_tag_name("failure")).unwrap();
        assert_eq!(failure.attribute("message"), Some("session \"A\" is not in <memcached> & co"));
        let skipped = cases[3].children().find(|n| n.has_tag_name("skipped")).unwrap();
        assert!(skipped.attribute("message").unwrap().starts_with("FINDING"));
        let out = cases[4].children().find(|n| n.has_tag_name("system-out")).unwrap().text().unwrap();
        assert!(out.starts_with("1. ok open a session: what <it> saw & more\n2. FAILED stop it"), "{out}");
    }
}

/// `msmlab bench`: one line per serializer, then the load generator check.
pub fn bench_text(r: &BenchReport) -> String {
    let mut out = String::new();
    let s = &r.settings;
    let limit = match s.limit {
        crate::bench::load::Limit::Duration(d) => format!("{:.0}s", d.as_secs_f64()),
        crate::bench::load::Limit::Requests(n) => format!("{n} requests"),
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
             (usually msm's sessionBackupTimeout, exceeded on a loaded machine)"
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
