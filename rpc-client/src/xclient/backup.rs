//! Failbackup: a second try to another endpoint when the first has not
//! answered after the backup delay; the first success wins, the other is
//! dropped (which cancels it on its server and releases a breaker probe).

use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use rpc_core::Status;

use super::call::{CallClock, attempt, call_info, pick};
use super::retry::{GiveUp, Retries, may_try_again};
use super::{BackupDelay, Shared};
use crate::{RawReply, RawRequest};

/// Failbackup allows one further try: the backup.
const ONE_BACKUP: Retries = Retries {
    made: 0,
    allowed: 1,
};

/// How long the first try gets before the backup goes out.
pub(super) fn backup_delay(shared: &Shared, delay: BackupDelay) -> Duration {
    match delay {
        BackupDelay::Fixed(delay) => delay,
        BackupDelay::Observed { floor, cap } => shared
            .latency
            .as_ref()
            .and_then(|latency| latency.p99())
            .map_or(cap, |p99| p99.clamp(floor, cap.max(floor))),
    }
}

/// Failbackup: the first try, and a backup to another endpoint if the first
/// fails retryably or has not answered after the delay.
pub(super) async fn backup(
    shared: &Shared,
    request: RawRequest,
    clock: CallClock,
    delay: BackupDelay,
) -> Result<RawReply, Status> {
    let mut first_chosen = pick(shared, &call_info(&request), &[])?;
    let first_id = Arc::clone(&first_chosen.member().id);
    // Both tries may run at once: the first sends a copy, the backup the
    // request itself.
    let mut first = pin!(attempt(
        shared,
        &mut first_chosen,
        request.clone(),
        clock,
        false
    ));
    let early = tokio::select! {
        result = &mut first => Some(result),
        () = tokio::time::sleep(backup_delay(shared, delay)) => None,
    };
    let failure = match early {
        Some(Ok(reply)) => return Ok(reply),
        Some(Err(status)) => Some(status),
        None => None,
    };
    // A failure before the delay, or a slow first try: either way the
    // backup is a further try, under the same rule as every retry.
    if let Err(give_up) = may_try_again(shared, failure.as_ref(), clock.deadline(), ONE_BACKUP) {
        return match failure {
            Some(status) => Err(give_up.into_status(status)),
            None => first.await,
        };
    }
    let Ok(mut second_chosen) = pick(shared, &call_info(&request), &[first_id]) else {
        // No other endpoint: the first try is all there is.
        return match failure {
            Some(status) => Err(status),
            None => first.await,
        };
    };
    let second = attempt(shared, &mut second_chosen, request, clock, true);
    if failure.is_some() {
        return second.await.map_err(spent);
    }
    let mut second = pin!(second);
    tokio::select! {
        result = &mut first => match result {
            Ok(reply) => Ok(reply),
            Err(_) => second.await.map_err(spent),
        },
        result = &mut second => match result {
            Ok(reply) => Ok(reply),
            Err(_) => first.await.map_err(spent),
        },
    }
}

/// Both tries failed: the backup was the one further try.
fn spent(status: Status) -> Status {
    GiveUp::Spent.into_status(status)
}
