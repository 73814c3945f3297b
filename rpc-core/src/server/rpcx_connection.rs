//! One server connection speaking Go rpcx's protocol: each request is
//! translated into this project's call and sent down the same dispatch path
//! (auth hook, layers, router) as a native one, under the same limits,
//! deadlines, watchdog and graceful shutdown; the result is translated back.

use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio_util::codec::FramedRead;
use tokio_util::sync::CancellationToken;
use tower::{Service as _, ServiceExt as _};

use crate::rpcx::{
    RpcxCodec, RpcxCompression, RpcxError, RpcxInbound, RpcxLimits, RpcxMessage, RpcxMessageType,
};
use crate::server::connection::{
    Dispatch, LARGE_PAYLOAD, Shared, await_writer, drain_poll, log_stream_error, poll_ready_once,
};
use crate::server::handler::run_handler;
use crate::server::inline_policy::InlinePolicy;
use crate::server::limit::{Limit, LimitGuard};
use crate::server::rpcx_call::{reply, translate};
use crate::server::rpcx_reader::RpcxReader;
use crate::server::rpcx_writer::write_loop;
use crate::server::watchdog::Watchdog;
use crate::{Context, PeerAddr, PeerCertificate, ServiceCall, ServiceReply, Status};

/// Bytes of the read buffer a new connection starts with.
const INITIAL_READ_BUFFER: usize = 1024;

/// What a running call holds: a slot of its connection's and of the
/// server's call limits, and its request's bytes of the byte budget.
type Permits = (LimitGuard, LimitGuard, LimitGuard);

/// Serves one rpcx connection until the peer leaves, a message that ends
/// the stream arrives, a time limit expires, or the server shuts down (then
/// it drains within the grace period, and calls still running are answered
/// `cancelled`).
pub(crate) async fn serve_rpcx<R, W>(
    reader: R,
    writer: W,
    peer: PeerAddr,
    peer_certificate: Option<Arc<PeerCertificate>>,
    shared: Arc<Shared>,
    dispatch: Dispatch,
    shutdown: CancellationToken,
) where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let config = &shared.config;
    let codec = RpcxCodec::new(RpcxLimits::new(
        config.max_frame_size,
        config.metadata_limits,
    ));
    let (replies, queue) = mpsc::channel(config.write_queue.max(1));
    let writer_task = tokio::spawn(write_loop(queue, writer, codec, peer.clone()));
    let mut connection = RpcxConnection {
        peer,
        peer_certificate,
        shared: Arc::clone(&shared),
        codec,
        replies,
        per_connection: Limit::new(config.max_calls_per_connection),
        dispatch,
        closing: CancellationToken::new(),
        inflating: Arc::new(tokio::sync::Semaphore::new(1)),
        inline: InlinePolicy::default(),
    };
    let mut messages =
        FramedRead::with_capacity(reader, RpcxReader::new(codec), INITIAL_READ_BUFFER);
    let mut draining_until: Option<tokio::time::Instant> = None;
    let mut watchdog = Watchdog::new(config, tokio::time::Instant::now());
    let mut ticks = tokio::time::interval(Watchdog::tick(config));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    // Made once, not per message (see the native connection's loop).
    let shutting_down = shutdown.cancelled();
    let mut shutting_down = std::pin::pin!(shutting_down);
    let reason = loop {
        if draining_until.is_some() && connection.running() == 0 {
            break "drained for shutdown".to_owned();
        }
        tokio::select! {
            () = &mut shutting_down, if draining_until.is_none() => {
                draining_until = Some(tokio::time::Instant::now() + config.grace_period);
            }
            () = drain_poll(draining_until.is_some()), if draining_until.is_some() => {
                if draining_until.is_some_and(|until| tokio::time::Instant::now() >= until) {
                    break "shutdown grace period over".to_owned();
                }
            }
            now = ticks.tick() => {
                let running = connection.running() > 0;
                if let Err(expired) = watchdog.check(now, messages.decoder(), running) {
                    break expired.to_string();
                }
            }
            next = messages.next() => match next {
                None => break "the peer closed the connection".to_owned(),
                Some(Err(error)) => {
                    log_stream_error(
                        &shared,
                        &connection.peer,
                        "rpcx",
                        &error,
                        matches!(error, RpcxError::Io(_)),
                    );
                    break format!("bad rpcx message: {error}");
                }
                Some(Ok(RpcxInbound::Refused { header, error })) => {
                    if let Err(reason) = connection.refused(header, error).await {
                        break reason;
                    }
                }
                Some(Ok(RpcxInbound::Message(message))) => {
                    if let Err(reason) = connection.handle(message, draining_until.is_some()).await {
                        break reason;
                    }
                }
            }
        }
    };
    tracing::debug!(peer = %connection.peer, %reason, "rpcx connection ending");
    // Calls still running answer `cancelled` themselves and drop their
    // senders; the writer ends when the last sender is gone.
    connection.closing.cancel();
    drop(connection);
    await_writer(writer_task).await;
}

struct RpcxConnection {
    peer: PeerAddr,
    peer_certificate: Option<Arc<PeerCertificate>>,
    shared: Arc<Shared>,
    codec: RpcxCodec,
    replies: mpsc::Sender<RpcxMessage>,
    per_connection: Arc<Limit>,
    dispatch: Dispatch,
    /// Cancelled when the connection ends: running calls answer `cancelled`.
    closing: CancellationToken,
    /// One decompression at a time per connection.
    inflating: Arc<tokio::sync::Semaphore>,
    /// Whether calls run their first poll on this reader.
    inline: InlinePolicy,
}

impl RpcxConnection {
    /// Calls running on this connection.
    fn running(&self) -> usize {
        self.per_connection.in_use()
    }

    /// Answers `request` with `status` now (a oneway request gets nothing).
    /// `&mut`: the connection holds a dispatch stack that is not `Sync`.
    async fn answer(&mut self, request: RpcxMessage, status: Status) {
        if request.header.oneway {
            tracing::debug!(peer = %self.peer, %status, "rpcx oneway call refused");
            return;
        }
        let _ = self
            .replies
            .send(reply(request, Err(status), &self.codec))
            .await;
    }

    /// Answers a message whose body was refused; the connection goes on.
    async fn refused(
        &mut self,
        header: crate::rpcx::RpcxHeader,
        error: RpcxError,
    ) -> Result<(), String> {
        if header.message_type == RpcxMessageType::Response {
            return Err("an rpcx client sent a response".to_owned());
        }
        tracing::debug!(peer = %self.peer, seq = header.seq, %error, "rpcx request refused");
        let skeleton = RpcxMessage {
            header,
            service_path: String::new(),
            service_method: String::new(),
            metadata: Vec::new(),
            payload: bytes::Bytes::new(),
        };
        self.answer(skeleton, Status::bad_request(error.to_string()))
            .await;
        Ok(())
    }

    /// Acts on one message. An error closes the connection.
    async fn handle(&mut self, mut message: RpcxMessage, draining: bool) -> Result<(), String> {
        if message.header.message_type == RpcxMessageType::Response {
            return Err("an rpcx client sent a response".to_owned());
        }
        if message.header.heartbeat {
            // Echoed whole with the response bit, as Go rpcx does.
            let mut echo = message;
            echo.header.message_type = RpcxMessageType::Response;
            let _ = self.replies.send(echo).await;
            return Ok(());
        }
        if draining {
            self.shared.metrics.calls_refused_draining.increment(1);
            let status = Status::unavailable("the server is shutting down");
            self.answer(message, status).await;
            return Ok(());
        }
        let request = match translate(&message) {
            Ok(request) => request,
            Err(status) => {
                self.answer(message, status).await;
                return Ok(());
            }
        };
        let permits = match self.acquire_permits(message.payload.len()) {
            Ok(permits) => permits,
            Err(status) => {
                self.shared.metrics.calls_refused_limit.increment(1);
                self.answer(message, status).await;
                return Ok(());
            }
        };
        let arrived = Instant::now();
        let deadline = request.budget.map(|budget| arrived + budget);
        let limit = match (deadline, self.shared.config.handler_timeout) {
            (Some(deadline), Some(timeout)) => Some(deadline.min(arrived + timeout)),
            (deadline, timeout) => deadline.or(timeout.map(|t| arrived + t)),
        };
        let context = Context::new(
            message.service_path.as_str(),
            message.service_method.as_str(),
        )
        .with_metadata(request.metadata)
        .with_deadline(deadline)
        .with_peer(Some(self.peer.clone()))
        .with_peer_certificate(self.peer_certificate.clone());
        let codec = request.codec;
        let compressed = message.header.compression != RpcxCompression::None;
        let max_payload = self.shared.config.max_payload_size;
        // The call owns the argument; the message kept for the reply's
        // header and names does not hold it.
        let payload = std::mem::take(&mut message.payload);
        if compressed {
            let mut dispatch = self.dispatch.clone();
            let server_turns = Arc::clone(&self.shared.inflating);
            let connection_turn = Arc::clone(&self.inflating);
            let handler = async move {
                // As on a native connection: this connection's one turn,
                // then one of the server's, then the blocking pool.
                let closed = |_| Status::unavailable("the server is shutting down");
                let mine = connection_turn.acquire_owned().await.map_err(closed)?;
                let turn = server_turns.acquire_owned().await.map_err(closed)?;
                let payload = tokio::task::spawn_blocking(move || {
                    let payload = crate::Compression::Gzip.decompress(payload, max_payload);
                    drop((turn, mine));
                    payload
                })
                .await
                .map_err(|error| Status::internal(format!("decompression failed: {error}")))??;
                let call = ServiceCall {
                    context,
                    codec,
                    payload,
                };
                dispatch.ready().await?.call(call).await
            };
            self.spawn_call(message, permits, limit, handler);
            return Ok(());
        }
        if payload.len() > max_payload {
            let status = Status::new(
                crate::Code::PayloadTooLarge,
                format!("the argument is larger than {max_payload} bytes"),
            );
            drop(permits);
            self.answer(message, status).await;
            return Ok(());
        }
        let large = payload.len() > LARGE_PAYLOAD;
        let call = ServiceCall {
            context,
            codec,
            payload,
        };
        // As on a native connection: readiness is asked once, never awaited
        // by this reader; a stack that is not ready goes with the call.
        let handler = match poll_ready_once(&mut self.dispatch) {
            Some(Ok(())) => self.dispatch.call(call),
            Some(Err(status)) => {
                drop(permits);
                self.answer(message, status).await;
                return Ok(());
            }
            None => {
                let fresh = self.dispatch.clone();
                let mut waiting = std::mem::replace(&mut self.dispatch, fresh);
                let handler = async move { waiting.ready().await?.call(call).await };
                self.spawn_call(message, permits, limit, handler);
                return Ok(());
            }
        };
        if large {
            self.spawn_call(message, permits, limit, handler);
            return Ok(());
        }
        match self.inline.first_poll(handler, arrived) {
            Ok(result) => {
                drop(permits);
                if !message.header.oneway {
                    let _ = self.replies.send(reply(message, result, &self.codec)).await;
                }
            }
            Err(handler) => self.spawn_call(message, permits, limit, handler),
        }
        Ok(())
    }

    /// Runs `handler` as its own task under `limit` (a closing connection
    /// answers it `cancelled`), and answers `message` when it ends.
    fn spawn_call<F>(
        &self,
        message: RpcxMessage,
        permits: Permits,
        limit: Option<Instant>,
        handler: F,
    ) where
        F: Future<Output = Result<ServiceReply, Status>> + Send + 'static,
    {
        let replies = self.replies.clone();
        let closing = self.closing.clone();
        let codec = self.codec;
        tokio::spawn(async move {
            let result = tokio::select! {
                result = run_handler(handler, limit) => result,
                () = closing.cancelled() => Err(Status::cancelled("server closed the connection")),
            };
            drop(permits);
            if !message.header.oneway {
                let _ = replies.send(reply(message, result, &codec)).await;
            }
        });
    }

    fn acquire_permits(&self, payload_bytes: usize) -> Result<Permits, Status> {
        let config = &self.shared.config;
        let connection = self.per_connection.try_take().ok_or_else(|| {
            Status::overloaded(format!(
                "more than {} calls in flight on this connection",
                config.max_calls_per_connection
            ))
        })?;
        let server = self.shared.calls.try_take().ok_or_else(|| {
            Status::overloaded(format!(
                "more than {} calls in flight on this server",
                config.max_calls
            ))
        })?;
        let bytes = self
            .shared
            .inflight_bytes
            .try_take_n(payload_bytes)
            .ok_or_else(|| {
                Status::overloaded(format!(
                    "calls in flight on this server hold more than {} bytes of requests",
                    config.max_inflight_bytes
                ))
            })?;
        Ok((connection, server, bytes))
    }
}
