//! One live connection: a writer task that batches frames, a reader task that
//! completes waiting calls, a heartbeat task, a task that fails the calls
//! whose deadline passed, and the table of calls in flight.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use rpc_codec::Compression;
use rpc_core::Status;
use rpc_core::frame::{
    Frame, FrameCodec, FrameError, FrameReader, Inbound, Message, MessageType, Response,
    write_batches_with,
};
use rpc_core::rpcx::RpcxLimits;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio_util::codec::{Decoder, FramedRead};
use tokio_util::sync::CancellationToken;

use crate::call_deadlines::CallDeadlines;
use crate::rpcx_wire::{self, RpcxReader};
use crate::{ClientConfig, Protocol};

/// How a call waiting on the connection ends.
pub(crate) enum Answer {
    /// The server's response, and the compression of its payload.
    Reply(Compression, Response),
    /// No response: the connection was lost, or the reply was refused.
    Failed(Status),
    /// The call's deadline passed first (the server is told with a cancel
    /// frame if the connection is open and its write queue has room).
    DeadlinePassed,
}

/// A call waiting for its answer.
struct Waiter {
    answer: oneshot::Sender<Answer>,
    deadline: Instant,
}

pub(crate) struct Connection {
    peer: String,
    writer: mpsc::Sender<Frame>,
    calls: Mutex<Calls>,
    next_id: AtomicU32,
    /// Milliseconds since `epoch` at the last frame read.
    last_read: AtomicU64,
    epoch: Instant,
    closed: CancellationToken,
    /// Mirrors `closed` for the per-call check: an atomic load instead of
    /// the token's lock.
    open: AtomicBool,
    codec: FrameCodec,
    /// The wire protocol: native frames, or rpcx messages translated from
    /// and to them (`rpcx_wire`).
    protocol: Protocol,
    /// Whether the writer is gathering a batch: set by the writer, read by
    /// the client's owner (see [`crate::Client::is_batching`]).
    batch_forming: Arc<AtomicBool>,
    /// Wakes the deadline task when a call's deadline comes before the
    /// instant it sleeps until.
    deadline_moved: Notify,
}

struct Calls {
    open: bool,
    close_reason: String,
    waiting: HashMap<u32, Waiter>,
    deadlines: CallDeadlines,
}

impl Calls {
    /// Whether the call `id` with this deadline still waits for its answer.
    fn is_waiting(waiting: &HashMap<u32, Waiter>, deadline: Instant, id: u32) -> bool {
        waiting
            .get(&id)
            .is_some_and(|waiter| waiter.deadline == deadline)
    }

    /// Drops the deadline entries of ended calls from the top of the heap.
    fn trim_deadlines(&mut self) {
        let Calls {
            waiting, deadlines, ..
        } = self;
        deadlines.trim(|deadline, id| Calls::is_waiting(waiting, deadline, id));
    }
}

impl Connection {
    /// Starts the tasks of a connection over an established stream.
    pub(crate) fn start<R, W>(
        peer: String,
        reader: R,
        writer: W,
        config: &ClientConfig,
        batch_forming: Arc<AtomicBool>,
    ) -> Arc<Connection>
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(config.write_queue.max(1));
        let codec = FrameCodec::with_max_frame_size(config.max_frame_size);
        let connection = Arc::new(Connection {
            peer,
            writer: tx,
            calls: Mutex::new(Calls {
                open: true,
                close_reason: String::new(),
                waiting: HashMap::new(),
                deadlines: CallDeadlines::default(),
            }),
            next_id: AtomicU32::new(1),
            last_read: AtomicU64::new(0),
            epoch: Instant::now(),
            closed: CancellationToken::new(),
            open: AtomicBool::new(true),
            codec,
            protocol: config.protocol,
            batch_forming,
            deadline_moved: Notify::new(),
        });
        // The first frame is a ping (an rpcx heartbeat): it proves at once
        // that the peer speaks the protocol (its pong) and satisfies servers
        // that close connections whose first frame does not come in time.
        connection.try_send(Frame::control(0, Message::Ping));
        match config.protocol {
            Protocol::Rpcx => {
                let limits = RpcxLimits::new(config.max_frame_size, config.metadata_limits);
                let max = limits.max_message_size;
                tokio::spawn(write_loop(
                    Arc::clone(&connection),
                    rx,
                    writer,
                    move |frame: &Frame, buf: &mut bytes::BytesMut| {
                        rpcx_wire::encode(max, frame, buf)
                    },
                ));
                tokio::spawn(read_loop(
                    Arc::clone(&connection),
                    FramedRead::new(reader, RpcxReader::new(limits)),
                ));
            }
            _ => {
                tokio::spawn(write_loop(
                    Arc::clone(&connection),
                    rx,
                    writer,
                    move |frame: &Frame, buf: &mut bytes::BytesMut| {
                        if let Err(error) = codec.encode_frame(frame, buf) {
                            tracing::error!(%error, "a checked frame failed to encode; dropped");
                        }
                    },
                ));
                tokio::spawn(read_loop(
                    Arc::clone(&connection),
                    FramedRead::new(reader, FrameReader::new(codec, config.metadata_limits)),
                ));
            }
        }
        tokio::spawn(expire_deadlines(Arc::clone(&connection)));
        tokio::spawn(heartbeat_loop(
            Arc::clone(&connection),
            config.heartbeat_interval,
            config.heartbeat_timeout,
        ));
        connection
    }

    pub(crate) fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }

    /// The wire protocol.
    pub(crate) fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Checks that an outgoing frame can be written: every length prefix
    /// fits and the frame (or its rpcx message) is within the maximum size.
    pub(crate) fn check_frame(&self, frame: &Frame) -> Result<(), Status> {
        if self.protocol == Protocol::Rpcx {
            return rpcx_wire::check(frame, self.codec.max_frame_size());
        }
        self.codec.encoded_len(frame).map(drop).map_err(|error| {
            let code = match error {
                FrameError::TooLarge { .. } | FrameError::FieldTooLong { .. } => {
                    rpc_core::Code::PayloadTooLarge
                }
                _ => rpc_core::Code::BadRequest,
            };
            Status::new(code, error.to_string())
        })
    }

    /// Reserves a request id and a slot for its answer, which comes as
    /// [`Answer::DeadlinePassed`] if nothing else does by `deadline`; fails
    /// once the connection is closed, so no call can wait on a dead
    /// connection.
    pub(crate) fn register(
        &self,
        deadline: Instant,
    ) -> Result<(u32, oneshot::Receiver<Answer>), Status> {
        let (tx, rx) = oneshot::channel();
        let mut calls = self.lock_calls();
        if !calls.open {
            return Err(Status::unavailable(format!(
                "connection to {} closed: {}",
                self.peer, calls.close_reason
            )));
        }
        let mut id = self.next_id.fetch_add(1, Ordering::Relaxed);
        // Id 0 is never a call's: a server answers it to refuse the whole
        // connection (a TLS server told plaintext, say).
        while id == 0 || calls.waiting.contains_key(&id) {
            id = self.next_id.fetch_add(1, Ordering::Relaxed);
        }
        let waiter = Waiter {
            answer: tx,
            deadline,
        };
        calls.waiting.insert(id, waiter);
        let Calls {
            waiting, deadlines, ..
        } = &mut *calls;
        let wake = deadlines.insert(deadline, id, waiting.len(), |deadline, id| {
            Calls::is_waiting(waiting, deadline, id)
        });
        drop(calls);
        if wake {
            self.deadline_moved.notify_one();
        }
        Ok((id, rx))
    }

    /// How many calls wait for their answer.
    fn waiting_calls(&self) -> usize {
        self.lock_calls().waiting.len()
    }

    /// Forgets a call the caller gave up on; returns whether it was still waiting.
    pub(crate) fn forget(&self, id: u32) -> bool {
        let mut calls = self.lock_calls();
        let forgotten = calls.waiting.remove(&id).is_some();
        calls.trim_deadlines();
        forgotten
    }

    /// Queues a frame for the writer if there is room now; gives it back
    /// when the queue is full (then [`send`](Self::send) waits for room).
    pub(crate) fn try_queue(&self, frame: Frame) -> Result<Option<Frame>, Status> {
        match self.writer.try_send(frame) {
            Ok(()) => Ok(None),
            Err(mpsc::error::TrySendError::Full(frame)) => Ok(Some(frame)),
            Err(mpsc::error::TrySendError::Closed(_)) => Err(self.closed_status()),
        }
    }

    /// Queues a frame for the writer, waiting while the queue is full.
    pub(crate) async fn send(&self, frame: Frame) -> Result<(), Status> {
        self.writer
            .send(frame)
            .await
            .map_err(|_| self.closed_status())
    }

    /// Queues a frame if there is room now (cancels and pongs: best effort).
    pub(crate) fn try_send(&self, frame: Frame) {
        if self.writer.try_send(frame).is_err() {
            tracing::debug!(peer = %self.peer, "write queue full or closed; control frame dropped");
        }
    }

    pub(crate) fn closed_status(&self) -> Status {
        let calls = self.lock_calls();
        Status::unavailable(format!(
            "connection to {} closed: {}",
            self.peer, calls.close_reason
        ))
    }

    /// Closes the connection and fails every waiting call with `unavailable` at once.
    pub(crate) fn close(&self, reason: &str) {
        let waiting = {
            let mut calls = self.lock_calls();
            if !calls.open {
                return;
            }
            calls.open = false;
            self.open.store(false, Ordering::Release);
            calls.close_reason = reason.to_owned();
            calls.deadlines.clear();
            std::mem::take(&mut calls.waiting)
        };
        self.closed.cancel();
        if !waiting.is_empty() {
            tracing::warn!(peer = %self.peer, reason, calls = waiting.len(), "connection lost; failing calls in flight");
        } else {
            tracing::debug!(peer = %self.peer, reason, "connection closed");
        }
        for (_, waiter) in waiting {
            let _ = waiter
                .answer
                .send(Answer::Failed(Status::unavailable(format!(
                    "connection to {} lost: {reason}",
                    self.peer
                ))));
        }
    }

    fn complete(&self, id: u32, answer: Answer) {
        let waiter = {
            let mut calls = self.lock_calls();
            let waiter = calls.waiting.remove(&id);
            calls.trim_deadlines();
            waiter
        };
        match waiter {
            Some(waiter) => {
                let _ = waiter.answer.send(answer);
            }
            // The caller gave up (timeout or drop) and sent a cancel.
            None => tracing::trace!(peer = %self.peer, id, "response for a call no longer waiting"),
        }
    }

    /// Fails the calls whose deadline is past, tells the server to cancel
    /// them, and returns when to look next (`None`: when notified).
    fn expire_due(&self) -> Option<Instant> {
        // The runtime's clock, which the task sleeps on: under a paused
        // clock (tests) deadlines follow virtual time, as a runtime timer
        // did, instead of spinning until real time catches up.
        let now = tokio::time::Instant::now().into_std();
        let mut expired = Vec::new();
        let next = {
            let mut calls = self.lock_calls();
            let Calls {
                waiting, deadlines, ..
            } = &mut *calls;
            while let Some((deadline, id)) = deadlines.pop_due(now) {
                if Calls::is_waiting(waiting, deadline, id)
                    && let Some(waiter) = waiting.remove(&id)
                {
                    expired.push((id, waiter));
                }
            }
            calls.trim_deadlines();
            calls.deadlines.arm()
        };
        for (id, waiter) in expired {
            let _ = waiter.answer.send(Answer::DeadlinePassed);
            if self.is_open() {
                self.try_send(Frame::control(id, Message::Cancel));
            }
        }
        next
    }

    fn touch(&self) {
        let now = self.epoch.elapsed().as_millis() as u64;
        self.last_read.store(now, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_read.load(Ordering::Relaxed));
        self.epoch.elapsed().saturating_sub(last)
    }

    fn lock_calls(&self) -> std::sync::MutexGuard<'_, Calls> {
        self.calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.closed.cancel();
    }
}

async fn write_loop<W: AsyncWrite + Unpin>(
    connection: Arc<Connection>,
    mut queue: mpsc::Receiver<Frame>,
    mut writer: W,
    encode: impl FnMut(&Frame, &mut bytes::BytesMut),
) {
    let result = tokio::select! {
        result = write_batches_with(
            &mut queue,
            &mut writer,
            encode,
            || connection.waiting_calls() > 1,
            |forming| connection.batch_forming.store(forming, Ordering::Relaxed),
        ) => result,
        () = connection.closed.cancelled() => Ok(()),
    };
    if let Err(error) = result {
        connection.close(&format!("write failed: {error}"));
    }
    let _ = writer.shutdown().await;
}

async fn read_loop<R, D>(connection: Arc<Connection>, mut frames: FramedRead<R, D>)
where
    R: AsyncRead + Unpin,
    D: Decoder<Item = Inbound, Error = FrameError>,
{
    // Made once: a token's `cancelled()` future registers with the token
    // (under its lock) when first polled, which per frame was per call.
    let closed = connection.closed.cancelled();
    let mut closed = std::pin::pin!(closed);
    let reason = loop {
        let next = tokio::select! {
            next = frames.next() => next,
            () = &mut closed => break "closed".to_owned(),
        };
        match next {
            None => break "the server closed the connection".to_owned(),
            Some(Err(error)) => break describe_read_error(&error),
            Some(Ok(Inbound::Refused(refusal))) => {
                connection.touch();
                if refusal.message_type != MessageType::Response {
                    break format!("the server sent a {} frame", refusal.message_type);
                }
                // The reply was too large or carried too much metadata: that
                // call fails alone, the stream is still aligned.
                connection.complete(refusal.request_id, Answer::Failed(refusal.status()));
            }
            Some(Ok(Inbound::Frame(frame))) => {
                connection.touch();
                match frame.message {
                    Message::Response(response) if frame.request_id == 0 => {
                        break format!("the server refused the connection: {}", response.message);
                    }
                    Message::Response(response) => connection
                        .complete(frame.request_id, Answer::Reply(frame.compression, response)),
                    Message::Ping => {
                        connection.try_send(Frame::control(frame.request_id, Message::Pong))
                    }
                    Message::Pong => {}
                    // Requests, oneways, cancels, and any message type
                    // added later: none of them is the server's to send.
                    _ => {
                        break format!("the server sent a {} frame", frame.message.message_type());
                    }
                }
            }
        }
    };
    connection.close(&reason);
}

/// Why reading failed: a TLS alert (a refused client certificate) in
/// words, anything else as a bad frame.
fn describe_read_error(error: &rpc_core::frame::FrameError) -> String {
    #[cfg(feature = "tls")]
    if let rpc_core::frame::FrameError::Io(io) = error
        && io
            .get_ref()
            .is_some_and(|inner| inner.is::<rpc_core::tls::rustls::Error>())
    {
        return format!("TLS: {}", rpc_core::tls::describe_tls_error(io));
    }
    format!("bad frame from the server: {error}")
}

/// Fails each call whose deadline passes before its answer comes: sleeps
/// until the earliest deadline, or until a call with an earlier one is
/// registered.
async fn expire_deadlines(connection: Arc<Connection>) {
    loop {
        let next = connection.expire_due();
        let sleep = async {
            match next {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = sleep => {}
            () = connection.deadline_moved.notified() => {}
            () = connection.closed.cancelled() => return,
        }
    }
}

async fn heartbeat_loop(connection: Arc<Connection>, interval: Duration, timeout: Duration) {
    let period = (interval / 2).max(Duration::from_millis(10));
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut ping_id: u32 = 0;
    connection.touch();
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            () = connection.closed.cancelled() => return,
        }
        let idle = connection.idle_for();
        if idle >= timeout {
            connection.close(&format!(
                "no frame from the server for {idle:?} (heartbeat timeout)"
            ));
            return;
        }
        if idle >= interval {
            ping_id = ping_id.wrapping_add(1);
            connection.try_send(Frame::control(ping_id, Message::Ping));
        }
    }
}
