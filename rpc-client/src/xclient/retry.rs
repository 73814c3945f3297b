//! The one rule that decides whether a call is tried again, shared by every
//! fail mode (failtry, failover, failbackup's backup).

use std::time::Instant;

use rpc_core::Status;

use super::Shared;

/// How many further tries a call's fail mode allows and has made.
#[derive(Debug, Clone, Copy)]
pub(super) struct Retries {
    pub(super) made: u32,
    pub(super) allowed: u32,
}

/// Why no further try follows a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum GiveUp {
    /// The failure is final as it is: not retryable (about the request, or
    /// the handler ran), already marked "no more retry", or too little of
    /// the deadline left.
    Final,
    /// Retrying was allowed but is spent: the retries ran out or the retry
    /// budget refused one. Callers up the chain must not retry either.
    Spent,
}

impl GiveUp {
    /// The status the call ends with: a spent call's retryable failure is
    /// marked "no more retry".
    pub(super) fn into_status(self, status: Status) -> Status {
        match self {
            GiveUp::Spent if status.is_retryable() => status.no_retry(),
            _ => status,
        }
    }
}

/// Whether another try may follow `failure` (or, with `None`, may be sent
/// beside a try still running: failbackup's backup). A granted try is
/// counted against the retry budget.
pub(super) fn may_try_again(
    shared: &Shared,
    failure: Option<&Status>,
    deadline: Instant,
    retries: Retries,
) -> Result<(), GiveUp> {
    if let Some(status) = failure
        && (!status.is_retryable() || status.is_no_retry())
    {
        return Err(GiveUp::Final);
    }
    if deadline.saturating_duration_since(Instant::now()) < shared.config.min_retry_budget {
        return Err(GiveUp::Final);
    }
    if retries.made >= retries.allowed {
        // A mode without retries (failfast, failover with 0) leaves the
        // decision to its caller.
        return Err(if retries.allowed == 0 {
            GiveUp::Final
        } else {
            GiveUp::Spent
        });
    }
    if !shared.retry_budget.try_retry() {
        tracing::debug!(service = %shared.service, "retry refused by the retry budget");
        if let Some(metrics) = &shared.metrics {
            metrics.retries_refused.increment(1);
        }
        return Err(GiveUp::Spent);
    }
    if let Some(metrics) = &shared.metrics {
        metrics.retries.increment(1);
    }
    tracing::debug!(service = %shared.service, attempt = retries.made + 2, "retrying");
    Ok(())
}
