//! [`SlidingWindow`]: two counters over the last stretch of time, kept in
//! buckets so that old events fall out without remembering each one.
//!
//! Used by the circuit breakers (calls and failures) and by the retry budget
//! (calls and retries). The window is cut into a fixed number of buckets; an
//! event lands in the bucket of its moment, a bucket whose time has passed is
//! reset when reused, and a sum covers the buckets still inside the window.
//! The window therefore slides in steps of one bucket: with 10 buckets, the
//! sums cover between 90 % and 100 % of the configured length. Callers hold
//! it under their own lock, with the state the counts decide about.

use std::time::{Duration, Instant};

/// How many buckets a window is cut into.
const BUCKETS: usize = 10;

/// Counts of two kinds of events over a sliding stretch of time.
#[derive(Debug)]
pub(crate) struct SlidingWindow {
    origin: Instant,
    bucket_len: Duration,
    buckets: [Bucket; BUCKETS],
}

#[derive(Debug, Clone, Copy, Default)]
struct Bucket {
    /// Which bucket-length step since `origin` this bucket counts.
    step: u64,
    counts: Counts,
}

/// The two counters: calls, and the calls (or events) of interest among or
/// beside them (failures for a breaker, retries for a budget).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) calls: u64,
    pub(crate) marked: u64,
}

impl SlidingWindow {
    /// An empty window of `length` (at least a millisecond per bucket).
    pub(crate) fn new(length: Duration) -> SlidingWindow {
        let bucket_len = (length / BUCKETS as u32).max(Duration::from_millis(1));
        SlidingWindow {
            origin: Instant::now(),
            bucket_len,
            buckets: [Bucket::default(); BUCKETS],
        }
    }

    /// Adds `calls` and `marked` at `now`.
    pub(crate) fn add(&mut self, now: Instant, calls: u64, marked: u64) {
        let step = self.step(now);
        let bucket = &mut self.buckets[(step % BUCKETS as u64) as usize];
        if bucket.step != step {
            *bucket = Bucket {
                step,
                counts: Counts::default(),
            };
        }
        bucket.counts.calls += calls;
        bucket.counts.marked += marked;
    }

    /// The sums over the window ending at `now`.
    pub(crate) fn totals(&self, now: Instant) -> Counts {
        let step = self.step(now);
        let oldest = step.saturating_sub(BUCKETS as u64 - 1);
        self.buckets
            .iter()
            .filter(|bucket| (oldest..=step).contains(&bucket.step))
            .fold(Counts::default(), |sum, bucket| Counts {
                calls: sum.calls + bucket.counts.calls,
                marked: sum.marked + bucket.counts.marked,
            })
    }

    /// Forgets every event.
    pub(crate) fn clear(&mut self) {
        self.buckets = [Bucket::default(); BUCKETS];
    }

    fn step(&self, now: Instant) -> u64 {
        let elapsed = now.saturating_duration_since(self.origin);
        (elapsed.as_nanos() / self.bucket_len.as_nanos()) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_count_until_they_leave_the_window() {
        let mut window = SlidingWindow::new(Duration::from_secs(10));
        let start = window.origin;
        window.add(start, 3, 1);
        window.add(start + Duration::from_secs(5), 2, 2);
        assert_eq!(
            window.totals(start + Duration::from_secs(9)),
            Counts {
                calls: 5,
                marked: 3
            }
        );
        // The first bucket has left the window; the second not yet.
        assert_eq!(
            window.totals(start + Duration::from_secs(11)),
            Counts {
                calls: 2,
                marked: 2
            }
        );
        assert_eq!(
            window.totals(start + Duration::from_secs(16)),
            Counts::default()
        );
    }

    #[test]
    fn a_reused_bucket_starts_from_zero() {
        let mut window = SlidingWindow::new(Duration::from_secs(1));
        let start = window.origin;
        window.add(start, 7, 7);
        // Ten bucket lengths later the same bucket slot is reused.
        window.add(start + Duration::from_secs(1), 1, 0);
        assert_eq!(
            window.totals(start + Duration::from_secs(1)),
            Counts {
                calls: 1,
                marked: 0
            }
        );
        window.clear();
        assert_eq!(
            window.totals(start + Duration::from_secs(1)),
            Counts::default()
        );
    }
}
