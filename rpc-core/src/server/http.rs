//! HTTP on the server's own port: the seam an HTTP gateway plugs into.
//!
//! A connection's first byte tells the two protocols apart, inside the
//! connection's own task (a slow first byte never holds the accept loop):
//! every frame starts with the magic byte `0x8f`, which cannot start an
//! HTTP/1.1 request (a method token is ASCII letters). With an
//! [`HttpHandler`] configured ([`ServerBuilder::http`]), a connection whose
//! first byte is an ASCII letter is handed to it whole (the sniffed byte
//! included), with [`LocalDispatch`] to call this server's services through
//! the same auth hook, layers and router as the binary protocol. Without a
//! handler nothing changes: the frame reader refuses such a connection at
//! its first byte. The same first byte, when the server also serves Go
//! rpcx ([`ServerConfig::rpcx`]), sends a connection starting with rpcx's
//! magic `0x08` to the rpcx connection instead.
//!
//! [`ServerConfig::rpcx`]: crate::server::ServerConfig::rpcx
//!
//! [`ServerBuilder::http`]: crate::server::ServerBuilder::http

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, ReadBuf};
use tokio_util::sync::CancellationToken;
use tower::{Service as _, ServiceExt as _};

use crate::server::connection::Dispatch;
use crate::server::limit::Limit;
use crate::{BoxFuture, PeerAddr, ServiceCall, ServiceReply, Status};

/// Serves connections that start like an HTTP/1.1 request.
pub trait HttpHandler: Send + Sync + 'static {
    /// Serves one connection until it ends, or until `shutdown` is
    /// cancelled (then it should finish the request in progress and close).
    fn serve(
        &self,
        stream: HttpStream,
        peer: PeerAddr,
        calls: LocalDispatch,
        shutdown: CancellationToken,
    ) -> BoxFuture<()>;
}

/// This server's dispatch path, for calls that arrived over HTTP.
#[derive(Clone)]
pub struct LocalDispatch {
    // A boxed layered stack is `Send` but not `Sync`: each call clones it
    // out of the lock, so that the handle can be shared by HTTP tasks.
    dispatch: Arc<std::sync::Mutex<Dispatch>>,
    calls: Arc<Limit>,
}

impl LocalDispatch {
    pub(crate) fn new(dispatch: Dispatch, calls: Arc<Limit>) -> LocalDispatch {
        LocalDispatch {
            dispatch: Arc::new(std::sync::Mutex::new(dispatch)),
            calls,
        }
    }

    /// Runs `call` as the binary protocol would: counted against the
    /// server-wide call limit (`overloaded` beyond it), through the auth
    /// hook, layers and router, on a task of its own so that a panicking
    /// handler is answered `internal` rather than ending the connection.
    /// Dropping the returned future cancels the handler. The caller bounds
    /// the call's time (the context's deadline is not enforced here).
    pub async fn call(&self, call: ServiceCall) -> Result<ServiceReply, Status> {
        let Some(permit) = self.calls.try_take() else {
            return Err(Status::overloaded(
                "too many calls in flight on this server",
            ));
        };
        let mut dispatch = self
            .dispatch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let task = tokio::spawn(async move {
            let reply = dispatch.ready().await?.call(call).await;
            drop(permit);
            reply
        });
        // A caller that stops waiting (its timeout, a closed HTTP
        // connection) ends the handler too, as a cancel frame would.
        let _abort = AbortOnDrop(task.abort_handle());
        task.await
            .unwrap_or_else(|_| Err(Status::internal("the handler panicked")))
    }
}

/// Aborts a call's task when its caller's future is dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl std::fmt::Debug for LocalDispatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalDispatch").finish_non_exhaustive()
    }
}

type BoxRead = Box<dyn AsyncRead + Unpin + Send>;
type BoxWrite = Box<dyn AsyncWrite + Unpin + Send>;

/// A connection handed to an [`HttpHandler`]: reads start with the bytes
/// the server sniffed, writes go to the socket.
pub struct HttpStream {
    reader: Replay<BoxRead>,
    writer: BoxWrite,
}

impl std::fmt::Debug for HttpStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpStream").finish_non_exhaustive()
    }
}

impl AsyncRead for HttpStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.reader).poll_read(cx, buf)
    }
}

impl AsyncWrite for HttpStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.writer).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.writer).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.writer).poll_shutdown(cx)
    }
}

/// A reader that gives back the byte sniffed from it first.
pub(crate) struct Replay<R> {
    sniffed: Option<u8>,
    inner: R,
}

impl<R: AsyncRead + Unpin> AsyncRead for Replay<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(byte) = self.sniffed.take() {
            buf.put_slice(&[byte]);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

/// Whether a connection's first byte starts an HTTP request line.
fn starts_http(byte: u8) -> bool {
    byte.is_ascii_uppercase()
}

/// What a connection needs to be handed to the HTTP handler.
pub(crate) struct HttpRoute {
    pub(crate) handler: Arc<dyn HttpHandler>,
    pub(crate) peer: PeerAddr,
    pub(crate) calls: LocalDispatch,
    pub(crate) shutdown: CancellationToken,
}

/// Which protocol a connection that is not HTTP speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    /// This project's frames (first byte `0x8f`, or anything else: the frame
    /// reader refuses what is not a frame).
    Native,
    /// Go rpcx's messages (first byte `0x08`), if the server serves them.
    Rpcx,
}

/// Where a connection goes: its reader and writer back with the protocol it
/// speaks, or `None` when it spoke HTTP and the handler served it (or it
/// closed, or sent nothing within `first_byte_timeout`). Without `http` and
/// without `rpcx` nothing is read.
pub(crate) async fn route<R, W>(
    http: Option<HttpRoute>,
    rpcx: bool,
    shutdown: &CancellationToken,
    mut reader: R,
    writer: W,
    first_byte_timeout: Duration,
) -> Option<(Replay<R>, W, Wire)>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    if http.is_none() && !rpcx {
        let reader = Replay {
            sniffed: None,
            inner: reader,
        };
        return Some((reader, writer, Wire::Native));
    }
    let mut first = [0u8; 1];
    // A silent connection must not hold a graceful shutdown for the whole
    // first-byte timeout.
    let read = tokio::select! {
        read = tokio::time::timeout(first_byte_timeout, reader.read(&mut first)) => read,
        () = shutdown.cancelled() => return None,
    };
    let Ok(Ok(1)) = read else {
        return None;
    };
    let http = match http {
        Some(http) if starts_http(first[0]) => http,
        _ => {
            let wire = if rpcx && first[0] == crate::rpcx::MAGIC {
                Wire::Rpcx
            } else {
                Wire::Native
            };
            let reader = Replay {
                sniffed: Some(first[0]),
                inner: reader,
            };
            return Some((reader, writer, wire));
        }
    };
    let stream = HttpStream {
        reader: Replay {
            sniffed: Some(first[0]),
            inner: Box::new(reader),
        },
        writer: Box::new(writer),
    };
    let HttpRoute {
        handler,
        peer,
        calls,
        shutdown,
    } = http;
    handler.serve(stream, peer, calls, shutdown).await;
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_magic_bytes_cannot_start_an_http_method() {
        assert!(!starts_http(crate::frame::MAGIC[0]));
        assert!(!starts_http(crate::rpcx::MAGIC));
        for method in ["GET", "POST", "PUT", "OPTIONS", "HEAD", "DELETE", "PATCH"] {
            assert!(starts_http(method.as_bytes()[0]), "{method}");
        }
    }
}
