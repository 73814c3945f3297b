//! One call through the XClient: pick an endpoint, try, and apply the fail
//! mode to failures.

use std::pin::pin;
use std::sync::Arc;
use std::time::Instant;

use rpc_core::{Code, Status};

use super::pool::Member;
use super::selector::{CallInfo, stable_hash};
use super::{FailMode, Shared};
use crate::{Channel, RawReply, RawRequest};

/// Runs `request` under the client's fail mode.
pub(super) async fn call(shared: &Shared, request: RawRequest) -> Result<RawReply, Status> {
    let timeout = request.options.timeout.unwrap_or(shared.config.timeout);
    let deadline = Instant::now() + timeout;
    let hash_key = request
        .options
        .hash_key
        .unwrap_or_else(|| stable_hash(&request.payload));
    let info = CallInfo {
        method: &request.method,
        hash_key,
    };
    // A request that is itself a retry is tried once: only the outermost
    // caller of a chain retries.
    let mode = if request.options.retry {
        FailMode::Failfast
    } else {
        shared.config.fail_mode
    };
    match mode {
        FailMode::Failfast => {
            let member = pick(shared, &info, &[])?;
            attempt(shared, &member, &request, deadline, false).await
        }
        FailMode::Failtry { retries } => {
            let member = pick(shared, &info, &[])?;
            let mut result = attempt(shared, &member, &request, deadline, false).await;
            for _ in 0..retries {
                match &result {
                    Err(status) if may_retry(shared, status, deadline) => {}
                    _ => break,
                }
                result = attempt(shared, &member, &request, deadline, true).await;
            }
            result
        }
        FailMode::Failover { retries } => {
            let mut tried: Vec<Arc<str>> = Vec::new();
            let mut tries = 0;
            loop {
                let member = match pick(shared, &info, &tried) {
                    Ok(member) => member,
                    // Every endpoint was tried: start over among all.
                    Err(_) if !tried.is_empty() => {
                        tried.clear();
                        pick(shared, &info, &tried)?
                    }
                    Err(status) => return Err(status),
                };
                let result = attempt(shared, &member, &request, deadline, tries > 0).await;
                match result {
                    Err(status) if tries < retries && may_retry(shared, &status, deadline) => {
                        tracing::debug!(endpoint = %member.id, %status, "failing over");
                        tried.push(Arc::clone(&member.id));
                        tries += 1;
                        if !shared.config.retry_pause.is_zero() {
                            tokio::time::sleep(shared.config.retry_pause).await;
                        }
                    }
                    result => return result,
                }
            }
        }
        FailMode::Failbackup { delay } => backup(shared, &request, &info, deadline, delay).await,
    }
}

/// Failbackup: a second try to another endpoint when the first has not
/// answered after `delay`; the first success wins, the other is dropped
/// (which cancels it on its server).
async fn backup(
    shared: &Shared,
    request: &RawRequest,
    info: &CallInfo<'_>,
    deadline: Instant,
    delay: std::time::Duration,
) -> Result<RawReply, Status> {
    let first_member = pick(shared, info, &[])?;
    let mut first = pin!(attempt(shared, &first_member, request, deadline, false));
    let early = tokio::select! {
        result = &mut first => Some(result),
        () = tokio::time::sleep(delay) => None,
    };
    if let Some(result) = &early {
        match result {
            Err(status) if may_retry(shared, status, deadline) => {}
            _ => return early.unwrap_or_else(|| Err(Status::internal("unreachable"))),
        }
    }
    let Ok(second_member) = pick(shared, info, &[Arc::clone(&first_member.id)]) else {
        // No other endpoint: the first try is all there is.
        return match early {
            Some(result) => result,
            None => first.await,
        };
    };
    let second = attempt(shared, &second_member, request, deadline, true);
    if let Some(first_result) = early {
        return second.await.or(first_result);
    }
    let mut second = pin!(second);
    tokio::select! {
        result = &mut first => match result {
            Ok(reply) => Ok(reply),
            Err(_) => second.await,
        },
        result = &mut second => match result {
            Ok(reply) => Ok(reply),
            Err(_) => first.await,
        },
    }
}

/// Sends a oneway request to one endpoint.
pub(super) async fn send_oneway(shared: &Shared, request: RawRequest) -> Result<(), Status> {
    let info = CallInfo {
        method: &request.method,
        hash_key: request
            .options
            .hash_key
            .unwrap_or_else(|| stable_hash(&request.payload)),
    };
    let member = pick(shared, &info, &[])?;
    member.client.send_oneway(request).await
}

/// Whether another try may follow `status`.
fn may_retry(shared: &Shared, status: &Status, deadline: Instant) -> bool {
    status.is_retryable()
        && deadline.saturating_duration_since(Instant::now()) >= shared.config.min_retry_budget
}

/// The endpoint for a call, among those whose breakers allow calls and that
/// are not in `excluded`.
pub(super) fn pick(
    shared: &Shared,
    info: &CallInfo<'_>,
    excluded: &[Arc<str>],
) -> Result<Arc<Member>, Status> {
    let members = shared.pool.members();
    if members.is_empty() {
        return Err(Status::unavailable(format!(
            "no endpoint of {} is known",
            shared.service
        )));
    }
    let available: Vec<&Arc<Member>> = members
        .iter()
        .filter(|member| member.breaker.allows_calls())
        .filter(|member| !excluded.contains(&member.id))
        .collect();
    if available.is_empty() {
        return Err(Status::unavailable(format!(
            "no endpoint of {} is available ({} known, {} excluded, the rest behind open circuit breakers)",
            shared.service,
            members.len(),
            excluded.len()
        )));
    }
    let candidates: Vec<_> = available.iter().map(|member| member.candidate()).collect();
    let index = shared
        .selector
        .select(&candidates, info)
        .min(available.len() - 1);
    Ok(Arc::clone(available[index]))
}

/// One try on one endpoint with what is left of the deadline.
pub(super) async fn attempt(
    shared: &Shared,
    member: &Arc<Member>,
    request: &RawRequest,
    deadline: Instant,
    is_retry: bool,
) -> Result<RawReply, Status> {
    let remaining = deadline.saturating_duration_since(Instant::now());
    if remaining.is_zero() {
        return Err(Status::deadline_exceeded(format!(
            "{}.{}: the deadline passed before a try could start",
            shared.service, request.method
        )));
    }
    let mut request = request.clone();
    request.options.timeout = Some(remaining);
    request.options.retry |= is_retry;
    let _in_flight = member.track();
    member.breaker.on_call();
    let result = member.client.call_raw(request).await;
    member.breaker.on_result(&result);
    if let Err(status) = &result
        && status.code() != Code::Application
    {
        tracing::debug!(endpoint = %member.id, %status, "try failed");
    }
    result
}
