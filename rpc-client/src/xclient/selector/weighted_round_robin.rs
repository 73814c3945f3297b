//! [`WeightedRoundRobin`]: nginx's smooth weighted round-robin.
//!
//! Each endpoint keeps a `current` weight. On every call each candidate's
//! `current` grows by its weight, the candidate with the largest `current`
//! is chosen, and the chosen one's `current` drops by the sum of the
//! weights. Over any run of `sum of weights` calls (with a fixed candidate
//! set) each endpoint is chosen exactly `weight` times, and the choices are
//! interleaved rather than bunched: weights 5, 1, 1 give `a a b a c a a`,
//! not `a a a a a b c`, so a heavy endpoint never gets a burst.

use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use super::{CallInfo, Candidate, Candidates, Selector};

/// Chooses candidates in proportion to their `weight`, smoothly interleaved
/// (nginx's algorithm): weights 5, 1, 1 give `a a b a c a a`, repeating.
/// A weight of 0 counts as 1.
#[derive(Debug, Default)]
pub struct WeightedRoundRobin {
    /// Each endpoint's `current` weight, by endpoint id. Endpoints missing
    /// here start at 0.
    current_weights: Mutex<HashMap<Arc<str>, i64>>,
}

impl Selector for WeightedRoundRobin {
    fn reads_in_flight(&self) -> bool {
        false
    }

    fn update(&self, endpoints: &[Candidate]) {
        let present: HashSet<&str> = endpoints.iter().map(|endpoint| &*endpoint.id).collect();
        self.lock().retain(|id, _| present.contains(&**id));
    }

    fn select(&self, candidates: &dyn Candidates, _call: &CallInfo<'_>) -> Option<usize> {
        let mut current_weights = self.lock();
        let mut total_weight: i64 = 0;
        let mut chosen: Option<(usize, i64)> = None;
        // The algorithm needs every available endpoint's weight on each call.
        for index in (0..candidates.len()).filter(|&index| candidates.is_available(index)) {
            let id = candidates.id(index);
            let weight = i64::from(candidates.weight(index).max(1));
            let current = match current_weights.get_mut(id) {
                Some(current) => current,
                None => current_weights.entry(Arc::from(id)).or_insert(0),
            };
            *current += weight;
            total_weight += weight;
            // Strictly greater: on a tie the earlier candidate wins, as in nginx.
            if chosen.is_none_or(|(_, best)| *current > best) {
                chosen = Some((index, *current));
            }
        }
        let (chosen_index, _) = chosen?;
        if let Some(current) = current_weights.get_mut(candidates.id(chosen_index)) {
            *current -= total_weight;
        }
        Some(chosen_index)
    }
}

impl WeightedRoundRobin {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Arc<str>, i64>> {
        // The map is valid after any partial update (each entry is a plain
        // number), so a panic elsewhere while it was held is no reason to stop
        // balancing.
        self.current_weights
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::CALL;
    use super::*;

    fn weighted(weights: &[(&str, u32)]) -> Vec<Candidate> {
        weights
            .iter()
            .map(|&(id, weight)| Candidate {
                id: Arc::from(id),
                weight,
                in_flight: 0,
            })
            .collect()
    }

    fn picks(selector: &WeightedRoundRobin, candidates: &[Candidate], count: usize) -> String {
        (0..count)
            .map(|_| &*candidates[selector.select(&candidates.to_vec(), &CALL).unwrap()].id)
            .collect()
    }

    #[test]
    fn weights_5_1_1_give_the_nginx_sequence() {
        let selector = WeightedRoundRobin::default();
        let candidates = weighted(&[("a", 5), ("b", 1), ("c", 1)]);
        selector.update(&candidates);
        assert_eq!(picks(&selector, &candidates, 21), "aabacaa".repeat(3));
    }

    #[test]
    fn counts_are_exactly_proportional_to_weights() {
        let selector = WeightedRoundRobin::default();
        let candidates = weighted(&[("a", 1), ("b", 2), ("c", 3)]);
        selector.update(&candidates);
        let mut counts = [0_u32; 3];
        for _ in 0..6_000 {
            counts[selector.select(&candidates, &CALL).unwrap()] += 1;
        }
        assert_eq!(counts, [1_000, 2_000, 3_000]);
    }

    #[test]
    fn update_forgets_endpoints_that_are_gone() {
        let selector = WeightedRoundRobin::default();
        let candidates = weighted(&[("a", 5), ("b", 1), ("c", 1)]);
        selector.update(&candidates);
        picks(&selector, &candidates, 3);
        assert_eq!(selector.lock().len(), 3);

        selector.update(&candidates[..2]);
        let remaining = selector.lock();
        assert_eq!(remaining.len(), 2);
        assert!(!remaining.contains_key("c"));
    }

    #[test]
    fn a_returning_endpoint_starts_afresh() {
        let selector = WeightedRoundRobin::default();
        let candidates = weighted(&[("a", 5), ("b", 1), ("c", 1)]);
        selector.update(&candidates);
        picks(&selector, &candidates, 4);
        selector.update(&[]);
        selector.update(&candidates);
        assert_eq!(picks(&selector, &candidates, 7), "aabacaa");
    }

    #[test]
    fn a_subset_of_candidates_is_balanced_among_itself() {
        let selector = WeightedRoundRobin::default();
        let all = weighted(&[("a", 1), ("b", 1), ("c", 2)]);
        selector.update(&all);
        let without_c = &all[..2];
        assert_eq!(picks(&selector, without_c, 4), "abab");
    }

    #[test]
    fn zero_weight_counts_as_one() {
        let selector = WeightedRoundRobin::default();
        let candidates = weighted(&[("a", 0), ("b", 1)]);
        assert_eq!(picks(&selector, &candidates, 4), "abab");
    }
}
