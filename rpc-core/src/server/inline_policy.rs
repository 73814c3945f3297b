//! [`InlinePolicy`]: whether a connection's reader runs a handler's first
//! poll itself or gives the call its own task.
//!
//! Running the first poll inline spares a task, a table entry and a
//! cross-thread wake-up per call, which is most of a trivial handler's cost;
//! but everything a handler does before its first `.await` then runs on the
//! reader's core, one connection's calls one after another. So the reader
//! times its inline polls: two in a row that took longer than [`SLOW_POLL`]
//! (one alone may be the thread being preempted) switch the connection to
//! spawning its next [`SPAWN_STREAK`] calls, which the runtime spreads over
//! every core; then it samples inline again, and one more slow poll starts
//! the next streak, twice as long as the last (up to [`MAX_SPAWN_STREAK`]):
//! each inline sample of a slow handler holds the reader, so a connection
//! whose handlers stay slow samples ever more rarely. A fast sample brings
//! the streak back to [`SPAWN_STREAK`].

use std::time::{Duration, Instant};

use crate::server::handler::poll_once;
use crate::{ServiceReply, Status};

/// An inline first poll longer than this makes the following calls spawn:
/// at this length a task's overhead (about a microsecond) is under 5 %.
pub(crate) const SLOW_POLL: Duration = Duration::from_micros(20);

/// Calls spawned after slow inline polls before the next inline sample.
pub(crate) const SPAWN_STREAK: u32 = 64;

/// The longest streak, reached by doubling while samples stay slow.
pub(crate) const MAX_SPAWN_STREAK: u32 = 4096;

/// Per connection: spawn the next calls, or poll them inline.
#[derive(Debug, Default)]
pub(crate) struct InlinePolicy {
    spawn_next: u32,
    /// Slow inline polls in a row (kept across a streak).
    slow_in_a_row: u32,
    /// The length of the last streak started.
    streak: u32,
}

impl InlinePolicy {
    /// Whether the next call should run its first poll inline; if not,
    /// counts it against the current streak.
    pub(crate) fn inline_next(&mut self) -> bool {
        if self.spawn_next == 0 {
            return true;
        }
        self.spawn_next -= 1;
        false
    }

    /// Runs `handler`'s first poll here if this policy says so, recording
    /// how long the call took since it `arrived`: the handler's result if it
    /// finished, `Err` with the handler if it must go on as its own task
    /// (being polled again there, it registers that task's waker: nothing
    /// is lost).
    pub(crate) fn first_poll(
        &mut self,
        mut handler: crate::BoxFuture<Result<ServiceReply, Status>>,
        arrived: Instant,
    ) -> Result<Result<ServiceReply, Status>, crate::BoxFuture<Result<ServiceReply, Status>>> {
        if !self.inline_next() {
            return Err(handler);
        }
        let polled = poll_once(&mut handler);
        self.polled(arrived.elapsed());
        polled.ok_or(handler)
    }

    /// Records how long an inline first poll took.
    pub(crate) fn polled(&mut self, took: Duration) {
        if took <= SLOW_POLL {
            self.slow_in_a_row = 0;
            self.streak = 0;
            return;
        }
        self.slow_in_a_row = self.slow_in_a_row.saturating_add(1);
        if self.slow_in_a_row >= 2 {
            self.streak = if self.streak == 0 {
                SPAWN_STREAK
            } else {
                (self.streak * 2).min(MAX_SPAWN_STREAK)
            };
            self.spawn_next = self.streak;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_slow_polls_in_a_row_spawn_a_streak_then_one_more_renews_it() {
        let mut policy = InlinePolicy::default();
        let slow = Duration::from_micros(200);
        let fast = Duration::from_micros(2);
        // One slow poll between fast ones is noise.
        for took in [fast, slow, fast, slow, fast] {
            assert!(policy.inline_next());
            policy.polled(took);
        }
        assert!(policy.inline_next());
        policy.polled(slow);
        assert!(policy.inline_next());
        policy.polled(slow);
        for _ in 0..SPAWN_STREAK {
            assert!(!policy.inline_next());
        }
        // Still slow after the streak: the next one starts at once, twice as long.
        assert!(policy.inline_next());
        policy.polled(slow);
        for _ in 0..2 * SPAWN_STREAK {
            assert!(!policy.inline_next());
        }
        assert!(policy.inline_next());
        // A fast sample: back to inline, and the next streak is short again.
        policy.polled(fast);
        assert!(policy.inline_next());
        policy.polled(slow);
        assert!(policy.inline_next());
        policy.polled(slow);
        for _ in 0..SPAWN_STREAK {
            assert!(!policy.inline_next());
        }
        assert!(policy.inline_next());
    }

    #[test]
    fn streaks_stop_doubling_at_the_maximum() {
        let mut policy = InlinePolicy::default();
        for _ in 0..20 {
            while !policy.inline_next() {}
            policy.polled(Duration::from_millis(1));
        }
        let mut spawned = 0;
        while !policy.inline_next() {
            spawned += 1;
        }
        assert_eq!(spawned, MAX_SPAWN_STREAK);
    }
}
