//! Failbackup: a second try to another endpoint when the first has not
//! answered after the backup delay; the first success wins, the other is
//! dropped (which cancels it on its server and releases a breaker probe).

use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rpc_core::Status;

use super::call::{attempt, pick};
use super::retry::{GiveUp, Retries, may_try_again};
use super::selector::CallInfo;
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

pub(super) async fn backup(
    shared: &Shared,
    request: &RawRequest,
    info: &CallInfo<'_>,
    deadline: Instant,
    delay: BackupDelay,
) -> Result<RawReply, Status> {
    let first_chosen = pick(shared, info, &[])?;
    let first_id = Arc::clone(&first_chosen.member.id);
    let mut first = pin!(attempt(shared, first_chosen, request, deadline, false));
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
    if let Err(give_up) = may_try_again(shared, failure.as_ref(), deadline, ONE_BACKUP) {
        return match failure {
            Some(status) => Err(give_up.into_status(status)),
            None => first.await,
        };
    }
    let Ok(second_chosen) = pick(shared, info, &[first_id]) else {
        // No other endpoint: the first try is all there is.
        return match failure {
            Some(status) => Err(status),
            None => first.await,
        };
    };
    let second = attempt(shared, second_chosen, request, deadline, true);
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
