//! The first announcement of a bound server, and the background retries of
//! one that failed ([`OnRegistryFailure::KeepTrying`]).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::PeerAddr;
use crate::server::{AnnounceError, Announcer, Health, OnRegistryFailure};

/// The first pause before announcing again; it doubles after each failure.
const RETRY_PAUSE_MIN: Duration = Duration::from_millis(100);

/// The longest pause between two attempts.
const RETRY_PAUSE_MAX: Duration = Duration::from_secs(10);

/// Serialises announcements with the withdrawal at shutdown: the withdrawal
/// takes the lock, so no retry can write the server back into the registry
/// after it has left.
pub(crate) type AnnounceGate = Arc<Mutex<()>>;

/// Announces the server once, and marks `health` announced when it is. On
/// failure, logs at WARN and either returns the error (`FailStartup`) or
/// starts retrying in the background (`KeepTrying`), which marks `health`
/// announced on the first success: until then `/ready` says not ready.
pub(crate) async fn announce(
    announcer: Arc<dyn Announcer>,
    addr: PeerAddr,
    services: Vec<&'static str>,
    policy: OnRegistryFailure,
    shutdown: CancellationToken,
    gate: AnnounceGate,
    health: Health,
) -> Result<(), AnnounceError> {
    let error = match announcer.announce(addr.clone(), services.clone()).await {
        Ok(()) => {
            health.set_announced();
            return Ok(());
        }
        Err(error) => error,
    };
    match policy {
        OnRegistryFailure::FailStartup => {
            tracing::warn!(%addr, %error, "not announced to the registry: startup fails");
            Err(error)
        }
        OnRegistryFailure::KeepTrying => {
            tracing::warn!(
                %addr,
                %error,
                "not announced to the registry: serving unregistered, retrying in the background"
            );
            tokio::spawn(keep_trying(
                announcer, addr, services, shutdown, gate, health,
            ));
            Ok(())
        }
    }
}

async fn keep_trying(
    announcer: Arc<dyn Announcer>,
    addr: PeerAddr,
    services: Vec<&'static str>,
    shutdown: CancellationToken,
    gate: AnnounceGate,
    health: Health,
) {
    let mut pause = RETRY_PAUSE_MIN;
    for attempt in 2u32.. {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(pause) => {}
        }
        let _announcing = gate.lock().await;
        if shutdown.is_cancelled() {
            return;
        }
        match announcer.announce(addr.clone(), services.clone()).await {
            Ok(()) => {
                health.set_announced();
                tracing::info!(%addr, attempt, "announced to the registry after all");
                return;
            }
            Err(error) => {
                pause = (pause * 2).min(RETRY_PAUSE_MAX);
                tracing::warn!(%addr, %error, attempt, ?pause, "still not announced to the registry; retrying");
            }
        }
    }
}
