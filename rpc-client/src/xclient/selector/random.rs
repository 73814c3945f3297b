//! [`Random`]: every call goes to a candidate chosen uniformly at random.
//!
//! Stateless, so it needs no coordination between concurrent calls, and over
//! many calls it spreads load evenly; use it when endpoints are alike and no
//! call needs to stick to an endpoint.

use super::{CallInfo, Candidate, Candidates, Selector};

/// Chooses uniformly at random among the candidates.
#[derive(Debug, Default, Clone, Copy)]
#[non_exhaustive]
pub struct Random;

impl Selector for Random {
    fn reads_in_flight(&self) -> bool {
        false
    }

    fn update(&self, _endpoints: &[Candidate]) {}

    fn select(&self, candidates: &dyn Candidates, _call: &CallInfo<'_>) -> Option<usize> {
        if candidates.is_empty() {
            return None;
        }
        // An unavailable pick passes to the next available endpoint: no
        // list of the available ones is built per call.
        candidates.next_available(fastrand::usize(..candidates.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{CALL, uniform as candidates};
    use super::*;

    #[test]
    fn picks_are_uniform() {
        fastrand::seed(7);
        let selector = Random::default();
        let candidates = candidates(3);
        selector.update(&candidates);
        let mut counts = [0_u32; 3];
        for _ in 0..60_000 {
            counts[selector.select(&candidates, &CALL).unwrap()] += 1;
        }
        for count in counts {
            assert!((19_000..=21_000).contains(&count), "counts {counts:?}");
        }
    }

    #[test]
    fn a_single_candidate_is_always_chosen() {
        let candidates = candidates(1);
        for _ in 0..100 {
            assert_eq!(Random::default().select(&candidates, &CALL), Some(0));
        }
    }
}
