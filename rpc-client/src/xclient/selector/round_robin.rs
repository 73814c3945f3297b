//! [`RoundRobin`]: calls go to the candidates in turn, one after the other.
//!
//! A counter per [shard](crate::xclient::shard) (the calls of one worker
//! thread, usually), advanced atomically by each of its calls and taken
//! modulo the number of candidates: no lock, no line written by both cores
//! on every call, and over any window of N calls of one thread to N
//! candidates each gets exactly one. Across threads each rotation is even,
//! so their sum is even to within one call per shard in any window; shard
//! i starts at candidate i, so that a few first calls on different threads
//! do not all go to the first candidate. An endpoint that cannot take a
//! call (an open circuit breaker, a failover retry) loses its turn to the
//! next, so the rotation continues over the available ones.
//!
//! Under load, one exception: while the connection of the endpoint chosen
//! last is still gathering a batch of requests ([`Candidates::is_batching`]),
//! the next call of the same shard joins it instead of taking the next
//! turn, for at most [`MAX_BURST`] calls in a row (the callers one burst of
//! replies wakes run on the worker that read the burst: one shard). Strict
//! per-call rotation spread every such burst over all connections:
//! one write per connection instead of one, and smaller reply bursts on the
//! server; measured with 4 connections, c = 100, it cost about 13 % of the
//! throughput (`docs/BENCHMARKS.md`). Bursts rotate, so the long-run share
//! stays even; with no batch forming (light load, tests placing one call at
//! a time) the rotation is exact.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::{CallInfo, Candidate, Candidates, Selector};
use crate::xclient::shard::{SHARDS, shard_index};

/// The most calls in a row that join the batch of the endpoint chosen last.
const MAX_BURST: usize = 32;

/// Chooses the candidates in turn, through lock-free counters, one per
/// shard of calls.
#[derive(Debug)]
pub struct RoundRobin {
    turns: [Turns; SHARDS],
}

/// One shard's rotation, alone on its cache lines.
#[derive(Debug)]
#[repr(align(128))]
struct Turns {
    next_turn: AtomicUsize,
    /// The index the last turn chose (`usize::MAX` before the first).
    last_turn: AtomicUsize,
    /// Calls that joined `last_turn`'s batch since that turn.
    joined: AtomicUsize,
}

impl Default for RoundRobin {
    fn default() -> RoundRobin {
        RoundRobin {
            turns: std::array::from_fn(|shard| Turns {
                next_turn: AtomicUsize::new(shard),
                last_turn: AtomicUsize::new(usize::MAX),
                joined: AtomicUsize::new(0),
            }),
        }
    }
}

impl Selector for RoundRobin {
    fn reads_in_flight(&self) -> bool {
        false
    }

    fn update(&self, _endpoints: &[Candidate]) {}

    fn select(&self, candidates: &dyn Candidates, _call: &CallInfo<'_>) -> Option<usize> {
        let count = candidates.len();
        if count == 1 {
            // Nothing to rotate: no counter written.
            return candidates.is_available(0).then_some(0);
        }
        let turns = &self.turns[shard_index()];
        // Relaxed everywhere: these counters publish nothing else, and a
        // stale read costs at most one call placed off its exact turn.
        let last = turns.last_turn.load(Ordering::Relaxed);
        if last < count
            && candidates.is_batching(last)
            && candidates.is_available(last)
            && turns.joined.fetch_add(1, Ordering::Relaxed) < MAX_BURST
        {
            return Some(last);
        }
        // An unavailable endpoint's turn is skipped by taking the next turn,
        // so the rotation continues over the available ones. The counter
        // wraps at usize::MAX, which at worst repeats one candidate once in
        // 2^64 calls.
        let chosen = (0..count)
            .map(|_| turns.next_turn.fetch_add(1, Ordering::Relaxed) % count)
            .find(|&index| candidates.is_available(index))?;
        turns.last_turn.store(chosen, Ordering::Relaxed);
        turns.joined.store(0, Ordering::Relaxed);
        Some(chosen)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{CALL, uniform as candidates};
    use super::*;
    use std::sync::Arc;

    /// Where this thread's rotation starts among `count` candidates.
    fn first(count: usize) -> usize {
        shard_index() % count
    }

    #[test]
    fn rotates_exactly() {
        let selector = RoundRobin::default();
        let candidates = candidates(3);
        selector.update(&candidates);
        let picks: Vec<usize> = (0..9)
            .map(|_| selector.select(&candidates, &CALL).unwrap())
            .collect();
        let expected: Vec<usize> = (0..9).map(|i| (first(3) + i) % 3).collect();
        assert_eq!(picks, expected);
    }

    #[test]
    fn shards_start_on_different_candidates() {
        let starts: std::collections::HashSet<usize> = (0..SHARDS)
            .map(|shard| {
                RoundRobin::default().turns[shard]
                    .next_turn
                    .load(Ordering::Relaxed)
                    % SHARDS
            })
            .collect();
        assert_eq!(starts.len(), SHARDS);
    }

    /// Calls from `threads` threads, `calls` each, over 4 candidates:
    /// how many each candidate got.
    fn spread(threads: usize, calls: usize) -> [usize; 4] {
        let selector = Arc::new(RoundRobin::default());
        let candidates = Arc::new(candidates(4));
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let selector = Arc::clone(&selector);
                let candidates = Arc::clone(&candidates);
                std::thread::spawn(move || {
                    let mut counts = [0_usize; 4];
                    for _ in 0..calls {
                        counts[selector.select(&*candidates, &CALL).unwrap()] += 1;
                    }
                    counts
                })
            })
            .collect();
        let mut totals = [0_usize; 4];
        for handle in handles {
            for (total, count) in totals.iter_mut().zip(handle.join().unwrap()) {
                *total += count;
            }
        }
        totals
    }

    #[test]
    fn uneven_calls_on_several_threads_stay_within_one_per_shard() {
        let totals = spread(6, 1_001);
        let (max, min) = (totals.iter().max().unwrap(), totals.iter().min().unwrap());
        assert_eq!(totals.iter().sum::<usize>(), 6 * 1_001);
        assert!(max - min <= SHARDS, "{totals:?}");
    }

    #[test]
    fn concurrent_callers_each_rotate_evenly() {
        // Every shard's calls are a multiple of 4 (each thread makes 1,000).
        assert_eq!(spread(4, 1_000), [1_000; 4]);
    }

    /// Uniform candidates whose connections gather batches as `batching`
    /// says, and which take calls as `available` says.
    struct Batching {
        inner: Vec<Candidate>,
        batching: Vec<bool>,
        available: Vec<bool>,
    }

    impl Batching {
        fn all(count: usize) -> Batching {
            Batching {
                inner: candidates(count),
                batching: vec![true; count],
                available: vec![true; count],
            }
        }
    }

    impl Candidates for Batching {
        fn len(&self) -> usize {
            self.inner.len()
        }
        fn id(&self, index: usize) -> &str {
            &self.inner[index].id
        }
        fn weight(&self, _index: usize) -> u32 {
            1
        }
        fn in_flight(&self, _index: usize) -> usize {
            0
        }
        fn is_available(&self, index: usize) -> bool {
            self.available[index]
        }
        fn is_batching(&self, index: usize) -> bool {
            self.batching[index]
        }
    }

    #[test]
    fn a_burst_joins_the_last_turns_batch_for_at_most_max_burst_calls() {
        let selector = RoundRobin::default();
        let pool = Batching::all(3);
        let picks: Vec<usize> = (0..2 * (MAX_BURST + 1))
            .map(|_| selector.select(&pool, &CALL).unwrap())
            .collect();
        let mut expected = vec![first(3); MAX_BURST + 1];
        expected.extend(vec![(first(3) + 1) % 3; MAX_BURST + 1]);
        assert_eq!(picks, expected);
    }

    #[test]
    fn once_the_batch_is_written_the_rotation_goes_on() {
        let selector = RoundRobin::default();
        let mut pool = Batching::all(3);
        let (one, next) = (first(3), (first(3) + 1) % 3);
        assert_eq!(selector.select(&pool, &CALL), Some(one));
        assert_eq!(selector.select(&pool, &CALL), Some(one));
        pool.batching[one] = false;
        assert_eq!(selector.select(&pool, &CALL), Some(next));
        assert_eq!(selector.select(&pool, &CALL), Some(next));
    }

    #[test]
    fn an_endpoint_that_cannot_take_the_call_is_not_joined() {
        let selector = RoundRobin::default();
        let mut pool = Batching::all(3);
        let (one, next) = (first(3), (first(3) + 1) % 3);
        assert_eq!(selector.select(&pool, &CALL), Some(one));
        pool.available[one] = false;
        assert_eq!(selector.select(&pool, &CALL), Some(next));
    }
}
