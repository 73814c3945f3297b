//! Broadcast (every endpoint must succeed) and fork (first success wins).

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use rpc_core::Status;

use super::Shared;
use super::call::{CallClock, attempt};
use super::chosen::Chosen;
use crate::{RawReply, RawRequest};

/// Sends `request` to every available endpoint at once. Every reply, in
/// endpoint order, if all succeed; otherwise the first failure.
pub(super) async fn broadcast(
    shared: &Shared,
    request: RawRequest,
) -> Result<Vec<(String, RawReply)>, Status> {
    let clock = CallClock::start(shared, &request);
    let mut admitted = admitted(shared)?;
    let tries = admitted.iter_mut().map(|chosen| {
        let request = request.clone();
        async move {
            let result = attempt(shared, chosen, request, clock, false).await;
            let id = &chosen.member().id;
            result
                .map(|reply| (id.to_string(), reply))
                .map_err(|status| {
                    Status::new(status.code(), format!("{}: {}", id, status.message()))
                        .with_origin(status.origin())
                })
        }
    });
    futures_util::future::join_all(tries)
        .await
        .into_iter()
        .collect()
}

/// Sends `request` to every available endpoint at once; the first success
/// wins and the other tries are dropped (cancelled on their servers). If all
/// fail, the last failure.
pub(super) async fn fork(shared: &Shared, request: RawRequest) -> Result<RawReply, Status> {
    let clock = CallClock::start(shared, &request);
    let mut admitted = admitted(shared)?;
    let mut tries: FuturesUnordered<_> = admitted
        .iter_mut()
        .map(|chosen| attempt(shared, chosen, request.clone(), clock, false))
        .collect();
    let mut last_error = None;
    while let Some(result) = tries.next().await {
        match result {
            Ok(reply) => return Ok(reply),
            Err(status) => last_error = Some(status),
        }
    }
    Err(last_error.unwrap_or_else(|| Status::unavailable("no endpoint answered")))
}

/// Every endpoint whose breaker admits a call now (a half-open one as its
/// probe).
fn admitted(shared: &Shared) -> Result<Vec<Chosen>, Status> {
    let members: Vec<Chosen> = shared.pool.with_members(|members| {
        (0..members.len())
            .filter_map(|index| Chosen::admit(members, index, shared.counts_in_flight))
            .collect()
    });
    if members.is_empty() {
        return Err(Status::unavailable(format!(
            "no endpoint of {} is available",
            shared.service
        )));
    }
    Ok(members)
}
