//! [`FailMode`]: what the XClient does when a call to an endpoint fails.

use std::time::Duration;

/// How a call survives endpoint failures. rpcx's four modes.
///
/// In every mode one rule decides whether a failed try is followed by
/// another: its status is retryable
/// ([`Code::is_retryable`](rpc_core::Code::is_retryable): `unavailable`,
/// `overloaded`; never a status about the request itself, such as
/// `bad_request` or `payload_too_large`, which any endpoint would refuse
/// again), it does not carry the "no more retry" mark
/// ([`Status::is_no_retry`](rpc_core::Status::is_no_retry)), at least
/// [`XClientConfig::min_retry_budget`](crate::XClientConfig::min_retry_budget)
/// of the deadline remains, and the
/// [retry budget](crate::XClientConfig::retry_budget) allows one more. A
/// request that is itself a retry (its `retry` flag set, e.g. passed on from
/// a server handling a retried call with
/// [`CallOptions::propagate`](crate::CallOptions::propagate)) is tried
/// once: only the outermost caller retries, so retries do not multiply down
/// a call chain. Every try after the first carries the retry flag. When the
/// retries run out, or the budget refuses one, the error returned is marked
/// "no more retry" ([`Status::no_retry`](rpc_core::Status::no_retry)) so
/// that callers up the chain give up too. A caller that drops the call's
/// future cancels it: nothing is retried, the server gets a cancel frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
        delay: BackupDelay,
    },
}

impl FailMode {
    /// Failbackup with the backup sent at the endpoints' observed p99
    /// latency, between the default floor and cap.
    pub fn failbackup() -> FailMode {
        FailMode::Failbackup {
            delay: BackupDelay::default(),
        }
    }
}

/// When failbackup sends its second request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BackupDelay {
    /// Always after this long.
    Fixed(Duration),
    /// At the 99th percentile of the latency of recent successful tries
    /// (over every endpoint of the service), kept within `floor..=cap`: only
    /// about one call in a hundred, the slowest, gets a backup, whatever the
    /// service's normal speed. Until enough calls were seen (20), `cap`.
    Observed {
        /// The shortest delay: below it a backup costs more than it saves.
        floor: Duration,
        /// The longest delay, and the delay before anything was observed.
        cap: Duration,
    },
}

impl Default for BackupDelay {
    /// Observed, between 5 ms and 1 s.
    fn default() -> Self {
        BackupDelay::Observed {
            floor: Duration::from_millis(5),
            cap: Duration::from_secs(1),
        }
    }
}

impl Default for FailMode {
    fn default() -> Self {
        FailMode::Failover { retries: 2 }
    }
}
