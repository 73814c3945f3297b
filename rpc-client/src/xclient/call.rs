//! One call through the XClient: pick an endpoint, try, and apply the fail
//! mode to failures.

use std::sync::Arc;
use std::time::Instant;

use rpc_core::{Code, Status};

use super::backup::backup;
use super::breaker::BreakerPermit;
use super::pool::{CallCandidates, Member};
use super::retry::{Retries, may_try_again};
use super::selector::CallInfo;
use super::{FailMode, Shared};
use crate::{Channel, RawReply, RawRequest};

/// Runs `request` under the client's fail mode.
pub(super) async fn call(shared: &Shared, request: RawRequest) -> Result<RawReply, Status> {
    let timeout = request.options.timeout.unwrap_or(shared.config.timeout);
    let deadline = Instant::now() + timeout;
    shared.retry_budget.record_call();
    let info = CallInfo::new(&request.method, &request.payload, request.options.hash_key);
    // A request that is itself a retry is tried once: only the outermost
    // caller of a chain retries.
    let mode = if request.options.retry {
        FailMode::Failfast
    } else {
        shared.config.fail_mode
    };
    match mode {
        FailMode::Failfast => {
            let chosen = pick(shared, &info, &[])?;
            attempt(shared, chosen, &request, deadline, false).await
        }
        FailMode::Failtry { retries } => failtry(shared, &request, &info, deadline, retries).await,
        FailMode::Failover { retries } => {
            failover(shared, &request, &info, deadline, retries).await
        }
        FailMode::Failbackup { delay } => backup(shared, &request, &info, deadline, delay).await,
    }
}

/// Failtry: the same endpoint again, while its breaker lets calls through.
async fn failtry(
    shared: &Shared,
    request: &RawRequest,
    info: &CallInfo<'_>,
    deadline: Instant,
    retries: u32,
) -> Result<RawReply, Status> {
    let chosen = pick(shared, info, &[])?;
    let member = Arc::clone(&chosen.member);
    let mut made = 0;
    let mut result = attempt(shared, chosen, request, deadline, false).await;
    loop {
        let status = match result {
            Ok(reply) => return Ok(reply),
            Err(status) => status,
        };
        let retries = Retries {
            made,
            allowed: retries,
        };
        if let Err(give_up) = may_try_again(shared, Some(&status), deadline, retries) {
            return Err(give_up.into_status(status));
        }
        let Some(permit) = member.breaker.try_acquire() else {
            // Its breaker opened: this endpoint is out for now.
            return Err(super::retry::GiveUp::Spent.into_status(status));
        };
        made += 1;
        let chosen = Chosen {
            member: Arc::clone(&member),
            permit,
        };
        result = attempt(shared, chosen, request, deadline, true).await;
    }
}

/// Failover: another endpoint (one not tried yet, while there is one).
async fn failover(
    shared: &Shared,
    request: &RawRequest,
    info: &CallInfo<'_>,
    deadline: Instant,
    retries: u32,
) -> Result<RawReply, Status> {
    // Allocates only once a try has failed.
    let mut tried: Vec<Arc<str>> = Vec::new();
    let mut made = 0;
    loop {
        let chosen = match pick(shared, info, &tried) {
            Ok(chosen) => chosen,
            // Every endpoint was tried: start over among all.
            Err(_) if !tried.is_empty() => {
                tried.clear();
                pick(shared, info, &tried)?
            }
            Err(status) => return Err(status),
        };
        let id = Arc::clone(&chosen.member.id);
        let status = match attempt(shared, chosen, request, deadline, made > 0).await {
            Ok(reply) => return Ok(reply),
            Err(status) => status,
        };
        let counted = Retries {
            made,
            allowed: retries,
        };
        if let Err(give_up) = may_try_again(shared, Some(&status), deadline, counted) {
            return Err(give_up.into_status(status));
        }
        tracing::debug!(endpoint = %id, %status, "failing over");
        tried.push(id);
        made += 1;
        if !shared.config.retry_pause.is_zero() {
            tokio::time::sleep(shared.config.retry_pause).await;
        }
    }
}

/// Sends a oneway request to one endpoint.
pub(super) async fn send_oneway(shared: &Shared, request: RawRequest) -> Result<(), Status> {
    let info = CallInfo::new(&request.method, &request.payload, request.options.hash_key);
    let chosen = pick(shared, &info, &[])?;
    chosen.member.client.send_oneway(request).await
}

/// An endpoint admitted for one try: its breaker's permit travels with it.
pub(super) struct Chosen {
    pub(super) member: Arc<Member>,
    pub(super) permit: BreakerPermit,
}

/// The endpoint for a call, among those whose breakers allow calls and that
/// are not in `excluded`, admitted by its breaker.
pub(super) fn pick(
    shared: &Shared,
    info: &CallInfo<'_>,
    excluded: &[Arc<str>],
) -> Result<Chosen, Status> {
    let members = shared.pool.members();
    if members.is_empty() {
        return Err(Status::unavailable(format!(
            "no endpoint of {} is known",
            shared.service
        )));
    }
    let candidates = CallCandidates {
        members: &members,
        excluded,
    };
    // A chosen endpoint can refuse only if another call just took its
    // half-open probe; it then reads unavailable and the next pick moves on.
    for _ in 0..3 {
        let Some(member) = shared
            .selector
            .select(&candidates, info)
            .and_then(|index| members.get(index))
        else {
            break;
        };
        if let Some(permit) = member.breaker.try_acquire() {
            return Ok(Chosen {
                member: Arc::clone(member),
                permit,
            });
        }
    }
    Err(Status::unavailable(format!(
        "no endpoint of {} is available ({} known, {} excluded, the rest behind open circuit breakers)",
        shared.service,
        members.len(),
        excluded.len()
    )))
}

/// One try on one endpoint with what is left of the deadline. Dropping the
/// future cancels the call and releases a breaker probe.
pub(super) async fn attempt(
    shared: &Shared,
    chosen: Chosen,
    request: &RawRequest,
    deadline: Instant,
    is_retry: bool,
) -> Result<RawReply, Status> {
    let Chosen { member, permit } = chosen;
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
    let started = Instant::now();
    let result = member.client.call_raw(request).await;
    permit.record(&result);
    match &result {
        Ok(_) => {
            if let Some(latency) = &shared.latency {
                latency.record(started.elapsed());
            }
        }
        Err(status) if status.code() != Code::Application => {
            tracing::debug!(endpoint = %member.id, %status, "try failed");
        }
        Err(_) => {}
    }
    result
}
