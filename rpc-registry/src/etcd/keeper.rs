//! The keeper task of an [`EtcdRegistry`](super::EtcdRegistry): keeps its
//! lease alive, checks its keys, and writes them again under a new lease
//! once etcd says the old one is gone.
//!
//! Two kinds of trouble are told apart. A request that failed (a member
//! died, a stream broke, no answer in time) says nothing about the lease:
//! etcd keeps it until its TTL runs out, so the keeper retries, on whichever
//! member answers, until then. Only etcd saying the lease is gone (a
//! keep-alive answered with TTL 0, "lease not found"), or the TTL running
//! out with no keep-alive answered, means the keys are gone with it; then a
//! new lease is requested at once, with backoff only while etcd does not
//! answer, and the backoff starts over once the keys are written again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use etcd_client::{LeaseKeepAliveStream, LeaseKeeper};

use super::registry::{Shared, grant, put};
use super::retry_delay;

/// The pause before retrying a failed keep-alive or key check while the
/// lease still lasts: short, so that a retry (likely on another member)
/// happens well within the TTL.
const RETRY_PAUSE: Duration = Duration::from_millis(200);

pub(super) async fn keeper_loop(shared: Arc<Shared>) {
    // Consecutive failed attempts to obtain a new lease: what the backoff
    // grows with. Reset once a lease is granted and every key written.
    let mut failed_renewals: u32 = 0;
    loop {
        let wanted = {
            let state = shared.state.lock().await;
            (!state.keys.is_empty()).then_some(state.lease)
        };
        match wanted {
            None => shared.wake.notified().await,
            Some(None) => match renew(&shared).await {
                Ok(()) => failed_renewals = 0,
                Err(error) => {
                    failed_renewals += 1;
                    let pause = retry_delay(failed_renewals);
                    tracing::warn!(%error, ?pause, "cannot register with etcd; retrying");
                    tokio::time::sleep(pause).await;
                }
            },
            Some(Some((lease, expires))) => {
                if let LeaseEnd::Lost(reason) = keep_alive(&shared, lease, expires).await {
                    tracing::warn!(lease, %reason, "etcd lease lost; registering again under a new lease");
                    metrics::counter!("rpc_registry_leases_lost_total").increment(1);
                    let mut state = shared.state.lock().await;
                    if state.lease.is_some_and(|(current, _)| current == lease) {
                        state.lease = None;
                    }
                    // No pause: the first attempt after a loss is immediate,
                    // the keys are missing from discovery until it is done.
                }
            }
        }
    }
}

/// Obtains a new lease and writes every wanted key under it.
async fn renew(shared: &Shared) -> Result<(), etcd_client::Error> {
    let mut state = shared.state.lock().await;
    if state.keys.is_empty() {
        state.lease = None;
        return Ok(());
    }
    let (lease, expires) = grant(shared).await?;
    for (key, value) in &state.keys {
        put(shared, key, value, lease).await?;
    }
    state.lease = Some((lease, expires));
    metrics::counter!("rpc_registry_registrations_total", "reason" => "new_lease")
        .increment(state.keys.len() as u64);
    tracing::info!(
        lease,
        keys = state.keys.len(),
        "registered keys written under a new lease"
    );
    Ok(())
}

enum LeaseEnd {
    /// etcd no longer has the lease, or its TTL ran out unanswered.
    Lost(String),
    /// The keys or the lease changed under us: look again.
    KeysChanged,
}

/// Why a keep-alive did not refresh the lease.
enum Failure {
    /// etcd says the lease does not exist (any more).
    Gone,
    /// The request failed; the lease may well be alive.
    Request(String),
}

/// Whether `error` is etcd saying the lease does not exist, as opposed to a
/// request that failed on its way.
fn is_lease_gone(error: &etcd_client::Error) -> bool {
    match error {
        etcd_client::Error::LeaseKeepAliveError(message) => message == "lease not found",
        etcd_client::Error::GRpcStatus(status) => status.message().contains("lease not found"),
        _ => false,
    }
}

/// Keeps `lease` alive until it is lost or the set of keys changes, and
/// checks the keys themselves once per TTL. `expires` is when etcd will
/// expire the lease unless refreshed.
async fn keep_alive(shared: &Shared, lease: i64, expires: Instant) -> LeaseEnd {
    let ttl = shared.config.ttl.max(Duration::from_secs(1));
    let interval = ttl / 3;
    let answer_wait = interval.max(Duration::from_millis(500));
    let mut deadline = expires;
    let mut stream = None;
    let mut rounds: u32 = 0;
    loop {
        let refreshed = refresh(shared, lease, &mut stream, answer_wait).await;
        let result = if refreshed.is_ok() { "ok" } else { "failed" };
        metrics::counter!("rpc_registry_lease_renewals_total", "result" => result).increment(1);
        match refreshed {
            Ok(until) => {
                deadline = deadline.max(until);
                // Kept for the next keep_alive after a change of keys.
                if let Some((current, expires)) = &mut shared.state.lock().await.lease
                    && *current == lease
                {
                    *expires = deadline;
                }
            }
            Err(Failure::Gone) => return LeaseEnd::Lost("etcd no longer knows the lease".into()),
            Err(Failure::Request(reason)) => {
                stream = None;
                if Instant::now() >= deadline {
                    return LeaseEnd::Lost(format!(
                        "its TTL ran out with no keep-alive answered (last: {reason})"
                    ));
                }
                tracing::info!(lease, %reason, "keep-alive failed; retrying while the lease lasts");
                tokio::time::sleep(RETRY_PAUSE).await;
                if keys_changed(shared, lease).await {
                    return LeaseEnd::KeysChanged;
                }
                continue;
            }
        }
        rounds = rounds.wrapping_add(1);
        if rounds.is_multiple_of(3) {
            match reconcile(shared, lease).await {
                Ok(()) => {}
                Err(error) if is_lease_gone(&error) => {
                    return LeaseEnd::Lost("etcd no longer knows the lease (writing a key)".into());
                }
                Err(error) => {
                    tracing::info!(lease, %error, "checking the keys failed; checking again next round");
                    rounds = rounds.wrapping_sub(1);
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            () = shared.wake.notified() => {}
        }
        if keys_changed(shared, lease).await {
            return LeaseEnd::KeysChanged;
        }
    }
}

async fn keys_changed(shared: &Shared, lease: i64) -> bool {
    let state = shared.state.lock().await;
    state.keys.is_empty() || state.lease.is_none_or(|(current, _)| current != lease)
}

/// One keep-alive of `lease`, on `stream` (opened first if there is none).
/// Returns until when etcd now keeps the lease.
async fn refresh(
    shared: &Shared,
    lease: i64,
    stream: &mut Option<(LeaseKeeper, LeaseKeepAliveStream)>,
    answer_wait: Duration,
) -> Result<Instant, Failure> {
    let sent = Instant::now();
    let Some((keeper, answers)) = stream else {
        // Opening the stream sends a keep-alive and waits for its answer;
        // a new stream may go to another member than a broken one did.
        let mut client = shared.client.clone();
        return match tokio::time::timeout(answer_wait, client.lease_keep_alive(lease)).await {
            Err(_) => Err(Failure::Request("no answer in time".into())),
            Ok(Err(error)) if is_lease_gone(&error) => Err(Failure::Gone),
            Ok(Err(error)) => Err(Failure::Request(error.to_string())),
            Ok(Ok(opened)) => {
                *stream = Some(opened);
                // etcd refreshed it to at least the TTL asked for.
                Ok(sent + shared.config.ttl.max(Duration::from_secs(1)))
            }
        };
    };
    if let Err(error) = keeper.keep_alive().await {
        return Err(Failure::Request(format!("sending: {error}")));
    }
    match tokio::time::timeout(answer_wait, answers.message()).await {
        Ok(Ok(Some(answer))) if answer.ttl() > 0 => {
            Ok(sent + Duration::from_secs(answer.ttl().unsigned_abs()))
        }
        Ok(Ok(Some(_))) => Err(Failure::Gone),
        Ok(Ok(None)) => Err(Failure::Request("keep-alive stream closed".into())),
        Ok(Err(error)) => Err(Failure::Request(error.to_string())),
        Err(_) => Err(Failure::Request("no answer in time".into())),
    }
}

/// Checks that every wanted key is in etcd with its value under `lease`,
/// and writes those that are not. Keys can vanish or move without the lease
/// being lost: deleted by hand, or overwritten by a write of ours that etcd
/// applied late (a proposal forwarded across a leader change).
async fn reconcile(shared: &Shared, lease: i64) -> Result<(), etcd_client::Error> {
    let state = shared.state.lock().await;
    if state.lease.is_none_or(|(current, _)| current != lease) {
        return Ok(());
    }
    let mut client = shared.client.clone();
    for (key, value) in &state.keys {
        let response = client.get(key.as_str(), None).await?;
        let intact = response
            .kvs()
            .first()
            .is_some_and(|kv| kv.lease() == lease && kv.value() == value.as_bytes());
        if !intact {
            tracing::warn!(
                key,
                lease,
                "registered key missing or changed in etcd; writing it again"
            );
            put(shared, key, value, lease).await?;
            metrics::counter!("rpc_registry_registrations_total", "reason" => "key_repaired")
                .increment(1);
        }
    }
    Ok(())
}
