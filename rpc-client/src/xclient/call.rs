//! What every try of an XClient call uses: its clock, picking an endpoint,
//! readying and settling a try, and the status a call's last failure ends
//! with. The common call path itself is `call_future`.
//!
//! The common path (first try succeeds, breaker closed) reads the clock
//! once, takes no lock (the pool's read lock aside) and clones the request
//! only when the fail mode could send it again: `Client::call_raw` consumes
//! the request it sends, so a copy for a retry must exist before the first
//! try.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rpc_core::{Code, Status};

use super::Shared;
use super::chosen::Chosen;
use super::pool::CallCandidates;
use super::retry::{Retries, may_try_again};
use super::selector::CallInfo;
use super::window::Tick;
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
        CallClock::at(shared, request, Instant::now())
    }

    /// A call of `request` started at `started`.
    pub(super) fn at(shared: &Shared, request: &RawRequest, started: Instant) -> CallClock {
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

/// The status a call ends with when its last allowed try failed with
/// `status`: marked "no more retry" if a retry would otherwise have been
/// allowed (the same rule as [`may_try_again`], which grants nothing here
/// since no retry is left).
pub(super) fn last_failure(
    shared: &Shared,
    status: Status,
    clock: CallClock,
    retries: Retries,
) -> Status {
    match may_try_again(shared, Some(&status), clock.deadline(), retries) {
        Err(give_up) => give_up.into_status(status),
        Ok(()) => status,
    }
}

/// Sends a oneway request to one endpoint.
pub(super) async fn send_oneway(shared: &Shared, request: RawRequest) -> Result<(), Status> {
    let chosen = pick(shared, &call_info(&request), &[])?;
    chosen.member().client.send_oneway(request).await
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
            let Some(index) = shared.selector.select(&candidates, info) else {
                break;
            };
            if let Some(chosen) = Chosen::admit(members, index, shared.counts_in_flight) {
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

/// When a try began, as its end needs it, and what it may take.
#[derive(Debug, Clone, Copy)]
pub(super) struct TryStart {
    started: Instant,
    tick: Tick,
    /// What is left of the call's deadline.
    remaining: Duration,
    is_retry: bool,
}

impl TryStart {
    /// `request` readied for this try: what is left of the deadline as its
    /// timeout, and the retry flag on a retry.
    ///
    /// By value, so that a call's future never borrows the copy a try
    /// sends: a borrowed local keeps its room in the future while the try
    /// is awaited, even once it has been moved into it.
    pub(super) fn ready(&self, mut request: RawRequest) -> RawRequest {
        request.options.timeout = Some(self.remaining);
        request.options.retry |= self.is_retry;
        request
    }
}

/// A try of `request` may begin, with what is left of the deadline. The
/// first try of a call (`is_retry` false) has the whole timeout and reads
/// no clock.
pub(super) fn begin_try(
    shared: &Shared,
    request: &RawRequest,
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
    Ok(TryStart {
        started,
        tick,
        remaining,
        is_retry,
    })
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
            tracing::debug!(endpoint = %chosen.member().id, %status, "try failed");
        }
        Err(_) => {}
    }
}

/// One try on `chosen` ([`begin_try`], the call, [`end_try`]). Dropping
/// the future cancels the call; `chosen` then releases a probe.
pub(super) async fn attempt(
    shared: &Shared,
    chosen: &mut Chosen,
    request: RawRequest,
    clock: CallClock,
    is_retry: bool,
) -> Result<RawReply, Status> {
    let start = begin_try(shared, &request, clock, is_retry)?;
    let result = chosen.member().client.call_raw(start.ready(request)).await;
    end_try(shared, chosen, &result, start);
    result
}
