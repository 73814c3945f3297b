//! Candidate lists and pick counting shared by the selectors' unit tests.

use std::sync::Arc;

use super::{CallInfo, Candidate, Selector};

/// A call with hash key 0.
pub(super) const CALL: CallInfo<'static> = CallInfo::with_hash_key("Echo", 0);

/// Candidates `tcp@10.0.0.{i}:8972`, one per (weight, in-flight) pair.
fn candidates(shape: impl Iterator<Item = (u32, usize)>) -> Vec<Candidate> {
    shape
        .enumerate()
        .map(|(i, (weight, in_flight))| Candidate {
            id: Arc::from(format!("tcp@10.0.0.{i}:8972")),
            weight,
            in_flight,
        })
        .collect()
}

/// `count` candidates of weight 1 with nothing in flight.
pub(super) fn uniform(count: usize) -> Vec<Candidate> {
    candidates((0..count).map(|_| (1, 0)))
}

/// Candidates of these weights.
pub(super) fn weighted(weights: &[u32]) -> Vec<Candidate> {
    candidates(weights.iter().map(|&weight| (weight, 0)))
}

/// Candidates with these calls in flight.
pub(super) fn loaded(in_flight: &[usize]) -> Vec<Candidate> {
    candidates(in_flight.iter().map(|&in_flight| (1, in_flight)))
}

/// How often each candidate is picked in `picks` calls.
pub(super) fn counts(selector: &dyn Selector, candidates: &[Candidate], picks: u32) -> Vec<u32> {
    selector.update(candidates);
    let pool = candidates.to_vec();
    let mut counts = vec![0; candidates.len()];
    for _ in 0..picks {
        counts[selector.select(&pool, &CALL).unwrap()] += 1;
    }
    counts
}
