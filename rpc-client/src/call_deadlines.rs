//! The deadlines of one connection's calls in flight, earliest first.
//!
//! One task per connection (`connection::expire_deadlines`) sleeps until the
//! earliest deadline and fails the calls whose deadline has passed. This
//! replaces a runtime timer per call: registering and cancelling a tokio
//! timer for every call cost about 0.5 µs of client CPU per call (the timer
//! wheel's insert, reregister and clear, under the driver's lock), where a
//! push on this heap, under the lock the call takes anyway to register, costs
//! a few comparisons.
//!
//! Entries are not removed when a call ends (answered, forgotten): they go
//! stale and are dropped lazily, at the top as soon as they get there, and by
//! a compaction whenever stale entries outnumber live ones, so the heap holds
//! at most about twice the calls in flight.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

/// Stale entries tolerated before a compaction, beyond as many as live ones.
const COMPACTION_SLACK: usize = 64;

/// A min-heap of `(deadline, request id)`, and when the sweeping task plans
/// to look next.
#[derive(Debug, Default)]
pub(crate) struct CallDeadlines {
    heap: BinaryHeap<Reverse<(Instant, u32)>>,
    /// The earliest instant the sweeping task may sleep until: never later
    /// than what it sleeps until (an insert lowers it and wakes the task;
    /// entries dropped by trim or compaction may leave it earlier, which
    /// costs at most an early wake-up). `None` while the task waits for a
    /// notification (nothing to watch).
    armed: Option<Instant>,
}

impl CallDeadlines {
    /// Adds call `id`'s deadline. Returns true when the sweeping task must be
    /// woken: it sleeps past `deadline` (or without a deadline at all). In
    /// the common case (every call with the same timeout) deadlines come in
    /// increasing order and the task is not disturbed.
    ///
    /// `live` tells whether an entry's call still waits for its answer; it
    /// is asked only when a compaction is due.
    pub(crate) fn insert(
        &mut self,
        deadline: Instant,
        id: u32,
        waiting: usize,
        live: impl Fn(Instant, u32) -> bool,
    ) -> bool {
        if self.heap.len() > 2 * waiting + COMPACTION_SLACK {
            self.heap.retain(|Reverse((at, id))| live(*at, *id));
            // Give back the room of a past peak of calls in flight.
            if self.heap.capacity() > 4 * self.heap.len() + COMPACTION_SLACK {
                self.heap.shrink_to(2 * self.heap.len() + COMPACTION_SLACK);
            }
        }
        self.heap.push(Reverse((deadline, id)));
        match self.armed {
            Some(armed) if armed <= deadline => false,
            _ => {
                self.armed = Some(deadline);
                true
            }
        }
    }

    /// Drops the stale entries at the top (calls that ended), so that the
    /// top is a call still waiting.
    pub(crate) fn trim(&mut self, live: impl Fn(Instant, u32) -> bool) {
        while let Some(Reverse((at, id))) = self.heap.peek() {
            if live(*at, *id) {
                return;
            }
            self.heap.pop();
        }
    }

    /// Takes the earliest entry if its deadline is at or before `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<(Instant, u32)> {
        match self.heap.peek() {
            Some(Reverse((at, _))) if *at <= now => self.heap.pop().map(|Reverse(entry)| entry),
            _ => None,
        }
    }

    /// The instant the sweeping task should look next (the earliest
    /// deadline, or `None`: wait for a notification), remembered so that
    /// [`insert`](Self::insert) knows when to wake it.
    pub(crate) fn arm(&mut self) -> Option<Instant> {
        self.armed = self.heap.peek().map(|Reverse((at, _))| *at);
        self.armed
    }

    /// Forgets every entry (the connection closed).
    pub(crate) fn clear(&mut self) {
        self.heap.clear();
        self.armed = None;
    }

    /// Entries held, live and stale.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::time::Duration;

    use super::*;

    fn at(base: Instant, ms: u64) -> Instant {
        base + Duration::from_millis(ms)
    }

    #[test]
    fn increasing_deadlines_wake_the_task_only_for_the_first() {
        let base = Instant::now();
        let mut deadlines = CallDeadlines::default();
        assert!(deadlines.insert(at(base, 10), 1, 0, |_, _| true));
        assert!(!deadlines.insert(at(base, 20), 2, 1, |_, _| true));
        assert!(!deadlines.insert(at(base, 10), 3, 2, |_, _| true));
        // An earlier deadline than the task sleeps until wakes it.
        assert!(deadlines.insert(at(base, 5), 4, 3, |_, _| true));
        assert_eq!(deadlines.arm(), Some(at(base, 5)));
    }

    #[test]
    fn due_entries_come_out_earliest_first_and_only_when_due() {
        let base = Instant::now();
        let mut deadlines = CallDeadlines::default();
        for (ms, id) in [(30, 3), (10, 1), (20, 2)] {
            deadlines.insert(at(base, ms), id, 0, |_, _| true);
        }
        assert_eq!(deadlines.pop_due(at(base, 9)), None);
        assert_eq!(deadlines.pop_due(at(base, 20)), Some((at(base, 10), 1)));
        assert_eq!(deadlines.pop_due(at(base, 20)), Some((at(base, 20), 2)));
        assert_eq!(deadlines.pop_due(at(base, 20)), None);
        assert_eq!(deadlines.arm(), Some(at(base, 30)));
    }

    #[test]
    fn an_empty_heap_arms_nothing_and_the_next_insert_wakes_the_task() {
        let base = Instant::now();
        let mut deadlines = CallDeadlines::default();
        assert_eq!(deadlines.arm(), None);
        assert!(deadlines.insert(at(base, 50), 1, 0, |_, _| true));
        deadlines.clear();
        assert_eq!(deadlines.arm(), None);
        assert!(deadlines.insert(at(base, 60), 2, 0, |_, _| true));
    }

    #[test]
    fn trim_drops_ended_calls_at_the_top_only() {
        let base = Instant::now();
        let mut deadlines = CallDeadlines::default();
        for id in 1..=4 {
            deadlines.insert(at(base, u64::from(id)), id, 0, |_, _| true);
        }
        let live: HashSet<u32> = [3].into();
        deadlines.trim(|_, id| live.contains(&id));
        // 1 and 2 went; 3 is live and stops the trim, 4 (stale) stays below it.
        assert_eq!(deadlines.len(), 2);
        assert_eq!(deadlines.arm(), Some(at(base, 3)));
    }

    #[test]
    fn stale_entries_never_outnumber_live_ones_by_more_than_the_slack() {
        let base = Instant::now();
        let mut deadlines = CallDeadlines::default();
        // One call stays in flight (id 0) at the top; 10,000 others each
        // end before the next starts, so none of them ever reaches the top.
        deadlines.insert(at(base, 0), 0, 0, |_, _| true);
        for id in 1..10_000u32 {
            deadlines.insert(at(base, u64::from(id)), id, 1, |_, live| live == 0);
            assert!(
                deadlines.len() <= 2 + COMPACTION_SLACK + 1,
                "{}",
                deadlines.len()
            );
        }
    }
}
