//! One server connection: a reader that decodes frames and starts handlers,
//! handlers running concurrently, and a writer that batches their replies.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use rpc_codec::{Compression, CompressionPolicy};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_util::codec::FramedRead;
use tokio_util::sync::CancellationToken;
use tower::util::BoxCloneService;
use tower::{Service as _, ServiceExt as _};

use crate::frame::{
    Frame, FrameCodec, FrameError, FrameReader, Inbound, Message, MessageType, Refusal, Request,
    write_batches,
};
use crate::server::handler::run_handler;
use crate::server::http::{HttpRoute, LocalDispatch, Wire, route};
use crate::server::in_flight::{InFlight, Running};
use crate::server::inline_policy::InlinePolicy;
use crate::server::limit::{Limit, LimitGuard};
use crate::server::log_gate::LogGate;
use crate::server::reply::{build_response, refuse};
use crate::server::watchdog::Watchdog;
use crate::server::{Router, ServerConfig};
use crate::{Context, PeerAddr, PeerCertificate, ServiceCall, ServiceReply, Status};

/// The router wrapped in the user's tower layers, boxed.
pub(crate) type Layered = BoxCloneService<ServiceCall, ServiceReply, Status>;

/// The dispatch path as the connection sees it: the router itself when no
/// layer was added (sparing a box per call), else the layered stack.
#[derive(Clone)]
pub(crate) enum Dispatch {
    Direct(Router),
    Layered(Layered),
}

impl tower::Service<ServiceCall> for Dispatch {
    type Response = ServiceReply;
    type Error = Status;
    type Future = crate::BoxFuture<Result<ServiceReply, Status>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Status>> {
        match self {
            Dispatch::Direct(router) => router.poll_ready(cx),
            Dispatch::Layered(layered) => layered.poll_ready(cx),
        }
    }

    fn call(&mut self, call: ServiceCall) -> Self::Future {
        match self {
            Dispatch::Direct(router) => router.call(call),
            Dispatch::Layered(layered) => layered.call(call),
        }
    }
}

/// What every connection of one server shares.
pub(crate) struct Shared {
    pub(crate) config: ServerConfig,
    pub(crate) calls: Arc<Limit>,
    /// Request payload bytes held by calls in flight, server-wide.
    pub(crate) inflight_bytes: Arc<Limit>,
    /// Turns to inflate a compressed argument (see `ServerConfig::max_inflating`).
    pub(crate) inflating: Arc<tokio::sync::Semaphore>,
    /// Bad frames are logged at WARN at most once a second.
    pub(crate) bad_frames_log: LogGate,
    /// Serves connections that start with an HTTP request, if configured.
    pub(crate) http: Option<Arc<dyn crate::server::HttpHandler>>,
    pub(crate) metrics: crate::server::metrics::ServerMetrics,
}

/// Bytes of the read buffer a new connection starts with.
const INITIAL_READ_BUFFER: usize = 1024;

/// Room kept in the read buffer once a connection has traffic.
const READ_AHEAD: usize = 8 * 1024;

/// Arguments longer than this are decoded on the call's own task, never on
/// the reader.
pub(crate) const LARGE_PAYLOAD: usize = 64 * 1024;

/// Frames a connection sends before its read buffer grows to [`READ_AHEAD`].
const FRAMES_BEFORE_READ_AHEAD: u64 = 8;

/// How often a draining connection checks whether its calls have finished.
const DRAIN_POLL: Duration = Duration::from_millis(5);

/// Serves one connection until the peer leaves, a bad frame arrives, a time
/// limit expires (see [`Watchdog`]), or the server shuts down (then it
/// drains within the grace period).
pub(crate) async fn serve_connection<R, W>(
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
    // HTTP on the same port: the first byte decides (see `http.rs`).
    let http = shared.http.as_ref().map(|handler| HttpRoute {
        handler: Arc::clone(handler),
        peer: peer.clone(),
        calls: LocalDispatch::new(dispatch.clone(), Arc::clone(&shared.calls)),
        shutdown: shutdown.clone(),
    });
    let timeout = shared.config.first_frame_timeout;
    let rpcx = shared.config.rpcx;
    let Some((reader, writer, wire)) = route(http, rpcx, &shutdown, reader, writer, timeout).await
    else {
        return;
    };
    if wire == Wire::Rpcx {
        let serve = crate::server::rpcx_connection::serve_rpcx;
        return serve(
            reader,
            writer,
            peer,
            peer_certificate,
            shared,
            dispatch,
            shutdown,
        )
        .await;
    }
    let config = &shared.config;
    let codec = FrameCodec::with_max_frame_size(config.max_frame_size);
    let (replies, queue) = mpsc::channel(config.write_queue.max(1));
    let in_flight = InFlight::default();
    let writer_task = tokio::spawn(write_loop(
        queue,
        writer,
        codec,
        peer.clone(),
        in_flight.clone(),
    ));
    let mut connection = Connection {
        peer,
        peer_certificate,
        shared: Arc::clone(&shared),
        codec,
        replies,
        in_flight,
        per_connection: Limit::new(config.max_calls_per_connection),
        dispatch,
        oneway_calls: 0,
        inline: InlinePolicy::default(),
        inflating: Arc::new(tokio::sync::Semaphore::new(1)),
    };
    // A small first read buffer: idle connections are the common case of a
    // busy server's memory, and the buffer grows to what the traffic needs.
    let mut frames = FramedRead::with_capacity(
        reader,
        FrameReader::new(codec, config.metadata_limits),
        INITIAL_READ_BUFFER,
    );
    let mut draining_until: Option<tokio::time::Instant> = None;
    let mut watchdog = Watchdog::new(config, tokio::time::Instant::now());
    let mut ticks = tokio::time::interval(Watchdog::tick(config));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    // Made once, not per frame: the token's future registers with the token
    // (under its lock) when first polled, and a `sleep` reads the clock when
    // made, even in a branch that is disabled.
    let shutting_down = shutdown.cancelled();
    let mut shutting_down = std::pin::pin!(shutting_down);
    let reason = loop {
        if draining_until.is_some() && connection.in_flight.is_empty() {
            break "drained for shutdown".to_owned();
        }
        tokio::select! {
            () = &mut shutting_down, if draining_until.is_none() => {
                draining_until = Some(tokio::time::Instant::now() + config.grace_period);
                continue;
            }
            () = drain_poll(draining_until.is_some()), if draining_until.is_some() => {
                if draining_until.is_some_and(|until| tokio::time::Instant::now() >= until) {
                    break "shutdown grace period over".to_owned();
                }
                continue;
            }
            now = ticks.tick() => {
                let running = !connection.in_flight.is_empty();
                if let Err(expired) = watchdog.check(now, frames.decoder(), running) {
                    tracing::debug!(peer = %connection.peer, %expired, "closing connection: time limit");
                    break expired.to_string();
                }
            }
            next = frames.next() => match next {
                None => break "the peer closed the connection".to_owned(),
                Some(Err(error)) => {
                    log_stream_error(
                        &shared,
                        &connection.peer,
                        "native",
                        &error,
                        matches!(error, FrameError::Io(_)),
                    );
                    break format!("bad frame: {error}");
                }
                Some(Ok(inbound)) => {
                    // A connection with traffic reads in big chunks (many
                    // frames per read system call); one that only said hello
                    // or pings now and then keeps its small buffer.
                    if frames.decoder().frames_completed() >= FRAMES_BEFORE_READ_AHEAD {
                        let buffer = frames.read_buffer_mut();
                        if buffer.capacity() - buffer.len() < READ_AHEAD / 2 {
                            buffer.reserve(READ_AHEAD);
                        }
                    }
                    let handled = match inbound {
                        Inbound::Frame(frame) => connection.handle(frame, draining_until.is_some()).await,
                        Inbound::Refused(refusal) => connection.refused(refusal).await,
                    };
                    if let Err(reason) = handled {
                        tracing::warn!(peer = %connection.peer, %reason, "closing connection: protocol violation");
                        break reason;
                    }
                }
            }
        }
    };
    tracing::debug!(peer = %connection.peer, %reason, "connection ending");
    // Whatever is still running now gets `cancelled`, so that no call is left
    // without an answer (the peer may be gone; then the write just fails).
    for id in connection.in_flight.cancel_all() {
        let status = Status::cancelled(format!("server closed the connection: {reason}"));
        let frame = build_response(
            id,
            rpc_codec::Codec::Raw,
            Err(status),
            None,
            &connection.codec,
        );
        let _ = connection.replies.send(frame).await;
    }
    drop(connection);
    // The writer ends once every handler task has dropped its sender.
    await_writer(writer_task).await;
}

/// Wakes a draining connection's loop every [`DRAIN_POLL`]; never wakes one
/// that is not draining, and then reads no clock (a `sleep` made for a
/// disabled `select!` branch read it once per frame).
pub(crate) async fn drain_poll(draining: bool) {
    if draining {
        tokio::time::sleep(DRAIN_POLL).await;
    } else {
        std::future::pending::<()>().await;
    }
}

/// Logs why a connection's stream broke: below WARN for what networks do on
/// their own (`broken`: resets, a close in the middle of a frame),
/// rate-limited WARN for what a peer sent wrong. Both protocols' connections
/// log through it (`protocol`: `native` or `rpcx`).
pub(crate) fn log_stream_error(
    shared: &Shared,
    peer: &PeerAddr,
    protocol: &'static str,
    error: &dyn std::fmt::Display,
    broken: bool,
) {
    if broken {
        tracing::debug!(%peer, protocol, %error, "connection broken");
    } else if let Some(suppressed) = shared.bad_frames_log.pass() {
        tracing::warn!(%peer, protocol, %error, suppressed, "closing connection: bad frame");
    } else {
        tracing::debug!(%peer, protocol, %error, "closing connection: bad frame");
    }
}

/// Waits (up to 5 s) for a connection's writer to flush what its calls
/// answered; it ends once every sender is gone.
pub(crate) async fn await_writer(writer_task: tokio::task::JoinHandle<()>) {
    if tokio::time::timeout(Duration::from_secs(5), writer_task)
        .await
        .is_err()
    {
        tracing::warn!("connection writer did not finish in time");
    }
}

/// What a running call holds: a slot of its connection's and of the
/// server's call limits, and its request's bytes of the byte budget.
type Permits = (LimitGuard, LimitGuard, LimitGuard);

/// Where and how a call's answer goes.
struct ReplyTo {
    id: u32,
    codec: rpc_codec::Codec,
    oneway: bool,
    /// Replies to compressed requests are compressed the same way.
    compression: Option<CompressionPolicy>,
}

struct Connection {
    peer: PeerAddr,
    peer_certificate: Option<Arc<PeerCertificate>>,
    shared: Arc<Shared>,
    codec: FrameCodec,
    replies: mpsc::Sender<Frame>,
    in_flight: InFlight,
    per_connection: Arc<Limit>,
    dispatch: Dispatch,
    /// Oneway calls started so far, to key them apart from requests.
    oneway_calls: u64,
    inline: InlinePolicy,
    /// One decompression at a time per connection.
    inflating: Arc<tokio::sync::Semaphore>,
}

impl Connection {
    /// Acts on one frame. An error closes the connection.
    async fn handle(&mut self, frame: Frame, draining: bool) -> Result<(), String> {
        let id = frame.request_id;
        match frame.message {
            Message::Ping => {
                let _ = self.replies.send(Frame::control(id, Message::Pong)).await;
            }
            Message::Pong => {}
            Message::Cancel => {
                if self.in_flight.cancel(id) {
                    tracing::debug!(peer = %self.peer, id, "call cancelled by the client");
                }
            }
            Message::Response(_) => return Err("a client sent a response frame".to_owned()),
            Message::Request(request) => {
                // Two calls with one id cannot both be answered unambiguously:
                // the client broke the protocol, as in HTTP/2's stream reuse.
                if self.in_flight.lock().contains_key(&u64::from(id)) {
                    return Err(format!("request id {id} is already in flight"));
                }
                self.start_call(id, frame.codec, frame.compression, request, false, draining)
                    .await;
            }
            Message::Oneway(request) => {
                self.start_call(id, frame.codec, frame.compression, request, true, draining)
                    .await;
            }
        }
        Ok(())
    }

    /// Answers a refused frame's call alone; the connection goes on.
    async fn refused(&mut self, refusal: Refusal) -> Result<(), String> {
        match refusal.message_type {
            MessageType::Request => {
                tracing::debug!(peer = %self.peer, id = refusal.request_id, reason = %refusal.reason, "request refused");
                let status = refusal.status();
                refuse(
                    &self.replies,
                    &self.codec,
                    refusal.request_id,
                    refusal.codec,
                    false,
                    status,
                )
                .await;
                Ok(())
            }
            MessageType::Oneway => {
                tracing::debug!(peer = %self.peer, reason = %refusal.reason, "oneway call refused");
                Ok(())
            }
            other => Err(format!("a client sent a {other} frame")),
        }
    }

    async fn start_call(
        &mut self,
        id: u32,
        codec: rpc_codec::Codec,
        compression: Compression,
        request: Request,
        oneway: bool,
        draining: bool,
    ) {
        let arrived = Instant::now();
        if draining {
            self.shared.metrics.calls_refused_draining.increment(1);
            let status = Status::unavailable("the server is shutting down");
            return refuse(&self.replies, &self.codec, id, codec, oneway, status).await;
        }
        let permits = match self.acquire_permits(request.payload.len()) {
            Ok(permits) => permits,
            Err(status) => {
                self.shared.metrics.calls_refused_limit.increment(1);
                return refuse(&self.replies, &self.codec, id, codec, oneway, status).await;
            }
        };
        let deadline = request.deadline.map(|budget| arrived + budget);
        let limit = match (deadline, self.shared.config.handler_timeout) {
            (Some(deadline), Some(timeout)) => Some(deadline.min(arrived + timeout)),
            (deadline, timeout) => deadline.or(timeout.map(|t| arrived + t)),
        };
        let context = Context::new(request.service, request.method)
            .with_metadata(request.metadata)
            .with_deadline(deadline)
            .with_retry(request.retry)
            .with_peer(Some(self.peer.clone()))
            .with_peer_certificate(self.peer_certificate.clone());
        let reply = ReplyTo {
            id,
            codec,
            oneway,
            compression: (compression != Compression::None).then(|| {
                CompressionPolicy::new(compression)
                    .with_threshold(self.shared.config.compression_threshold)
            }),
        };
        if compression != Compression::None {
            // Inflating is work a peer chooses the size of (a bomb inflates
            // to the payload limit): it runs on the blocking pool, so that it
            // never holds a runtime worker other connections need.
            let max_payload = self.shared.config.max_payload_size;
            let mut dispatch = self.dispatch.clone();
            let payload = request.payload;
            let server_turns = Arc::clone(&self.shared.inflating);
            let connection_turn = Arc::clone(&self.inflating);
            let handler = async move {
                // This connection's one turn first, then one of the server's:
                // a peer flooding compressed calls queues behind itself.
                let closed = |_| Status::unavailable("the server is shutting down");
                let mine = connection_turn.acquire_owned().await.map_err(closed)?;
                let turn = server_turns.acquire_owned().await.map_err(closed)?;
                let payload = tokio::task::spawn_blocking(move || {
                    let payload = compression.decompress(payload, max_payload);
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
            return self.spawn_call(reply, permits, limit, handler);
        }
        let large = request.payload.len() > LARGE_PAYLOAD;
        let call = ServiceCall {
            context,
            codec,
            payload: request.payload,
        };
        // Readiness is asked once, never awaited here: a layer that makes
        // calls wait (a concurrency limit, a rate limit) must not stop this
        // reader from taking pings, cancels and other calls. A call that
        // finds the stack not ready waits on its own task, on a clone of
        // the stack (tower's rule: a clone is driven to readiness itself).
        let handler = match poll_ready_once(&mut self.dispatch) {
            Some(Ok(())) => self.dispatch.call(call),
            Some(Err(status)) => {
                return refuse(&self.replies, &self.codec, id, codec, oneway, status).await;
            }
            None => {
                // The stack that was asked goes with the call (it may hold
                // a place in a limit's queue); the reader keeps a fresh clone.
                let fresh = self.dispatch.clone();
                let mut waiting = std::mem::replace(&mut self.dispatch, fresh);
                let handler = async move { waiting.ready().await?.call(call).await };
                return self.spawn_call(reply, permits, limit, handler);
            }
        };
        // A large argument takes long to decode, and a handler that was slow
        // on its first poll lately probably is again: both start as their own
        // task, which the runtime runs on any core.
        if large {
            return self.spawn_call(reply, permits, limit, handler);
        }
        // Fast path: a handler that needs no waiting (no I/O, no timers)
        // finishes on its first poll. Run that poll here and answer at once,
        // sparing a task, a table entry and a cross-thread wake-up per call.
        match self.inline.first_poll(handler, arrived) {
            Ok(result) => {
                drop(permits);
                if !oneway {
                    let frame = build_response(id, codec, result, reply.compression, &self.codec);
                    let _ = self.replies.send(frame).await;
                }
            }
            Err(handler) => self.spawn_call(reply, permits, limit, handler),
        }
    }

    /// Runs `handler` as its own task under `limit`, registered in the
    /// in-flight table (so a cancel or a shutdown can stop it), and answers
    /// the call when it ends.
    fn spawn_call<F>(
        &mut self,
        reply: ReplyTo,
        permits: Permits,
        limit: Option<Instant>,
        handler: F,
    ) where
        F: Future<Output = Result<ServiceReply, Status>> + Send + 'static,
    {
        let replies = self.replies.clone();
        let in_flight = self.in_flight.clone();
        let frame_codec = self.codec;
        let key = if reply.oneway {
            self.oneway_calls += 1;
            (1 << 32) | self.oneway_calls
        } else {
            u64::from(reply.id)
        };
        // Hold the lock while spawning: the task cannot finish (and look for
        // its entry) before the entry exists.
        let mut running = self.in_flight.lock();
        let task = tokio::spawn(async move {
            let result = run_handler(handler, limit).await;
            if in_flight.finish(key) && !reply.oneway {
                let frame = build_response(
                    reply.id,
                    reply.codec,
                    result,
                    reply.compression,
                    &frame_codec,
                );
                let _ = replies.send(frame).await;
            }
            drop(permits);
        });
        running.insert(
            key,
            Running {
                abort: task.abort_handle(),
                oneway: reply.oneway,
            },
        );
    }

    fn acquire_permits(&self, payload_bytes: usize) -> Result<Permits, Status> {
        let connection = self.per_connection.try_take().ok_or_else(|| {
            Status::overloaded(format!(
                "more than {} calls in flight on this connection",
                self.shared.config.max_calls_per_connection
            ))
        })?;
        let server = self.shared.calls.try_take().ok_or_else(|| {
            Status::overloaded(format!(
                "more than {} calls in flight on this server",
                self.shared.config.max_calls
            ))
        })?;
        let bytes = self
            .shared
            .inflight_bytes
            .try_take_n(payload_bytes)
            .ok_or_else(|| {
                Status::overloaded(format!(
                    "calls in flight on this server hold more than {} bytes of requests",
                    self.shared.config.max_inflight_bytes
                ))
            })?;
        Ok((connection, server, bytes))
    }
}

/// Asks `dispatch` once whether it can take a call now, without a waker to
/// remember: `None` if it cannot yet.
pub(crate) fn poll_ready_once(dispatch: &mut Dispatch) -> Option<Result<(), Status>> {
    use tower::Service;
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match dispatch.poll_ready(&mut cx) {
        std::task::Poll::Ready(result) => Some(result),
        std::task::Poll::Pending => None,
    }
}

async fn write_loop<W: AsyncWrite + Unpin>(
    mut queue: mpsc::Receiver<Frame>,
    mut writer: W,
    codec: FrameCodec,
    peer: PeerAddr,
    in_flight: InFlight,
) {
    // Handlers still running will reply soon: worth batching with.
    let more_coming = || !in_flight.is_empty();
    match write_batches(&mut queue, &mut writer, codec, more_coming, |_| {}).await {
        Ok(()) => {
            let _ = writer.shutdown().await;
        }
        Err(error) => {
            tracing::debug!(%peer, %error, "write failed; dropping the remaining replies")
        }
    }
}
