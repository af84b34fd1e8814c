//! The bench's chart: one SVG with a panel per figure (requests/s, latency percentiles, bytes
//! per session), a bar per serializer, drawn from `templates/bench/chart.svg`. The geometry is
//! computed here; the template only places it.

use serde::Serialize;

use crate::bench::BenchReport;
use crate::templates::{self, RenderError};

const WIDTH: u32 = 960;
/// Where bars start (serializer names are right-aligned before it) and their longest length.
const BAR_X: u32 = 130;
const BAR_SPAN: f64 = 680.0;
const BAR_H: u32 = 18;
const GAP: u32 = 10;
const PANEL_GAP: u32 = 46;
/// Colours of a series: one figure per panel, or p50, p90, p99 in the latency panel.
const BLUE: &str = "#4e79a7";
const LATENCY: [(&str, &str); 3] = [("p50", "#59a14f"), ("p90", "#edc948"), ("p99", "#e15759")];

#[derive(Debug, Serialize)]
struct Chart {
    title: String,
    subtitle: Vec<String>,
    footer: Vec<String>,
    width: u32,
    height: u32,
    bar_x: u32,
    panels: Vec<Panel>,
}

#[derive(Debug, Serialize)]
struct Panel {
    title: String,
    y: u32,
    height: u32,
    legend: Vec<Key>,
    rows: Vec<Row>,
    bars: Vec<Bar>,
}

#[derive(Debug, Serialize)]
struct Key {
    x: u32,
    label: &'static str,
    fill: &'static str,
}

#[derive(Debug, Serialize)]
struct Row {
    label: String,
    label_y: u32,
}

#[derive(Debug, Serialize)]
struct Bar {
    y: u32,
    w: u32,
    h: u32,
    fill: &'static str,
    value: String,
}

/// One series of a panel: its colour and, per serializer, its value and how it is written.
struct Series {
    fill: &'static str,
    values: Vec<Option<(f64, String)>>,
}

fn panel(title: &str, y: u32, labels: &[String], series: &[Series], legend: Vec<Key>) -> Panel {
    let max = series.iter().flat_map(|s| s.values.iter().flatten().map(|(v, _)| *v)).fold(0.0_f64, f64::max);
    let per_row = series.len() as u32 * BAR_H + GAP;
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        let top = 14 + i as u32 * per_row;
        rows.push(Row { label: label.clone(), label_y: top + (series.len() as u32 * BAR_H) / 2 + 5 });
        for (k, s) in series.iter().enumerate() {
            let by = top + k as u32 * BAR_H;
            let (w, value) = match &s.values[i] {
                Some((v, text)) if max > 0.0 => ((v / max * BAR_SPAN).round().max(1.0) as u32, text.clone()),
                Some((_, text)) => (1, text.clone()),
                None => (0, "n/a".to_string()),
            };
            bars.push(Bar { y: by + 1, w, h: BAR_H - 3, fill: s.fill, value });
        }
    }
    let height = 14 + labels.len() as u32 * per_row;
    Panel { title: title.into(), y, height, legend, rows, bars }
}

/// The SVG comparing the serializers of one bench.
pub fn svg(report: &BenchReport) -> Result<String, RenderError> {
    let labels: Vec<String> = report.runs.iter().map(|r| r.serializer.to_string()).collect();
    let s = &report.settings;
    let title = format!("msm serializers: Tomcat {}, {} ({} node{}), JRE {}", s.tomcat, s.store, s.store_nodes, if s.store_nodes == 1 { "" } else { "s" }, s.jre);
    let limit = match s.limit {
        crate::bench::load::Limit::Duration(d) => format!("{:.0}s", d.as_secs_f64()),
        crate::bench::load::Limit::Requests(n) => format!("{n} requests"),
    };
    let subtitle = vec![
        format!(
            "{} Tomcats behind nginx, {} clients each with its own session, {limit} after {:.0}s warm-up; payload {}",
            s.tomcats,
            s.concurrency,
            s.warmup_seconds,
            s.payload.describe()
        ),
        machine_line(report),
    ];

    let mut y = 52 + subtitle.len() as u32 * 18 + 30;
    let mut panels = Vec::new();
    let rps = Series { fill: BLUE, values: report.runs.iter().map(|r| Some((r.requests_per_sec, format!("{:.0} req/s", r.requests_per_sec)))).collect() };
    let p = panel("Requests per second (higher is better)", y, &labels, &[rps], Vec::new());
    y += p.height + PANEL_GAP;
    panels.push(p);

    let latency: Vec<Series> = LATENCY
        .iter()
        .enumerate()
        .map(|(k, (_, fill))| Series {
            fill,
            values: report
                .runs
                .iter()
                .map(|r| {
                    let v = [r.latency.p50_ms, r.latency.p90_ms, r.latency.p99_ms][k];
                    Some((v, format!("{v:.1} ms")))
                })
                .collect(),
        })
        .collect();
    let legend = LATENCY.iter().enumerate().map(|(k, (label, fill))| Key { x: 520 + k as u32 * 70, label, fill }).collect();
    let p = panel("Latency in ms (lower is better)", y, &labels, &latency, legend);
    y += p.height + PANEL_GAP;
    panels.push(p);

    let bytes = Series {
        fill: BLUE,
        values: report.runs.iter().map(|r| r.store_bytes.as_ref().map(|b| (b.median as f64, format!("{} bytes", b.median)))).collect(),
    };
    let p = panel("Bytes per session in the store (lower is better)", y, &labels, &[bytes], Vec::new());
    y += p.height + 20;
    panels.push(p);

    let mut footer = Vec::new();
    let errors: Vec<String> = report.runs.iter().filter(|r| r.errors.total() > 0).map(|r| format!("{} {}", r.serializer, r.errors.total())).collect();
    footer.push(if errors.is_empty() { "No request failed.".to_string() } else { format!("Failed requests: {}.", errors.join(", ")) });
    let lost: Vec<String> = report.runs.iter().filter(|r| r.session_changes > 0).map(|r| format!("{} {}", r.serializer, r.session_changes)).collect();
    if !lost.is_empty() {
        footer.push(format!("Sessions lost mid-run (a client handed a new session): {}.", lost.join(", ")));
    }
    if let Some(w) = &report.wrk {
        footer.push(format!(
            "Load generator check: msmlab {:.0} req/s vs wrk {:.0} req/s on nginx's static answer, {} connections ({:.2}×).",
            w.msmlab_median_rps, w.wrk_median_rps, w.connections, w.ratio
        ));
    }
    let height = y + footer.len() as u32 * 18 + 16;
    let chart = Chart { title, subtitle, footer, width: WIDTH, height, bar_x: BAR_X, panels };
    templates::render("bench/chart.svg", chart)
}

/// Writes a PNG beside the SVG with `rsvg-convert` (Debian's `librsvg2-bin`) when it is
/// installed; returns whether it did. The SVG is the chart; the PNG is a convenience.
pub async fn png(svg: &std::path::Path, png: &std::path::Path) -> bool {
    let out = tokio::process::Command::new("rsvg-convert").arg("-o").arg(png).arg(svg).output().await;
    matches!(out, Ok(o) if o.status.success())
}

fn machine_line(report: &BenchReport) -> String {
    let m = &report.machine;
    let load = |l: Option<[f64; 3]>| l.map_or("?".to_string(), |l| format!("{:.2}", l[0]));
    format!(
        "{} CPU{}{}; load average {} before, {} after",
        m.cpus,
        if m.cpus == 1 { "" } else { "s" },
        m.cpu_model.as_ref().map(|c| format!(" ({c})")).unwrap_or_default(),
        load(m.load_before),
        load(m.load_after)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::sample_report;

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"))
    }

    #[test]
    fn the_chart_is_well_formed_svg_with_a_bar_per_serializer_and_figure() {
        let svg = svg(&sample_report(true)).unwrap();
        let doc = parse(&svg);
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let texts: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
        for label in ["java", "kryo", "xstream", "1021 req/s", "17.5 ms", "87.5 ms", "6210 bytes", "n/a"] {
            assert!(texts.contains(&label), "no text {label:?} in {texts:?}");
        }
        // The machine's CPU model is escaped, not markup.
        assert!(svg.contains("Test CPU &lt;&amp;&gt; 2.0GHz"));
        assert!(texts.iter().any(|t| t.contains("0.95×")), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("Failed requests: xstream 3")), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("Sessions lost mid-run (a client handed a new session): xstream 2")), "{texts:?}");
    }

    #[test]
    fn bars_are_proportional_within_a_panel() {
        let svg = svg(&sample_report(false)).unwrap();
        let doc = parse(&svg);
        let panels: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("g")).collect();
        assert_eq!(panels.len(), 3);
        let widths = |g: &roxmltree::Node| -> Vec<u32> {
            g.children().filter(|n| n.has_tag_name("rect")).filter_map(|n| n.attribute("width")?.parse().ok()).collect()
        };
        // Requests/s: kryo is the longest bar, the others in proportion.
        let rps = widths(&panels[0]);
        assert_eq!(rps.len(), 3);
        assert_eq!(rps[1], BAR_SPAN as u32);
        assert_eq!(rps[0], (812.4 / 1020.9 * BAR_SPAN).round() as u32);
        // Latency: three bars (p50, p90, p99) per serializer, plus three legend keys.
        assert_eq!(widths(&panels[1]).len(), 9 + 3);
        // Bytes: a serializer without a reading gets no bar.
        assert_eq!(widths(&panels[2]), [BAR_SPAN as u32, (3980.0 / 6210.0 * BAR_SPAN).round() as u32, 0]);
    }
}
