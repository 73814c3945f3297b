//! `XClient::call_raw`'s future: the whole call (metrics, fan-out, fail
//! mode, every try) in one coroutine around the `Client` call it makes.
//!
//! Why one: every level of `async fn` between the caller and
//! `Client::call_raw` stores the request once more (an `async fn` keeps its
//! arguments both as given and as locals), and its future holds the whole
//! future below it. The XClient's call future was 3,656 bytes around a
//! 1,720-byte `Client` call (failover, one level per mode, the last try
//! through `attempt`); each call builds it, copies it into the task that
//! awaits it, and touches its cache lines on every poll. Here the request
//! is stored once (the block's capture, which the last try sends itself),
//! the `Client` call is awaited directly, and what is rare (fan-out,
//! failbackup, the pause between failovers) is boxed.
//!
//! Failfast, a request that is itself a retry, and a mode with no retries
//! are one try of the request as it is; failtry and failover send a copy
//! while a retry may follow, and the request itself on the last try.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use rpc_core::{Code, Status};

use super::call::{CallClock, begin_try, call_info, end_try, last_failure, pick};
use super::chosen::Chosen;
use super::retry::{GiveUp, Retries, may_try_again};
use super::{FailMode, FanOut, Shared, backup, fan_out};
use crate::{Channel, RawReply, RawRequest};

/// The future of one call of `request` through the XClient of `shared`.
///
/// An `async` block rather than an `async fn`, so that the request is
/// stored once in it.
#[allow(clippy::manual_async_fn)]
pub(super) fn call(
    shared: &Shared,
    fan: FanOut,
    request: RawRequest,
) -> impl Future<Output = Result<RawReply, Status>> + Send + '_ {
    async move {
        // One clock read for the metrics and the call's deadline.
        let started = Instant::now();
        let result = 'call: {
            let clock = match fan {
                FanOut::Broadcast => {
                    break 'call Box::pin(fan_out::broadcast(shared, request))
                        .await
                        .map(|mut replies| replies.swap_remove(0).1);
                }
                FanOut::Fork => break 'call Box::pin(fan_out::fork(shared, request)).await,
                FanOut::One => CallClock::at(shared, &request, started),
            };
            shared.retry_budget.record_call(clock.tick);
            // A request that is itself a retry is tried once: only the
            // outermost caller of a chain retries.
            let mode = if request.options.retry {
                FailMode::Failfast
            } else {
                shared.config.fail_mode
            };
            let (retries, same_endpoint) = match mode {
                FailMode::Failfast => (0, false),
                FailMode::Failtry { retries } => (retries, true),
                FailMode::Failover { retries } => (retries, false),
                // Boxed: racing two tries makes failbackup's future by far
                // the largest, and every call would carry that size.
                FailMode::Failbackup { delay } => {
                    break 'call Box::pin(backup::backup(shared, request, clock, delay)).await;
                }
            };
            // Failover's endpoints tried so far (allocates only once a try
            // has failed); failtry's endpoint, admitted again for its next try.
            let mut tried: Vec<Arc<str>> = Vec::new();
            let mut again: Option<Chosen> = None;
            let mut made = 0;
            loop {
                let mut chosen = match again.take() {
                    Some(chosen) => chosen,
                    None => match pick(shared, &call_info(&request), &tried) {
                        Ok(chosen) => chosen,
                        // Every endpoint was tried: start over among all.
                        Err(_) if !tried.is_empty() => {
                            tried.clear();
                            match pick(shared, &call_info(&request), &tried) {
                                Ok(chosen) => chosen,
                                Err(status) => break 'call Err(status),
                            }
                        }
                        Err(status) => break 'call Err(status),
                    },
                };
                let counted = Retries {
                    made,
                    allowed: retries,
                };
                let last = made == retries;
                let result = 'try_once: {
                    // A statement of its own: a `match` on the call would
                    // keep this result's room in the future while awaiting.
                    let start = match begin_try(shared, &request, clock, made > 0) {
                        Ok(start) => start,
                        // Decided below as a failed try; on the last try
                        // that is `last_failure`'s rule.
                        Err(status) => break 'try_once Err(status),
                    };
                    if last {
                        // The last try (the only one without retries): the
                        // request itself goes.
                        let result = chosen.member().client.call_raw(start.ready(request)).await;
                        end_try(shared, &mut chosen, &result, start);
                        break 'call if retries == 0 {
                            result
                        } else {
                            result.map_err(|status| last_failure(shared, status, clock, counted))
                        };
                    }
                    // A copy goes, the request stays for the next try.
                    let this_try = start.ready(request.clone());
                    let result = chosen.member().client.call_raw(this_try).await;
                    end_try(shared, &mut chosen, &result, start);
                    result
                };
                let status = match result {
                    Ok(reply) => break 'call Ok(reply),
                    Err(status) => status,
                };
                if let Err(give_up) =
                    may_try_again(shared, Some(&status), clock.deadline(), counted)
                {
                    break 'call Err(give_up.into_status(status));
                }
                made += 1;
                if same_endpoint {
                    // Failtry: the same endpoint, while its breaker lets
                    // calls through.
                    let Some(chosen) = chosen.again() else {
                        break 'call Err(GiveUp::Spent.into_status(status));
                    };
                    again = Some(chosen);
                    continue;
                }
                // Failover: another endpoint, after the pause if any.
                tracing::debug!(endpoint = %chosen.member().id, %status, "failing over");
                tried.push(Arc::clone(&chosen.member().id));
                drop(chosen);
                if !shared.config.retry_pause.is_zero() {
                    Box::pin(tokio::time::sleep(shared.config.retry_pause)).await;
                }
            }
        };
        if let Some(metrics) = &shared.metrics {
            let code = result.as_ref().map_or_else(Status::code, |_| Code::Ok);
            metrics.calls.of(code).increment(1);
            metrics.duration.record(started.elapsed().as_secs_f64());
        }
        result
    }
}
