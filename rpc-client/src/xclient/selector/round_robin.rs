//! [`RoundRobin`]: calls go to the candidates in turn, one after the other.
//!
//! A single shared counter, advanced atomically by every call and taken
//! modulo the number of candidates: no lock, and over any window of N calls
//! to N candidates each gets exactly one. An endpoint that cannot take a
//! call (an open circuit breaker, a failover retry) loses its turn to the
//! next, so the rotation continues over the available ones.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::{CallInfo, Candidate, Candidates, Selector};

/// Chooses the candidates in turn, through one lock-free counter shared by
/// all calls.
#[derive(Debug, Default)]
pub struct RoundRobin {
    next_turn: AtomicUsize,
}

impl Selector for RoundRobin {
    fn reads_in_flight(&self) -> bool {
        false
    }

    fn update(&self, _endpoints: &[Candidate]) {}

    fn select(&self, candidates: &dyn Candidates, _call: &CallInfo<'_>) -> Option<usize> {
        let count = candidates.len();
        if count == 1 {
            // Nothing to rotate: no write to the counter every call shares.
            return candidates.is_available(0).then_some(0);
        }
        // An unavailable endpoint's turn is skipped by taking the next turn,
        // so the rotation continues over the available ones. Relaxed is
        // enough: only the counter's own sequence matters, it publishes
        // nothing else. It wraps at usize::MAX, which at worst repeats one
        // candidate once in 2^64 calls.
        (0..count)
            .map(|_| self.next_turn.fetch_add(1, Ordering::Relaxed) % count)
            .find(|&index| candidates.is_available(index))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{CALL, uniform as candidates};
    use super::*;
    use std::sync::Arc;

    #[test]
    fn rotates_exactly() {
        let selector = RoundRobin::default();
        let candidates = candidates(3);
        selector.update(&candidates);
        let picks: Vec<usize> = (0..9)
            .map(|_| selector.select(&candidates, &CALL).unwrap())
            .collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn concurrent_callers_share_one_rotation() {
        let selector = Arc::new(RoundRobin::default());
        let candidates = Arc::new(candidates(4));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let selector = Arc::clone(&selector);
                let candidates = Arc::clone(&candidates);
                std::thread::spawn(move || {
                    let mut counts = [0_u32; 4];
                    for _ in 0..1_000 {
                        counts[selector.select(&*candidates, &CALL).unwrap()] += 1;
                    }
                    counts
                })
            })
            .collect();
        let mut totals = [0_u32; 4];
        for thread in threads {
            for (total, count) in totals.iter_mut().zip(thread.join().unwrap()) {
                *total += count;
            }
        }
        assert_eq!(totals, [1_000; 4]);
    }
}
