//! [`SlidingWindow`]: a count of events over the last stretch of time, kept
//! in atomic buckets so that counting takes no lock.
//!
//! Used by the circuit breakers (calls, failures) and the retry budget
//! (calls, retries). The window is cut into [`BUCKETS`] buckets; an event
//! lands in the bucket of its moment, a bucket whose time has passed starts
//! again from zero when reused, and a sum covers the buckets still inside the
//! window. The window therefore slides in steps of one bucket: with 10
//! buckets, sums cover between 90 % and 100 % of the configured length.
//!
//! Each bucket is one `AtomicU64` holding its step (which bucket-length since
//! the window's origin it counts: high 40 bits, 34 years of milliseconds)
//! and its count (low 24 bits: 16 million events per bucket and thread),
//! so that "is this bucket current, and add one" needs no lock. A window
//! counted on every call is *sharded*: each thread adds to its own copy of
//! the buckets, on its own cache line, and sums read them all; a call then
//! touches no line that another core writes. Counting is exact as long as
//! no bucket is reset while another thread adds to it; at a bucket change
//! an add racing the reset may be lost, which a window this coarse can take.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::shard::{SHARDS, shard_index};

/// How many buckets a window is cut into.
pub(crate) const BUCKETS: u64 = 10;
const COUNT_BITS: u32 = 24;
const COUNT_MASK: u64 = (1 << COUNT_BITS) - 1;

/// A count of events over a sliding stretch of time.
#[derive(Debug)]
pub(crate) struct SlidingWindow {
    bucket_nanos: u64,
    shards: Box<[Shard]>,
}

/// A moment as every window counts it: nanoseconds since a process-wide
/// origin. A call reads the clock once and hands the same tick to every
/// window it counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Tick(u64);

impl Tick {
    /// The tick of `moment` (moments before the origin are tick 0).
    pub(crate) fn of(moment: Instant) -> Tick {
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        let origin = *ORIGIN.get_or_init(Instant::now);
        Tick(u64::try_from(moment.saturating_duration_since(origin).as_nanos()).unwrap_or(u64::MAX))
    }

    /// The tick of now.
    pub(crate) fn now() -> Tick {
        Tick::of(Instant::now())
    }
}

/// One copy of the buckets, alone on its cache lines (two 64-byte lines, or
/// one 128-byte pair where the prefetcher fetches lines in pairs).
#[derive(Debug, Default)]
#[repr(align(128))]
struct Shard([AtomicU64; BUCKETS as usize]);

/// Which bucket-length step since the window's origin a moment falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step(pub(crate) u64);

impl SlidingWindow {
    /// An empty window of `length` (at least a millisecond per bucket),
    /// counted by one thread at a time or rarely.
    pub(crate) fn new(length: Duration) -> SlidingWindow {
        SlidingWindow::with_shards(length, 1)
    }

    /// An empty window of `length` that many threads count into often.
    pub(crate) fn sharded(length: Duration) -> SlidingWindow {
        SlidingWindow::with_shards(length, SHARDS)
    }

    fn with_shards(length: Duration, shards: usize) -> SlidingWindow {
        let bucket_len = (length / BUCKETS as u32).max(Duration::from_millis(1));
        SlidingWindow {
            bucket_nanos: u64::try_from(bucket_len.as_nanos()).unwrap_or(u64::MAX),
            shards: (0..shards).map(|_| Shard::default()).collect(),
        }
    }

    /// The step `tick` falls in.
    pub(crate) fn step(&self, tick: Tick) -> Step {
        Step((tick.0 / self.bucket_nanos).min(u64::MAX >> COUNT_BITS))
    }

    /// Adds `count` events at `step`.
    pub(crate) fn add(&self, step: Step, count: u32) {
        let shard = &self.shards[shard_index() % self.shards.len()];
        let bucket = &shard.0[(step.0 % BUCKETS) as usize];
        let mut word = bucket.load(Ordering::Relaxed);
        loop {
            let held = step_of(word);
            if held == step.0 {
                bucket.fetch_add(u64::from(count), Ordering::Relaxed);
                return;
            }
            if held > step.0 {
                // The slot already counts a later step: this moment has
                // left the window (a call that outlived it), nothing to add.
                return;
            }
            // A bucket of an older step: start it again at this one.
            let fresh = (step.0 << COUNT_BITS) | u64::from(count).min(COUNT_MASK);
            match bucket.compare_exchange_weak(word, fresh, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return,
                Err(current) => word = current,
            }
        }
    }

    /// The sum over the window ending at `step`.
    pub(crate) fn total(&self, step: Step) -> u64 {
        self.shards
            .iter()
            .flat_map(|shard| &shard.0)
            .map(|bucket| bucket.load(Ordering::Relaxed))
            .filter(|&word| step_of(word) <= step.0 && step.0 - step_of(word) < BUCKETS)
            .map(|word| word & COUNT_MASK)
            .sum()
    }

    /// Forgets every event.
    pub(crate) fn clear(&self) {
        for bucket in self.shards.iter().flat_map(|shard| &shard.0) {
            // Step 0 with no events: a later step replaces it on first use.
            bucket.store(0, Ordering::Relaxed);
        }
    }
}

fn step_of(word: u64) -> u64 {
    word >> COUNT_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> Tick {
        Tick(secs * 1_000_000_000)
    }

    #[test]
    fn events_count_until_they_leave_the_window() {
        let window = SlidingWindow::new(Duration::from_secs(10));
        let step = |secs| window.step(at(secs));
        window.add(step(0), 3);
        window.add(step(5), 2);
        assert_eq!(window.total(step(9)), 5);
        // The first bucket has left the window; the second not yet.
        assert_eq!(window.total(step(11)), 2);
        assert_eq!(window.total(step(16)), 0);
    }

    #[test]
    fn a_reused_bucket_starts_from_zero_and_an_outdated_event_is_dropped() {
        let window = SlidingWindow::new(Duration::from_secs(1));
        window.add(window.step(at(0)), 7);
        // Ten bucket lengths later the same bucket slot is reused.
        let later = window.step(at(1));
        window.add(later, 1);
        assert_eq!(window.total(later), 1);
        // An event from before the slot's current step left the window.
        window.add(window.step(at(0)), 5);
        assert_eq!(window.total(later), 1);
        window.clear();
        assert_eq!(window.total(later), 0);
    }

    #[test]
    fn every_threads_events_are_summed() {
        let window = std::sync::Arc::new(SlidingWindow::sharded(Duration::from_secs(60)));
        let step = window.step(Tick::now());
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let window = std::sync::Arc::clone(&window);
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        window.add(step, 1);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(window.total(step), 60_000);
    }
}
