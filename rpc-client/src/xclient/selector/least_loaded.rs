//! [`LeastLoaded`]: the power of two choices on calls in flight.
//!
//! Two distinct candidates are picked at random and the call goes to the one
//! with fewer calls in flight. Always taking the single least loaded
//! endpoint would send every client's next burst to the same one (all see
//! the same idle endpoint); two random choices avoid that herd while still
//! steering clear of overloaded endpoints (the classic balls-into-bins
//! result: the worst imbalance falls from `log n / log log n` with one random
//! choice to `log log n` with two). The single busiest candidate is never
//! chosen.

use super::{CallInfo, Candidate, Candidates, Selector};

/// Of two candidates picked at random, chooses the one with fewer calls in
/// flight.
#[derive(Debug, Default, Clone, Copy)]
#[non_exhaustive]
pub struct LeastLoaded;

impl Selector for LeastLoaded {
    fn update(&self, _endpoints: &[Candidate]) {}

    fn select(&self, candidates: &dyn Candidates, _call: &CallInfo<'_>) -> Option<usize> {
        let count = candidates.len();
        if count == 0 {
            return None;
        }
        let first = candidates.next_available(fastrand::usize(..count))?;
        if count == 1 {
            return Some(first);
        }
        // Drawn among the other count - 1 and shifted past `first`, so the two
        // are distinct without retrying; an unavailable draw passes to the
        // next available endpoint other than `first`.
        let mut start = fastrand::usize(..count - 1);
        if start >= first {
            start += 1;
        }
        let second = (0..count)
            .map(|offset| (start + offset) % count)
            .find(|&index| index != first && candidates.is_available(index));
        // On a tie `first` wins; it is itself random, so ties stay fair.
        Some(match second {
            Some(second) if candidates.in_flight(second) < candidates.in_flight(first) => second,
            _ => first,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{counts, loaded};
    use super::*;

    #[test]
    fn the_idle_endpoint_is_preferred() {
        fastrand::seed(17);
        // The idle one wins whenever it is one of the two picks: half the time.
        let counts = counts(
            &LeastLoaded::default(),
            &loaded(&[100, 0, 100, 100]),
            10_000,
        );
        assert!(counts[1] > 4_000, "counts {counts:?}");
    }

    #[test]
    fn of_two_the_less_loaded_always_wins() {
        fastrand::seed(19);
        assert_eq!(
            counts(&LeastLoaded::default(), &loaded(&[7, 2]), 1_000),
            [0, 1_000]
        );
        assert_eq!(
            counts(&LeastLoaded::default(), &loaded(&[2, 7]), 1_000),
            [1_000, 0]
        );
    }

    #[test]
    fn the_busiest_is_never_chosen() {
        fastrand::seed(23);
        let counts = counts(&LeastLoaded::default(), &loaded(&[3, 9, 3, 3]), 10_000);
        assert_eq!(counts[1], 0, "counts {counts:?}");
    }

    #[test]
    fn ties_are_shared() {
        fastrand::seed(29);
        let counts = counts(&LeastLoaded::default(), &loaded(&[5, 5, 5]), 30_000);
        assert!(
            counts
                .iter()
                .all(|&count| (9_000..=11_000).contains(&count)),
            "counts {counts:?}"
        );
    }

    #[test]
    fn a_single_candidate_is_always_chosen() {
        assert_eq!(counts(&LeastLoaded::default(), &loaded(&[42]), 100), [100]);
    }
}
