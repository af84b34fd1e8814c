//! The figures a benchmark reports, computed from an HDR histogram of latencies in
//! microseconds, and from counts over a measured time.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Latency percentiles, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

impl Latency {
    /// Percentiles of a histogram recorded in microseconds (all zero when it is empty).
    pub fn of(h: &Histogram<u64>) -> Latency {
        if h.is_empty() {
            return Latency { p50_ms: 0.0, p90_ms: 0.0, p99_ms: 0.0, max_ms: 0.0, mean_ms: 0.0 };
        }
        let ms = |micros: u64| micros as f64 / 1000.0;
        Latency {
            p50_ms: ms(h.value_at_quantile(0.50)),
            p90_ms: ms(h.value_at_quantile(0.90)),
            p99_ms: ms(h.value_at_quantile(0.99)),
            max_ms: ms(h.max()),
            mean_ms: h.mean() / 1000.0,
        }
    }
}

/// Events per second over `elapsed` (zero for an empty interval).
pub fn rate(count: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        count as f64 / secs
    } else {
        0.0
    }
}

/// The median of some values (the mean of the two middle ones for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 { v[mid] } else { (v[mid - 1] + v[mid]) / 2.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(values: impl IntoIterator<Item = u64>) -> Histogram<u64> {
        let mut h = crate::bench::load::histogram();
        for v in values {
            h.record(v).unwrap();
        }
        h
    }

    #[test]
    fn percentiles_of_one_to_a_thousand_microseconds() {
        // Below 2048 µs a 3-digit HDR histogram is exact.
        let l = Latency::of(&sample(1..=1000));
        assert_eq!(l.p50_ms, 0.5);
        assert_eq!(l.p90_ms, 0.9);
        assert_eq!(l.p99_ms, 0.99);
        assert_eq!(l.max_ms, 1.0);
        assert!((l.mean_ms - 0.5005).abs() < 1e-9, "{}", l.mean_ms);
    }

    #[test]
    fn a_slow_tail_shows_in_p99_and_max_only() {
        // 980 answers at 2 ms, 20 at 250 ms: p50 and p90 stay at 2 ms, p99 and max see the tail.
        let l = Latency::of(&sample(std::iter::repeat_n(2_000, 980).chain(std::iter::repeat_n(250_000, 20))));
        assert_eq!(l.p50_ms, 2.0);
        assert_eq!(l.p90_ms, 2.0);
        // Above 2048 µs values share buckets of 0.1 % width: equal within that.
        assert!((l.p99_ms - 250.0).abs() <= 0.25, "{}", l.p99_ms);
        assert!((l.max_ms - 250.0).abs() <= 0.25, "{}", l.max_ms);
    }

    #[test]
    fn an_empty_histogram_reports_zeros() {
        assert_eq!(Latency::of(&sample([])).p99_ms, 0.0);
    }

    #[test]
    fn rates_and_medians() {
        assert_eq!(rate(500, Duration::from_millis(250)), 2000.0);
        assert_eq!(rate(5, Duration::ZERO), 0.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }
}
