//! The accept loop: connection limit, one task per connection, graceful stop.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::PeerAddr;
use crate::server::admin::{MetricsRender, serve_admin};
use crate::server::announcing::{self, AnnounceGate};
use crate::server::connection::{Dispatch, Shared, serve_connection};
use crate::server::limit::Limit;
use crate::server::log_gate::LogGate;
use crate::server::metrics::ServerMetrics;
use crate::server::transport::{self, Accepted, Acceptor};
use crate::server::{Announcer, Health, OnRegistryFailure, ServerConfig, ServerHandle};

/// The first pause after a failed accept; it doubles while accepts keep failing.
const ACCEPT_PAUSE_MIN: Duration = Duration::from_millis(5);

/// The longest pause between failed accepts.
const ACCEPT_PAUSE_MAX: Duration = Duration::from_secs(1);

/// A bound listener.
pub(crate) enum Listener {
    Tcp(tokio::net::TcpListener),
    #[cfg(unix)]
    Unix(tokio::net::UnixListener, std::path::PathBuf),
}

/// What the builder hands to the accept loop.
pub(crate) struct Parts {
    pub(crate) config: ServerConfig,
    pub(crate) dispatch: Dispatch,
    pub(crate) services: Vec<&'static str>,
    pub(crate) announcer: Option<Arc<dyn Announcer>>,
    pub(crate) on_registry_failure: OnRegistryFailure,
    pub(crate) http: Option<Arc<dyn crate::server::HttpHandler>>,
    pub(crate) health: Health,
    pub(crate) admin: Option<AdminParts>,
    /// Cancelled once the server has stopped (stops the admin listener).
    pub(crate) stopped: CancellationToken,
    pub(crate) tls: Option<Acceptor>,
}

/// The admin listener asked for.
pub(crate) struct AdminParts {
    pub(crate) addr: std::net::SocketAddr,
    pub(crate) render: Option<MetricsRender>,
}

/// Starts the accept loop (and the admin listener, if asked) in the
/// background, then announces the server.
pub(crate) async fn start(listener: Listener, mut parts: Parts) -> std::io::Result<ServerHandle> {
    let addr = match &listener {
        Listener::Tcp(tcp) => tcp
            .local_addr()
            .map(PeerAddr::Tcp)
            .unwrap_or(PeerAddr::Unix(None)),
        #[cfg(unix)]
        Listener::Unix(_, path) => PeerAddr::Unix(Some(path.clone())),
    };
    let announcer = parts.announcer.clone();
    let services = parts.services.clone();
    let shutdown = CancellationToken::new();
    let health = parts.health.clone();
    let mut admin_addr = None;
    if let Some(admin) = parts.admin.take() {
        let admin_listener = tokio::net::TcpListener::bind(admin.addr).await?;
        admin_addr = admin_listener.local_addr().ok();
        // The admin listener outlives the RPC listener: `/ready` says 503
        // while the server drains, and stops with the server.
        tokio::spawn(serve_admin(
            admin_listener,
            health.clone(),
            admin.render,
            parts.stopped.clone(),
        ));
    }
    // Accept first: a slow or frozen registry delays the announcement (and
    // the return of `bind`), never the serving of clients that already know
    // the address.
    let gate = AnnounceGate::default();
    let policy = parts.on_registry_failure;
    let task = tokio::spawn(accept_loop(
        listener,
        addr.clone(),
        parts,
        shutdown.clone(),
        gate.clone(),
    ));
    if let Some(announcer) = announcer {
        let announced = announcing::announce(
            announcer,
            addr.clone(),
            services,
            policy,
            shutdown.clone(),
            gate,
            health.clone(),
        );
        if let Err(error) = announced.await {
            // Stop as a shutdown would (withdrawing what was announced).
            shutdown.cancel();
            let _ = task.await;
            return Err(std::io::Error::other(error));
        }
    } else {
        health.set_announced();
    }
    Ok(ServerHandle::new(addr, shutdown, task, health, admin_addr))
}

async fn accept_loop(
    listener: Listener,
    addr: PeerAddr,
    parts: Parts,
    shutdown: CancellationToken,
    announce_gate: AnnounceGate,
) {
    let Parts {
        config,
        dispatch,
        services,
        announcer,
        on_registry_failure: _,
        http,
        health,
        admin: _,
        stopped,
        tls,
    } = parts;
    let metrics = if config.instrument {
        ServerMetrics::new()
    } else {
        ServerMetrics::noop()
    };
    let connections = Limit::new(config.max_connections);
    let shared = Arc::new(Shared {
        calls: Limit::new(config.max_calls),
        inflight_bytes: Limit::new(config.max_inflight_bytes),
        inflating: Arc::new(tokio::sync::Semaphore::new(config.max_inflating.max(1))),
        config,
        bad_frames_log: LogGate::new(Duration::from_secs(1)),
        http,
        metrics,
    });
    let tracker = TaskTracker::new();
    let accept_errors_log = LogGate::new(Duration::from_secs(1));
    let refused_log = LogGate::new(Duration::from_secs(1));
    let mut accept_pause = ACCEPT_PAUSE_MIN;
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = accept(&listener) => accepted,
        };
        let (socket, peer) = match accepted {
            Ok(accepted) => {
                accept_pause = ACCEPT_PAUSE_MIN;
                accepted
            }
            Err(error) => {
                // Out of file descriptors and the like: back off rather than
                // spin, and say so once a second, not once an attempt.
                if let Some(suppressed) = accept_errors_log.pass() {
                    tracing::warn!(%error, suppressed, pause = ?accept_pause, "accept failed");
                }
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(accept_pause) => {}
                }
                accept_pause = (accept_pause * 2).min(ACCEPT_PAUSE_MAX);
                continue;
            }
        };
        let Some(permit) = connections.try_take() else {
            shared.metrics.connections_refused.increment(1);
            if let Some(suppressed) = refused_log.pass() {
                tracing::warn!(%peer, limit = shared.config.max_connections, suppressed, "connection limit reached; closing new connections");
            }
            continue;
        };
        tracing::debug!(%peer, "connection accepted");
        shared.metrics.connections_accepted.increment(1);
        shared.metrics.connections_open.increment(1.0);
        let shared = Arc::clone(&shared);
        let dispatch = dispatch.clone();
        let shutdown = shutdown.clone();
        let tls = tls.clone();
        tracker.spawn(async move {
            let metrics = Arc::clone(&shared);
            // The first byte and the TLS handshake on this task, never on
            // the accept loop.
            // Silent before its first byte is idle too: whichever limit
            // the watchdog would apply first.
            let limit = shared
                .config
                .first_frame_timeout
                .min(shared.config.idle_timeout);
            // A shutdown ends the wait too: a silent connection never holds
            // the drain.
            let opened = tokio::select! {
                opened = transport::open(socket, tls.as_ref(), limit) => opened,
                () = shutdown.cancelled() => Err("the server shut down before the connection's first byte".to_owned()),
            };
            match opened {
                Ok(opened) => {
                    serve_connection(
                        opened.reader,
                        opened.writer,
                        peer,
                        opened.peer_certificate,
                        shared,
                        dispatch,
                        shutdown,
                    )
                    .await;
                }
                Err(reason) => {
                    tracing::info!(%peer, %reason, "connection refused before its first frame")
                }
            }
            metrics.metrics.connections_open.decrement(1.0);
            drop(permit);
        });
    }
    // Not ready from now on (the handle said so already when it started
    // the shutdown). Leave the registry first, so clients stop choosing this
    // server while it still answers; then stop accepting, so no connection
    // arrives mid-drain.
    health.set_draining();
    if let Some(announcer) = &announcer {
        let _no_retry = announce_gate.lock().await;
        announcer.withdraw(addr, services).await;
    }
    #[cfg(unix)]
    let socket_path = match &listener {
        Listener::Unix(_, path) => Some(path.clone()),
        Listener::Tcp(_) => None,
    };
    drop(listener);
    tracker.close();
    tracker.wait().await;
    #[cfg(unix)]
    if let Some(path) = socket_path {
        let _ = std::fs::remove_file(path);
    }
    stopped.cancel();
}

async fn accept(listener: &Listener) -> std::io::Result<(Accepted, PeerAddr)> {
    match listener {
        Listener::Tcp(tcp) => {
            let (stream, peer) = tcp.accept().await?;
            stream.set_nodelay(true)?;
            Ok((Accepted::Tcp(stream), PeerAddr::Tcp(peer)))
        }
        #[cfg(unix)]
        Listener::Unix(unix, _) => {
            let (stream, peer) = unix.accept().await?;
            let path = peer.as_pathname().map(ToOwned::to_owned);
            Ok((Accepted::Unix(stream), PeerAddr::Unix(path)))
        }
    }
}
