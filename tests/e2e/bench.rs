//! `msmlab bench` and `up --timings`, for real but short: two serializers for two seconds each,
//! the load generator against wrk, and the report in its three forms. No figure is judged
//! here (speed targets live in `scripts/bench.sh`), only that every figure is really there.

use crate::common::*;

#[test]
fn a_short_bench_compares_two_serializers_and_writes_json_and_a_chart() {
    let _serial = one_lab_at_a_time();
    let _java = Lab::claim("e2e-bench-java");
    let _kryo = Lab::claim("e2e-bench-kryo");
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();

    let bench = msmlab(&[
        "bench", "--name", "e2e-bench", "--serializers", "java,kryo", "--duration", "2s", "--warmup", "2s", "--concurrency", "4",
        "--payload-kb", "4", "--payload-attributes", "4", "--payload-shape", "collections", "--port", "13482", "--compare-wrk",
        "--out", dir, "--json",
    ]);
    assert_eq!(bench.status.code(), Some(0));
    let report = json(&bench);

    // One run per serializer, each with answers, percentiles in order, and its sessions read
    // from memcached: 4 KiB of collections hold at least 2880 characters of text.
    let runs = report["runs"].as_array().unwrap();
    let names: Vec<&str> = runs.iter().map(|r| r["serializer"].as_str().unwrap()).collect();
    assert_eq!(names, ["java", "kryo"]);
    for r in runs {
        assert!(r["requests"].as_u64().unwrap() > 0, "{r}");
        assert_eq!(r["errors"], serde_json::json!({"status": 0, "io": 0, "timeout": 0}), "{r}");
        // Sessions lost to msm's 100 ms backup timeout on a loaded machine are counted, not judged.
        assert!(r["session_changes"].is_u64(), "{r}");
        let l = &r["latency"];
        let p = |k: &str| l[k].as_f64().unwrap();
        assert!(0.0 < p("p50_ms") && p("p50_ms") <= p("p90_ms") && p("p90_ms") <= p("p99_ms") && p("p99_ms") <= p("max_ms"), "{l}");
        let bytes = &r["store_bytes"];
        assert!(bytes["sessions_read"].as_u64().unwrap() >= 1, "{r}");
        assert!(bytes["median"].as_u64().unwrap() > 2880, "{r}");
    }
    // Bench labs run the full JIT.
    assert_eq!(report["settings"]["java_opts"], "-XX:TieredStopAtLevel=4");

    // The generator and wrk each measured the same static URL twice.
    let wrk = &report["wrk"];
    assert_eq!(wrk["url"], "http://127.0.0.1:13482/msmlab/static");
    assert_eq!(wrk["msmlab_rps"].as_array().unwrap().len(), 2);
    assert_eq!(wrk["wrk"].as_array().unwrap().len(), 2);
    assert!(wrk["wrk_median_rps"].as_f64().unwrap() > 0.0 && wrk["ratio"].as_f64().unwrap() > 0.0, "{wrk}");

    // The JSON on stdout is also in the output directory, beside the chart.
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.path().join("bench.json")).unwrap()).unwrap();
    assert_eq!(saved["runs"], report["runs"]);
    let svg = std::fs::read_to_string(out.path().join("bench.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.contains(&"java") && texts.contains(&"kryo"), "{texts:?}");

    // Each lab was removed after its run.
    assert_eq!(labelled("e2e-bench-java"), Vec::<String>::new());
    assert_eq!(labelled("e2e-bench-kryo"), Vec::<String>::new());
}

#[test]
fn bench_refuses_what_msm_cannot_run_before_creating_anything() {
    let refused = msmlab(&["bench", "--name", "e2e-bench-bad", "--serializers", "java,flexjson", "--port", "13483"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("flexjson"), "{}", stderr(&refused));
    let bad = msmlab(&["bench", "--name", "e2e-bench-bad", "--duration", "2x"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("write it like 20s"), "{}", stderr(&bad));
    assert_eq!(labelled("e2e-bench-bad-java"), Vec::<String>::new());
}

#[test]
fn up_reports_where_its_time_went_and_the_floor() {
    let _serial = one_lab_at_a_time();
    let _lab = Lab::claim("e2e-bench-up");
    let up = msmlab(&["up", "--name", "e2e-bench-up", "--port", "13484", "--json"]);
    assert_eq!(up.status.code(), Some(0));
    let v = json(&up);
    let t = &v["timings"];
    let secs = |k: &str| t[k].as_f64().unwrap_or_else(|| panic!("no {k} in {t}"));
    for k in ["fetch", "images", "create", "start", "ready", "start_to_ready", "total"] {
        assert!(secs(k) >= 0.0, "{k}: {t}");
    }
    assert!((secs("start") + secs("ready") - secs("start_to_ready")).abs() < 0.01, "{t}");
    assert!(secs("total") >= secs("create") + secs("start_to_ready") - 0.01, "{t}");
    // The floor: the slowest Tomcat's own startup time, read from its log, and nginx's first answer.
    let floor = &v["floor"];
    assert!(floor["slowest_tomcat_startup"].as_f64().unwrap() > 0.0, "{floor}");
    assert!(floor["nginx_first_answer"].as_f64().unwrap() > 0.0, "{floor}");

    let down = msmlab(&["down", "--name", "e2e-bench-up"]);
    assert_eq!(down.status.code(), Some(0));
    let up = msmlab(&["up", "--name", "e2e-bench-up", "--port", "13484", "--timings"]);
    assert_eq!(up.status.code(), Some(0));
    let text = stdout(&up);
    for line in ["  fetch ", "  images ", "  create ", "  start ", "  ready ", "  total ", "  floor ", "start to ready / floor:"] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
}
