//! [`Chosen`]: an endpoint admitted for one try. It holds the breaker's
//! admission and counts the try in flight; the try's outcome settles the
//! breaker, and a try dropped without one releases a probe.
//!
//! One `Arc` clone per try carries all of it (the member list of the
//! caller's shard, through which it reaches the member, its breaker and
//! in-flight counter), rather than one handle per concern: the count it
//! writes is its shard's, not the member's, which every core would write.

use std::sync::Arc;

use rpc_core::Status;

use super::breaker::counts_as_failure;
use super::pool::{Member, Members};
use super::window::Tick;

/// An endpoint admitted for one try.
#[derive(Debug)]
pub(super) struct Chosen {
    /// The list it was chosen from (its shard's copy) and its place there.
    list: Arc<Members>,
    index: usize,
    /// The try is the half-open breaker's probe.
    probe: bool,
    /// The breaker was told the try's outcome.
    settled: bool,
    /// The try is counted in the member's calls in flight.
    counted: bool,
}

impl Chosen {
    /// Admits a try to the member at `index` of `list` if its breaker lets
    /// one through; counts it in flight if `count` (the selector reads those
    /// counts).
    pub(super) fn admit(list: &Arc<Members>, index: usize, count: bool) -> Option<Chosen> {
        let member = list.get(index)?;
        if !member.is_serving() {
            return None;
        }
        let admission = member.breaker.admit()?;
        if count {
            member.call_started();
        }
        Some(Chosen {
            list: Arc::clone(list),
            index,
            probe: admission.probe,
            settled: false,
            counted: count,
        })
    }

    /// The same endpoint admitted for one more try, if its breaker lets it
    /// through.
    pub(super) fn again(&self) -> Option<Chosen> {
        Chosen::admit(&self.list, self.index, self.counted)
    }

    /// The endpoint.
    pub(super) fn member(&self) -> &Arc<Member> {
        // `admit` checked the index; the list never changes.
        &self.list[self.index]
    }

    /// The try that started at `started` ended with `result`.
    pub(super) fn settle<T>(&mut self, result: &Result<T, Status>, started: Tick) {
        let failed = match result {
            Ok(_) => false,
            Err(status) => counts_as_failure(status),
        };
        self.settled = true;
        self.member().breaker.settle(self.probe, failed, started);
    }
}

impl Drop for Chosen {
    fn drop(&mut self) {
        if self.counted {
            self.member().call_ended();
        }
        if self.probe && !self.settled {
            // The try was dropped (caller gone, lost a race): its outcome
            // says nothing, and the next call may probe.
            self.member().breaker.release_probe();
        }
    }
}
