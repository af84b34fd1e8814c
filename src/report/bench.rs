//! What `bench` prints: one line per serializer, then the load generator check; and its JSON.

use std::fmt::Write;

use crate::bench::BenchReport;

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
