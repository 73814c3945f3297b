//! The opt-in admin listener: HTTP/1.1 on its own address, answering
//! `/metrics` (the installed exporter's text), `/health` (the process is
//! alive: always 200 while it answers) and `/ready` (200 while announced and
//! not draining, 503 from the moment graceful shutdown starts, before the
//! RPC listener closes).
//!
//! It is for scrapers and orchestrators, not for the public: a request must
//! send its whole head (at most 8 KiB) within [`HEAD_TIMEOUT`], at most
//! [`MAX_ADMIN_CONNECTIONS`] are served at once (more are closed), and each
//! connection carries one request.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::server::Health;
use crate::server::admin_http::{read_head, response};

/// Renders the metrics text `/metrics` answers, e.g.
/// `metrics_exporter_prometheus::PrometheusHandle::render`.
pub type MetricsRender = Arc<dyn Fn() -> String + Send + Sync>;

/// How long a client has to send its request head.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// Admin connections served at once.
pub(crate) const MAX_ADMIN_CONNECTIONS: usize = 32;

/// Prometheus' text exposition format.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Serves admin requests on `listener` until `stop`.
pub(crate) async fn serve_admin(
    listener: TcpListener,
    health: Health,
    render: Option<MetricsRender>,
    stop: CancellationToken,
) {
    let slots = Arc::new(Semaphore::new(MAX_ADMIN_CONNECTIONS));
    loop {
        let accepted = tokio::select! {
            () = stop.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Out of descriptors: pause rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            continue;
        };
        let health = health.clone();
        let render = render.clone();
        tokio::spawn(async move {
            answer(stream, &health, render.as_ref()).await;
            drop(slot);
        });
    }
}

async fn answer(
    mut stream: tokio::net::TcpStream,
    health: &Health,
    render: Option<&MetricsRender>,
) {
    let head = match tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut stream)).await {
        Ok(head) => head,
        Err(_) => return,
    };
    let bytes = match head {
        Ok(request) => route(&request.path, health, render, request.head_only),
        Err(error) => match error.status() {
            Some((code, reason)) => response(code, reason, "text/plain", &error.to_string(), false),
            None => return,
        },
    };
    let _ = tokio::time::timeout(HEAD_TIMEOUT, stream.write_all(&bytes)).await;
    let _ = stream.shutdown().await;
}

fn route(path: &str, health: &Health, render: Option<&MetricsRender>, head_only: bool) -> Vec<u8> {
    let text = "text/plain; charset=utf-8";
    match path {
        "/health" => response(200, "OK", text, "alive\n", head_only),
        "/ready" if health.is_ready() => response(200, "OK", text, "ready\n", head_only),
        "/ready" => {
            let why = if health.is_draining() {
                "draining\n"
            } else {
                "not ready\n"
            };
            response(503, "Service Unavailable", text, why, head_only)
        }
        "/metrics" => match render {
            Some(render) => response(200, "OK", PROMETHEUS_TEXT, &render(), head_only),
            None => response(
                404,
                "Not Found",
                text,
                "no metrics exporter was given to the admin listener\n",
                head_only,
            ),
        },
        _ => response(404, "Not Found", text, "not found\n", head_only),
    }
}
