//! [`ServerHandle`]: a running server's address and its shutdown switch.

use std::net::SocketAddr;

use futures_util::FutureExt;
use futures_util::future::Shared;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::server::Health;
use crate::{BoxFuture, PeerAddr};

/// A server serving in the background.
///
/// Dropping the handle does not stop the server; [`ServerHandle::shutdown`]
/// does, gracefully: the listener closes at once, connections answer new
/// calls with `unavailable`, calls in flight get the grace period to finish
/// and are then cancelled with a `cancelled` answer, and connections close.
#[derive(Clone)]
pub struct ServerHandle {
    addr: PeerAddr,
    shutdown: CancellationToken,
    finished: Shared<BoxFuture<()>>,
    health: Health,
    admin_addr: Option<SocketAddr>,
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addr", &self.addr)
            .field("shutting_down", &self.shutdown.is_cancelled())
            .finish()
    }
}

impl ServerHandle {
    pub(crate) fn new(
        addr: PeerAddr,
        shutdown: CancellationToken,
        task: JoinHandle<()>,
        health: Health,
        admin_addr: Option<SocketAddr>,
    ) -> ServerHandle {
        let finished: BoxFuture<()> = Box::pin(task.map(drop));
        ServerHandle {
            addr,
            shutdown,
            finished: finished.shared(),
            health,
            admin_addr,
        }
    }

    /// The health this server reports (`rpc.Health/Check`, `/ready`): set
    /// a service not serving with [`Health::set_serving`].
    pub fn health(&self) -> &Health {
        &self.health
    }

    /// The admin listener's address, if one was asked for
    /// ([`ServerBuilder::admin`](crate::server::ServerBuilder::admin)).
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_addr
    }

    /// The address the server listens on.
    pub fn addr(&self) -> &PeerAddr {
        &self.addr
    }

    /// The TCP address the server listens on (with the real port when port 0
    /// was asked for); `None` for a Unix socket.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        match self.addr {
            PeerAddr::Tcp(addr) => Some(addr),
            PeerAddr::Unix(_) => None,
        }
    }

    /// Starts a graceful shutdown and returns at once.
    pub fn shutdown(&self) {
        // Not ready at once, before the listener closes.
        self.health.set_draining();
        self.shutdown.cancel();
    }

    /// Waits until the server has stopped (after a shutdown).
    pub async fn stopped(&self) {
        self.finished.clone().await;
    }

    /// Shuts down gracefully and waits until every connection is closed.
    pub async fn shutdown_and_wait(&self) {
        self.shutdown();
        self.stopped().await;
    }
}
