//! [`LatencyEstimator`]: a cheap running p99 of recent call latencies, for
//! failbackup's delay.
//!
//! A histogram with four buckets per doubling of latency (each bucket ~19 %
//! wide) from 1 µs to about 70 s. Every [`DECAY_EVERY`] samples all counts
//! are halved, so old samples fade and the estimate follows the endpoints
//! when they slow down or speed up. The quantile is recomputed every
//! [`RECOMPUTE_EVERY`] samples and read without scanning. Reported values are
//! a bucket's upper bound: never below the samples it stands for.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Buckets per doubling.
const STEPS_PER_DOUBLING: u32 = 4;
/// Doublings covered from 1 µs: 2^26 µs ≈ 67 s.
const DOUBLINGS: u32 = 26;
const BUCKETS: usize = (STEPS_PER_DOUBLING * DOUBLINGS) as usize;
/// Samples between halvings of every count.
const DECAY_EVERY: u32 = 512;
/// Samples between recomputations of the quantile.
const RECOMPUTE_EVERY: u32 = 8;
/// Fewer samples than this give no estimate.
pub(crate) const MIN_SAMPLES: u32 = 20;

/// A decaying histogram of latencies and its 99th percentile.
#[derive(Debug)]
pub(crate) struct LatencyEstimator {
    histogram: Mutex<Histogram>,
    /// The last computed p99 in µs; 0 while there are too few samples.
    p99_micros: AtomicU64,
}

#[derive(Debug)]
struct Histogram {
    counts: [u32; BUCKETS],
    /// Sum of `counts`.
    total: u32,
    /// Samples since the last halving.
    since_decay: u32,
}

impl LatencyEstimator {
    pub(crate) fn new() -> LatencyEstimator {
        LatencyEstimator {
            histogram: Mutex::new(Histogram {
                counts: [0; BUCKETS],
                total: 0,
                since_decay: 0,
            }),
            p99_micros: AtomicU64::new(0),
        }
    }

    /// Adds one observed latency.
    pub(crate) fn record(&self, latency: Duration) {
        let mut histogram = self.histogram.lock().unwrap_or_else(|p| p.into_inner());
        histogram.counts[bucket_of(latency)] += 1;
        histogram.total += 1;
        histogram.since_decay += 1;
        if histogram.since_decay >= DECAY_EVERY {
            histogram.since_decay = 0;
            let mut total = 0;
            for count in &mut histogram.counts {
                *count /= 2;
                total += *count;
            }
            histogram.total = total;
        }
        if histogram.since_decay.is_multiple_of(RECOMPUTE_EVERY)
            || histogram.total < MIN_SAMPLES * 2
        {
            let p99 = histogram.quantile(0.99).map_or(0, |d| d.as_micros() as u64);
            self.p99_micros.store(p99, Ordering::Relaxed);
        }
    }

    /// The recent 99th percentile, if enough calls were seen.
    pub(crate) fn p99(&self) -> Option<Duration> {
        match self.p99_micros.load(Ordering::Relaxed) {
            0 => None,
            micros => Some(Duration::from_micros(micros)),
        }
    }
}

impl Histogram {
    fn quantile(&self, quantile: f64) -> Option<Duration> {
        if self.total < MIN_SAMPLES {
            return None;
        }
        // The smallest bucket with at least `quantile` of the samples at or
        // below it.
        let wanted = (quantile * f64::from(self.total)).ceil() as u32;
        let mut seen = 0;
        for (bucket, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= wanted {
                return Some(upper_bound(bucket));
            }
        }
        Some(upper_bound(BUCKETS - 1))
    }
}

/// The bucket of `latency`: below 2 µs → 0, then four per doubling.
fn bucket_of(latency: Duration) -> usize {
    let micros = latency.as_micros().clamp(1, u128::from(u64::MAX)) as u64;
    let doubling = 63 - micros.leading_zeros();
    // The two bits after the leading one pick the quarter of the doubling.
    let quarter = if doubling >= 2 {
        (micros >> (doubling - 2)) & 0b11
    } else {
        (micros << (2 - doubling)) & 0b11
    };
    ((doubling * STEPS_PER_DOUBLING) as usize + quarter as usize).min(BUCKETS - 1)
}

/// The largest latency that falls in `bucket` (its exclusive end).
fn upper_bound(bucket: usize) -> Duration {
    let doubling = bucket as u32 / STEPS_PER_DOUBLING;
    let quarter = u64::from(bucket as u32 % STEPS_PER_DOUBLING);
    // Bucket (d, q) covers [2^d (4 + q) / 4, 2^d (5 + q) / 4).
    let micros = ((1_u64 << doubling) * (5 + quarter)).div_ceil(4);
    Duration::from_micros(micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latency_falls_below_its_buckets_upper_bound() {
        for micros in [1, 2, 3, 5, 7, 100, 999, 1_000, 40_000, 1_000_000] {
            let latency = Duration::from_micros(micros);
            let bound = upper_bound(bucket_of(latency));
            assert!(bound >= latency, "{micros} µs → {bound:?}");
            assert!(
                bound <= latency * 13 / 10 + Duration::from_micros(1),
                "{micros} µs → {bound:?}"
            );
        }
    }

    #[test]
    fn p99_follows_the_slowest_percent_and_fades_when_they_go() {
        let estimator = LatencyEstimator::new();
        assert_eq!(estimator.p99(), None);
        for _ in 0..1_000 {
            estimator.record(Duration::from_millis(1));
        }
        let fast = estimator.p99().unwrap();
        assert!(fast >= Duration::from_millis(1) && fast < Duration::from_millis(2));
        for _ in 0..50 {
            estimator.record(Duration::from_millis(40));
        }
        let slow = estimator.p99().unwrap();
        assert!(slow >= Duration::from_millis(40), "{slow:?}");
        for _ in 0..5_000 {
            estimator.record(Duration::from_millis(1));
        }
        assert_eq!(estimator.p99().unwrap(), fast);
    }
}
