//! [`WeightedRandom`]: every call goes to a candidate chosen at random, with
//! probability proportional to its `weight`.
//!
//! A point is drawn uniformly in `[0, total weight)` and the candidates are
//! walked, each covering a stretch as long as its weight, until the one
//! covering the point. Stateless, like [`Random`](super::Random); unlike
//! [`WeightedRoundRobin`](super::WeightedRoundRobin) the proportions hold
//! only on average, but nothing is shared between calls.

use super::{CallInfo, Candidate, Candidates, Selector};

/// Chooses at random, in proportion to each candidate's `weight`. A weight of
/// 0 counts as 1.
#[derive(Debug, Default, Clone, Copy)]
#[non_exhaustive]
pub struct WeightedRandom;

fn effective_weight(candidates: &dyn Candidates, index: usize) -> u64 {
    u64::from(candidates.weight(index).max(1))
}

impl Selector for WeightedRandom {
    fn reads_in_flight(&self) -> bool {
        false
    }

    fn update(&self, _endpoints: &[Candidate]) {}

    fn select(&self, candidates: &dyn Candidates, _call: &CallInfo<'_>) -> Option<usize> {
        // Proportions need every weight: one pass to sum, one to walk, over
        // the available endpoints only.
        let available = || (0..candidates.len()).filter(|&index| candidates.is_available(index));
        // u32 weights summed in u64 cannot overflow for any pool that fits in memory.
        let total_weight: u64 = available()
            .map(|index| effective_weight(candidates, index))
            .sum();
        if total_weight == 0 {
            return None;
        }
        let mut point = fastrand::u64(..total_weight);
        for index in available() {
            let weight = effective_weight(candidates, index);
            if point < weight {
                return Some(index);
            }
            point -= weight;
        }
        // Availability changed between the passes: still an available pick.
        available().last()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{counts, weighted};
    use super::*;

    #[test]
    fn picks_are_proportional_to_weights() {
        fastrand::seed(11);
        let counts = counts(&WeightedRandom::default(), &weighted(&[1, 2, 3]), 60_000);
        for (count, expected) in counts.iter().zip([10_000_u32, 20_000, 30_000]) {
            let tolerance = expected / 20;
            assert!(count.abs_diff(expected) <= tolerance, "counts {counts:?}");
        }
    }

    #[test]
    fn zero_weight_counts_as_one() {
        fastrand::seed(13);
        let counts = counts(&WeightedRandom::default(), &weighted(&[0, 1]), 10_000);
        assert!(
            counts.iter().all(|&count| count > 4_500),
            "counts {counts:?}"
        );
    }

    #[test]
    fn a_single_candidate_is_always_chosen() {
        assert_eq!(
            counts(&WeightedRandom::default(), &weighted(&[7]), 100),
            [100]
        );
    }
}
