//! [`FailMode`]: what the XClient does when a call to an endpoint fails.

use std::time::Duration;

/// How a call survives endpoint failures. rpcx's four modes.
///
/// In every mode a call is tried again only if its failure is retryable
/// ([`Code::is_retryable`](rpc_core::Code::is_retryable): `unavailable`,
/// `overloaded`), only while at least
/// [`XClientConfig::min_retry_budget`](crate::XClientConfig::min_retry_budget)
/// of its deadline remains, and never when the request is itself a retry
/// (its `retry` flag set, e.g. passed on from a server handling a retried
/// call with [`CallOptions::propagate`](crate::CallOptions::propagate)):
/// only the outermost caller retries, so retries do not multiply down a call
/// chain. Every try after the first carries the retry flag. A caller that
/// drops the call's future cancels it: nothing is retried, the server gets a
/// cancel frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailMode {
    /// One try; its error is the call's error.
    Failfast,
    /// On a retryable failure, try the same endpoint again (its client
    /// reconnects if the connection broke), up to `retries` more times.
    Failtry {
        /// Further tries after the first.
        retries: u32,
    },
    /// On a retryable failure, try another endpoint (one not tried yet, while
    /// there is one), up to `retries` more times, pausing
    /// [`XClientConfig::retry_pause`](crate::XClientConfig::retry_pause)
    /// between tries.
    Failover {
        /// Further tries after the first.
        retries: u32,
    },
    /// If the first try has not answered after `delay` (or fails retryably
    /// before), send the same request to another endpoint; the first success
    /// wins and the other try is cancelled.
    Failbackup {
        /// How long the first try gets before the backup is sent.
        delay: Duration,
    },
}

impl Default for FailMode {
    fn default() -> Self {
        FailMode::Failover { retries: 2 }
    }
}
