//! [`Gateway`]: serving HTTP/1.1 connections with hyper, on a server's own
//! port (as its `HttpHandler`) or on a listener of its own.

use std::convert::Infallible;
use std::sync::Arc;

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use rpc_core::server::{HttpHandler, HttpStream, LocalDispatch};
use rpc_core::{BoxFuture, PeerAddr};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::backend::Backend;
use crate::config::GatewayConfig;
use crate::handler::handle;

/// The HTTP/JSON gateway. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Gateway {
    config: Arc<GatewayConfig>,
}

impl Gateway {
    /// A gateway with these limits and CORS settings.
    pub fn new(config: GatewayConfig) -> Gateway {
        Gateway {
            config: Arc::new(config),
        }
    }

    /// Its settings.
    pub fn config(&self) -> &GatewayConfig {
        &self.config
    }

    /// Serves one connection until the peer closes it, a time limit ends
    /// it, or `shutdown` (then the request in progress is finished first).
    pub async fn serve_connection<IO>(
        &self,
        io: IO,
        peer: Option<PeerAddr>,
        backend: Arc<dyn Backend>,
        shutdown: CancellationToken,
    ) where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let config = Arc::clone(&self.config);
        let service = service_fn(move |request| {
            let (config, backend, peer) = (Arc::clone(&config), Arc::clone(&backend), peer.clone());
            async move { Ok::<_, Infallible>(handle(&config, backend.as_ref(), peer, request).await) }
        });
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(self.config.header_timeout)
            .max_buf_size(self.config.header_buffer());
        let connection = http.serve_connection(TokioIo::new(io), service);
        tokio::pin!(connection);
        let outcome = tokio::select! {
            outcome = connection.as_mut() => outcome,
            () = shutdown.cancelled() => {
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        if let Err(error) = outcome {
            tracing::debug!(%error, "gateway connection ended with an error");
        }
    }

    /// Serves on `listener` until `shutdown`, each connection on its own
    /// task, calls going to `backend`; returns once every connection ended.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        backend: Arc<dyn Backend>,
        shutdown: CancellationToken,
    ) {
        let tracker = TaskTracker::new();
        loop {
            let accepted = tokio::select! {
                () = shutdown.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "gateway accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let (gateway, backend, shutdown) =
                (self.clone(), Arc::clone(&backend), shutdown.clone());
            tracker.spawn(async move {
                gateway
                    .serve_connection(stream, Some(PeerAddr::Tcp(peer)), backend, shutdown)
                    .await;
            });
        }
        drop(listener);
        tracker.close();
        tracker.wait().await;
    }
}

impl HttpHandler for Gateway {
    fn serve(
        &self,
        stream: HttpStream,
        peer: PeerAddr,
        calls: LocalDispatch,
        shutdown: CancellationToken,
    ) -> BoxFuture<()> {
        let gateway = self.clone();
        Box::pin(async move {
            gateway
                .serve_connection(stream, Some(peer), Arc::new(calls), shutdown)
                .await;
        })
    }
}
