//! One call through the XClient: pick an endpoint, try, and apply the fail
//! mode to failures.
//!
//! The common path (first try succeeds, breaker closed) reads the clock
//! once, takes no lock (the pool's read lock aside) and clones the request
//! only when the fail mode could send it again: `Client::call_raw` consumes
//! the request it sends, so a copy for a retry must exist before the first
//! try. Failfast, a request that is itself a retry, and modes with no
//! retries send the caller's request as it is, and the last try of every
//! mode sends the kept copy rather than a clone of it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rpc_core::{Code, Status};

use super::chosen::Chosen;
use super::pool::CallCandidates;
use super::retry::{GiveUp, Retries, may_try_again};
use super::selector::CallInfo;
use super::window::Tick;
use super::{FailMode, Shared};
use crate::{Channel, RawReply, RawRequest};

/// When a call started and how long it may take, every try included.
#[derive(Debug, Clone, Copy)]
pub(super) struct CallClock {
    pub(super) started: Instant,
    /// `started` as the breakers and the retry budget count it.
    pub(super) tick: Tick,
    pub(super) timeout: Duration,
}

impl CallClock {
    /// A call of `request` starts now.
    pub(super) fn start(shared: &Shared, request: &RawRequest) -> CallClock {
        let started = Instant::now();
        CallClock {
            started,
            tick: Tick::of(started),
            timeout: request.options.timeout.unwrap_or(shared.config.timeout),
        }
    }

    /// When the call must be over.
    pub(super) fn deadline(&self) -> Instant {
        self.started + self.timeout
    }
}

/// What the selector sees of `request`.
pub(super) fn call_info(request: &RawRequest) -> CallInfo<'_> {
    CallInfo::new(&request.method, &request.payload, request.options.hash_key)
}

/// A call of `request` starts: its clock, its count in the retry budget,
/// and the fail mode it runs under. `XClient::call_raw` then awaits the
/// mode's own function.
pub(super) fn start(shared: &Shared, request: &RawRequest) -> (CallClock, FailMode) {
    let clock = CallClock::start(shared, request);
    shared.retry_budget.record_call(clock.tick);
    // A request that is itself a retry is tried once: only the outermost
    // caller of a chain retries.
    let mode = if request.options.retry {
        FailMode::Failfast
    } else {
        shared.config.fail_mode
    };
    (clock, mode)
}

/// Failfast (and modes without retries): one try.
pub(super) async fn failfast(
    shared: &Shared,
    mut request: RawRequest,
    clock: CallClock,
) -> Result<RawReply, Status> {
    let mut chosen = pick(shared, &call_info(&request), &[])?;
    // `attempt` written out: one async level (and request copy) less.
    let start = begin_try(shared, &mut request, clock, false)?;
    let result = chosen.member.client.call_raw(request).await;
    end_try(shared, &mut chosen, &result, start);
    result
}

/// Failtry: the same endpoint again, while its breaker lets calls through.
pub(super) async fn failtry(
    shared: &Shared,
    request: RawRequest,
    clock: CallClock,
    retries: u32,
) -> Result<RawReply, Status> {
    let mut chosen = pick(shared, &call_info(&request), &[])?;
    let mut made = 0;
    loop {
        let counted = Retries {
            made,
            allowed: retries,
        };
        if made == retries {
            // The last try: the kept request itself goes.
            let result = attempt(shared, &mut chosen, request, clock, true).await;
            return result.map_err(|status| last_failure(shared, status, clock, counted));
        }
        // A copy goes, the request stays for the next try. `attempt`
        // written out: one async level (and request copy) less per call.
        let mut this_try = request.clone();
        let result = match begin_try(shared, &mut this_try, clock, made > 0) {
            Ok(start) => {
                let result = chosen.member.client.call_raw(this_try).await;
                end_try(shared, &mut chosen, &result, start);
                result
            }
            Err(status) => Err(status),
        };
        let status = match result {
            Ok(reply) => return Ok(reply),
            Err(status) => status,
        };
        if let Err(give_up) = may_try_again(shared, Some(&status), clock.deadline(), counted) {
            return Err(give_up.into_status(status));
        }
        let Some(again) = Chosen::admit(&chosen.member, chosen.is_counted()) else {
            // Its breaker opened: this endpoint is out for now.
            return Err(GiveUp::Spent.into_status(status));
        };
        chosen = again;
        made += 1;
    }
}

/// Failover: another endpoint (one not tried yet, while there is one).
pub(super) async fn failover(
    shared: &Shared,
    request: RawRequest,
    clock: CallClock,
    retries: u32,
) -> Result<RawReply, Status> {
    // Allocates only once a try has failed.
    let mut tried: Vec<Arc<str>> = Vec::new();
    let mut made = 0;
    loop {
        let mut chosen = match pick(shared, &call_info(&request), &tried) {
            Ok(chosen) => chosen,
            // Every endpoint was tried: start over among all.
            Err(_) if !tried.is_empty() => {
                tried.clear();
                pick(shared, &call_info(&request), &tried)?
            }
            Err(status) => return Err(status),
        };
        let counted = Retries {
            made,
            allowed: retries,
        };
        if made == retries {
            // The last try: the kept request itself goes.
            let result = attempt(shared, &mut chosen, request, clock, made > 0).await;
            return result.map_err(|status| last_failure(shared, status, clock, counted));
        }
        // A copy goes, the request stays for the next try. `attempt`
        // written out: one async level (and request copy) less per call.
        let mut this_try = request.clone();
        let result = match begin_try(shared, &mut this_try, clock, made > 0) {
            Ok(start) => {
                let result = chosen.member.client.call_raw(this_try).await;
                end_try(shared, &mut chosen, &result, start);
                result
            }
            Err(status) => Err(status),
        };
        let status = match result {
            Ok(reply) => return Ok(reply),
            Err(status) => status,
        };
        if let Err(give_up) = may_try_again(shared, Some(&status), clock.deadline(), counted) {
            return Err(give_up.into_status(status));
        }
        tracing::debug!(endpoint = %chosen.member.id, %status, "failing over");
        tried.push(Arc::clone(&chosen.member.id));
        drop(chosen);
        made += 1;
        if !shared.config.retry_pause.is_zero() {
            tokio::time::sleep(shared.config.retry_pause).await;
        }
    }
}

/// The status a call ends with when its last allowed try failed with
/// `status`: marked "no more retry" if a retry would otherwise have been
/// allowed (the same rule as [`may_try_again`], which grants nothing here
/// since no retry is left).
fn last_failure(shared: &Shared, status: Status, clock: CallClock, retries: Retries) -> Status {
    match may_try_again(shared, Some(&status), clock.deadline(), retries) {
        Err(give_up) => give_up.into_status(status),
        Ok(()) => status,
    }
}

/// Sends a oneway request to one endpoint.
pub(super) async fn send_oneway(shared: &Shared, request: RawRequest) -> Result<(), Status> {
    let chosen = pick(shared, &call_info(&request), &[])?;
    chosen.member.client.send_oneway(request).await
}

/// The endpoint for a call, among those whose breakers allow calls and that
/// are not in `excluded`, admitted by its breaker.
pub(super) fn pick(
    shared: &Shared,
    info: &CallInfo<'_>,
    excluded: &[Arc<str>],
) -> Result<Chosen, Status> {
    shared.pool.with_members(|members| {
        if members.is_empty() {
            return Err(Status::unavailable(format!(
                "no endpoint of {} is known",
                shared.service
            )));
        }
        let candidates = CallCandidates { members, excluded };
        // A chosen endpoint can refuse only if another call just took its
        // half-open probe; it then reads unavailable and the next pick
        // moves on.
        for _ in 0..3 {
            let Some(member) = shared
                .selector
                .select(&candidates, info)
                .and_then(|index| members.get(index))
            else {
                break;
            };
            if let Some(chosen) = Chosen::admit(member, shared.counts_in_flight) {
                return Ok(chosen);
            }
        }
        Err(Status::unavailable(format!(
            "no endpoint of {} is available ({} known, {} excluded, the rest behind open circuit breakers)",
            shared.service,
            members.len(),
            excluded.len()
        )))
    })
}

/// When a try began, as its end needs it.
#[derive(Debug, Clone, Copy)]
pub(super) struct TryStart {
    started: Instant,
    tick: Tick,
}

/// Readies `request` for a try with what is left of the deadline. The first
/// try of a call (`is_retry` false) has the whole timeout and reads no
/// clock; a retry carries the retry flag.
pub(super) fn begin_try(
    shared: &Shared,
    request: &mut RawRequest,
    clock: CallClock,
    is_retry: bool,
) -> Result<TryStart, Status> {
    let (started, tick, remaining) = if is_retry {
        let now = Instant::now();
        let remaining = clock.deadline().saturating_duration_since(now);
        (now, Tick::of(now), remaining)
    } else {
        (clock.started, clock.tick, clock.timeout)
    };
    if remaining.is_zero() {
        return Err(Status::deadline_exceeded(format!(
            "{}.{}: the deadline passed before a try could start",
            shared.service, request.method
        )));
    }
    request.options.timeout = Some(remaining);
    request.options.retry |= is_retry;
    Ok(TryStart { started, tick })
}

/// The try on `chosen` that began at `start` ended with `result`: its
/// breaker hears of it, and failbackup's latency estimate if in use.
pub(super) fn end_try(
    shared: &Shared,
    chosen: &mut Chosen,
    result: &Result<RawReply, Status>,
    start: TryStart,
) {
    chosen.settle(result, start.tick);
    match result {
        Ok(_) => {
            if let Some(latency) = &shared.latency {
                latency.record(start.started.elapsed());
            }
        }
        Err(status) if status.code() != Code::Application => {
            tracing::debug!(endpoint = %chosen.member.id, %status, "try failed");
        }
        Err(_) => {}
    }
}

/// One try on `chosen` ([`begin_try`], the call, [`end_try`]). Dropping
/// the future cancels the call; `chosen` then releases a probe.
pub(super) async fn attempt(
    shared: &Shared,
    chosen: &mut Chosen,
    mut request: RawRequest,
    clock: CallClock,
    is_retry: bool,
) -> Result<RawReply, Status> {
    let start = begin_try(shared, &mut request, clock, is_retry)?;
    let result = chosen.member.client.call_raw(request).await;
    end_try(shared, chosen, &result, start);
    result
}
