//! [`Client`]: one multiplexed connection to one server, re-established on demand.

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytestring::ByteString;
use rpc_codec::{Codec, Compression, PayloadCodec};
use rpc_core::Status;
use rpc_core::frame::{Frame, Message, Request};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::connection::{Answer, Connection};
use crate::instrument::ClientMetrics;
use crate::{CallOptions, CallReply, Channel, ClientConfig, Protocol, RawReply, RawRequest, typed};

/// Where a client connects.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// A TCP address, `host:port`.
    Tcp(String),
    /// A Unix socket path.
    Unix(PathBuf),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Tcp(addr) => write!(f, "tcp@{addr}"),
            Target::Unix(path) => write!(f, "unix@{}", path.display()),
        }
    }
}

/// A client of one server over one multiplexed connection.
///
/// Any number of tasks can call through clones of a `Client` at once: calls
/// share the connection, each with its own request id. The connection is
/// opened by the first call (or [`Client::connect`]); when it dies (reset,
/// EOF, heartbeat timeout) its calls fail with `unavailable` at once and the
/// next call opens a new one, backing off after failed attempts.
///
/// ```no_run
/// # async fn example() -> Result<(), rpc_core::Status> {
/// use rpc_client::{CallOptions, Client};
///
/// let client = Client::new("127.0.0.1:8972");
/// let reply: i64 = client.call("Arith", "Mul", &(7, 8)).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
}

struct Shared {
    target: Target,
    config: ClientConfig,
    state: Mutex<State>,
    connecting: tokio::sync::Mutex<()>,
    /// `None` when `config.instrument` is off.
    metrics: Option<ClientMetrics>,
    /// Set while the connection's writer gathers a batch of requests.
    batch_forming: Arc<AtomicBool>,
}

#[derive(Default)]
struct State {
    connection: Option<Arc<Connection>>,
    failures: u32,
    retry_at: Option<Instant>,
    /// Why the last connect attempt failed (the source of the statuses
    /// that report it).
    last_error: Option<Arc<std::io::Error>>,
}

impl Client {
    /// A client of the TCP server at `addr` (`host:port`) with default settings.
    pub fn new(addr: impl Into<String>) -> Client {
        Client::with_config(Target::Tcp(addr.into()), ClientConfig::default())
    }

    /// A client of `target` with `config`.
    pub fn with_config(target: Target, config: ClientConfig) -> Client {
        let metrics = config
            .instrument
            .then(|| ClientMetrics::new(target.to_string()));
        Client {
            shared: Arc::new(Shared {
                metrics,
                target,
                config,
                state: Mutex::new(State::default()),
                connecting: tokio::sync::Mutex::new(()),
                batch_forming: Arc::default(),
            }),
        }
    }

    /// Opens the connection now rather than on the first call.
    pub async fn connect(&self) -> Result<(), Status> {
        self.connection().await.map(drop)
    }

    /// The server this client talks to.
    pub fn target(&self) -> &Target {
        &self.shared.target
    }

    /// The settings.
    pub fn config(&self) -> &ClientConfig {
        &self.shared.config
    }

    /// Whether the connection's writer is gathering a batch of requests
    /// right now: a call sent now goes out in the same write as the ones
    /// before it. A hint for load balancers (it may change at once).
    pub fn is_batching(&self) -> bool {
        self.shared.batch_forming.load(Ordering::Relaxed)
    }

    /// Whether a connection is open right now.
    pub fn is_connected(&self) -> bool {
        self.shared
            .lock_state()
            .connection
            .as_ref()
            .is_some_and(|c| c.is_open())
    }

    /// Calls `service.method` by name with serde types (JSON or msgpack).
    pub async fn call<A, R>(&self, service: &str, method: &str, argument: &A) -> Result<R, Status>
    where
        A: Serialize + DeserializeOwned,
        R: Serialize + DeserializeOwned,
    {
        typed::call_dynamic(self, service, method, argument, CallOptions::default())
            .await
            .map(|reply| reply.value)
    }

    /// [`Client::call`] with options, returning the reply metadata too.
    pub async fn call_with<A, R>(
        &self,
        service: &str,
        method: &str,
        argument: &A,
        options: CallOptions,
    ) -> Result<CallReply<R>, Status>
    where
        A: Serialize + DeserializeOwned,
        R: Serialize + DeserializeOwned,
    {
        typed::call_dynamic(self, service, method, argument, options).await
    }

    /// Calls `service.method` with an opaque payload in the raw codec.
    pub async fn call_bytes(
        &self,
        service: &str,
        method: &str,
        payload: bytes::Bytes,
        options: CallOptions,
    ) -> Result<RawReply, Status> {
        self.call_raw(RawRequest {
            service: ByteString::from(service),
            method: ByteString::from(method),
            codec: Codec::Raw,
            payload,
            options,
        })
        .await
    }

    /// Sends a oneway call by name with a serde argument: no reply comes back.
    pub async fn oneway<A>(
        &self,
        service: &str,
        method: &str,
        argument: &A,
        options: CallOptions,
    ) -> Result<(), Status>
    where
        A: Serialize + DeserializeOwned,
    {
        typed::send_oneway_typed(
            self,
            ByteString::from(service),
            ByteString::from(method),
            argument,
            PayloadCodec::serde(),
            options,
        )
        .await
    }

    /// The open connection, or a new one.
    async fn connection(&self) -> Result<Arc<Connection>, Status> {
        if let Some(connection) = self.shared.open_connection() {
            return Ok(connection);
        }
        let _one_at_a_time = self.shared.connecting.lock().await;
        if let Some(connection) = self.shared.open_connection() {
            return Ok(connection);
        }
        {
            let state = self.shared.lock_state();
            if let Some(retry_at) = state.retry_at {
                let now = Instant::now();
                if retry_at > now
                    && let Some(error) = &state.last_error
                {
                    return Err(Status::unavailable(format!(
                        "cannot connect to {} (next attempt in {:?}): {error}",
                        self.shared.target,
                        retry_at - now,
                    ))
                    .with_source(copy_of(error)));
                }
            }
        }
        match self.shared.open().await {
            Ok(connection) => {
                let mut state = self.shared.lock_state();
                state.connection = Some(Arc::clone(&connection));
                state.failures = 0;
                state.retry_at = None;
                Ok(connection)
            }
            Err(error) => {
                let mut state = self.shared.lock_state();
                state.failures = state.failures.saturating_add(1);
                let backoff = backoff(&self.shared.config, state.failures);
                state.retry_at = Some(Instant::now() + backoff);
                state.last_error = Some(Arc::new(copy_of(&error)));
                Err(Status::unavailable(format!(
                    "cannot connect to {}: {error}",
                    self.shared.target
                ))
                .with_source(error))
            }
        }
    }

    /// The frame of an outgoing call (request id 0, set on registration):
    /// argument compressed per policy, size checked against the limit.
    fn outgoing_frame(
        &self,
        connection: &Connection,
        request: RawRequest,
        budget: Duration,
        kind: fn(Request) -> Message,
    ) -> Result<Frame, Status> {
        let mut policy = request
            .options
            .compression
            .unwrap_or(self.shared.config.compression);
        if connection.protocol() == Protocol::Rpcx {
            policy = crate::rpcx_wire::compression_policy(policy);
        }
        let (compression, payload) = policy.apply(request.payload)?;
        let mut metadata = request.options.metadata;
        if let Some(credential) = request.options.credential.as_ref().or(self
            .shared
            .config
            .credential
            .as_ref())
        {
            credential.apply(&mut metadata);
        }
        let frame = Frame {
            request_id: 0,
            codec: request.codec,
            compression,
            message: kind(Request {
                service: request.service,
                method: request.method,
                deadline: Some(budget),
                retry: request.options.retry,
                metadata,
                payload,
            }),
        };
        connection.check_frame(&frame)?;
        Ok(frame)
    }

    /// One call on the open connection, all of it (connecting, queueing,
    /// waiting for the answer) before `deadline`. No runtime timer is armed
    /// unless connecting or queueing has to wait (no open connection, a
    /// full write queue): the wait for the answer is bounded by the
    /// connection's deadline task.
    async fn call_on_connection(
        &self,
        request: RawRequest,
        deadline: Instant,
    ) -> Result<RawReply, CallFailure> {
        let connection = match self.shared.open_connection() {
            Some(connection) => connection,
            None => tokio::time::timeout_at(deadline.into(), self.connection())
                .await
                .map_err(|_| CallFailure::DeadlinePassed)??,
        };
        let budget = deadline.saturating_duration_since(Instant::now());
        let mut frame = self.outgoing_frame(&connection, request, budget, Message::Request)?;
        let (id, answer) = connection.register(deadline)?;
        frame.request_id = id;
        let mut in_flight = InFlight {
            connection: &connection,
            id,
            done: false,
        };
        if let Some(frame) = connection.try_queue(frame)? {
            tokio::time::timeout_at(deadline.into(), connection.send(frame))
                .await
                .map_err(|_| CallFailure::DeadlinePassed)??;
        }
        let answer = answer.await;
        in_flight.done = true;
        let (compression, response) = match answer {
            Ok(Answer::Reply(compression, response)) => (compression, response),
            Ok(Answer::Failed(status)) => return Err(status.into()),
            Ok(Answer::DeadlinePassed) => return Err(CallFailure::DeadlinePassed),
            Err(_) => return Err(connection.closed_status().into()),
        };
        let max_payload = self.shared.config.max_payload_size;
        let (metadata, payload) = response
            .into_result()
            .map_err(|status| decompress_details(status, compression, max_payload))?;
        let payload = compression
            .decompress(payload, max_payload)
            .map_err(Status::from)?;
        Ok(RawReply { payload, metadata })
    }
}

/// A failed call's status with its details (a typed application error)
/// inflated; details that do not inflate within `max_payload` are dropped
/// (and logged), leaving the status itself, which still ends the call.
fn decompress_details(mut status: Status, compression: Compression, max_payload: usize) -> Status {
    if status.details().is_empty() {
        return status;
    }
    match compression.decompress(status.take_details(), max_payload) {
        Ok(details) => status.with_details(details),
        Err(error) => {
            tracing::warn!(%error, %status, "an error's details do not inflate; dropped");
            status
        }
    }
}

impl Channel for Client {
    fn default_codec(&self) -> Codec {
        self.shared.config.codec
    }

    async fn call_raw(&self, mut request: RawRequest) -> Result<RawReply, Status> {
        let timeout = request
            .options
            .timeout
            .unwrap_or(self.shared.config.timeout);
        let now = Instant::now();
        let deadline = now + timeout;
        let service = request.service.clone();
        let method = request.method.clone();
        let observation = self
            .shared
            .metrics
            .as_ref()
            .map(|metrics| metrics.begin(&mut request, now));
        let span = observation
            .as_ref()
            .map_or_else(tracing::Span::none, |o| o.span.clone());
        let call = self.call_on_connection(request, deadline);
        let result = match tracing::Instrument::instrument(call, span).await {
            Ok(reply) => Ok(reply),
            Err(CallFailure::Status(status)) => Err(status),
            Err(CallFailure::DeadlinePassed) => Err(Status::deadline_exceeded(format!(
                "{service}.{method}: no reply within {timeout:?}"
            ))),
        };
        if let (Some(metrics), Some(observation)) = (&self.shared.metrics, &observation) {
            metrics.end(observation, &result);
        }
        result
    }

    async fn send_oneway(&self, request: RawRequest) -> Result<(), Status> {
        let timeout = request
            .options
            .timeout
            .unwrap_or(self.shared.config.timeout);
        let send = async {
            let connection = self.connection().await?;
            let frame = self.outgoing_frame(&connection, request, timeout, Message::Oneway)?;
            connection.send(frame).await
        };
        tokio::time::timeout(timeout, send)
            .await
            .unwrap_or_else(|_| Err(Status::deadline_exceeded("oneway call not sent in time")))
    }
}

/// Why a call on the connection ended without a reply.
enum CallFailure {
    /// A status to give the caller as it is.
    Status(Status),
    /// The deadline passed (the caller words the status: it knows the
    /// method and the timeout).
    DeadlinePassed,
}

impl From<Status> for CallFailure {
    fn from(status: Status) -> Self {
        CallFailure::Status(status)
    }
}

/// A call waiting for its answer. Dropped before the answer came (the
/// caller's future dropped, or queueing timed out), it forgets the call and
/// tells the server with a cancel frame. A call whose deadline passes while
/// it waits for the answer is failed, forgotten and cancelled by the
/// connection's deadline task instead.
struct InFlight<'a> {
    connection: &'a Connection,
    id: u32,
    done: bool,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if !self.done && self.connection.forget(self.id) && self.connection.is_open() {
            self.connection
                .try_send(Frame::control(self.id, Message::Cancel));
        }
    }
}

impl Shared {
    fn lock_state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn open_connection(&self) -> Option<Arc<Connection>> {
        let state = self.lock_state();
        state
            .connection
            .as_ref()
            .filter(|connection| connection.is_open())
            .cloned()
    }

    async fn open(&self) -> Result<Arc<Connection>, std::io::Error> {
        let timeout = self.config.connect_timeout;
        let connect = async {
            match &self.target {
                Target::Tcp(addr) => {
                    let stream = tokio::net::TcpStream::connect(addr.as_str()).await?;
                    stream.set_nodelay(true)?;
                    let peer = stream
                        .peer_addr()
                        .map_or_else(|_| addr.clone(), |a| a.to_string());
                    #[cfg(feature = "tls")]
                    if let Some(tls) = &self.config.tls {
                        let stream = tls.handshake(crate::tls::host_of(addr), stream).await?;
                        let (reader, writer) = tokio::io::split(stream);
                        return Ok(Connection::start(
                            peer,
                            reader,
                            writer,
                            &self.config,
                            Arc::clone(&self.batch_forming),
                        ));
                    }
                    let (reader, writer) = stream.into_split();
                    Ok::<_, std::io::Error>(Connection::start(
                        peer,
                        reader,
                        writer,
                        &self.config,
                        Arc::clone(&self.batch_forming),
                    ))
                }
                #[cfg(unix)]
                Target::Unix(path) => {
                    let stream = tokio::net::UnixStream::connect(path).await?;
                    #[cfg(feature = "tls")]
                    if let Some(tls) = &self.config.tls {
                        if !tls.has_server_name() {
                            return Err(std::io::Error::other(
                                "TLS over a Unix socket needs ClientTlsBuilder::server_name",
                            ));
                        }
                        let stream = tls.handshake("", stream).await?;
                        let (reader, writer) = tokio::io::split(stream);
                        return Ok(Connection::start(
                            path.display().to_string(),
                            reader,
                            writer,
                            &self.config,
                            Arc::clone(&self.batch_forming),
                        ));
                    }
                    let (reader, writer) = stream.into_split();
                    Ok(Connection::start(
                        path.display().to_string(),
                        reader,
                        writer,
                        &self.config,
                        Arc::clone(&self.batch_forming),
                    ))
                }
                #[cfg(not(unix))]
                Target::Unix(_) => Err(std::io::Error::other("unix sockets need a unix platform")),
            }
        };
        match tokio::time::timeout(timeout, connect).await {
            Ok(Ok(connection)) => Ok(connection),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("connect timed out after {timeout:?}"),
            )),
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(connection) = self.lock_state().connection.take() {
            connection.close("client dropped");
        }
    }
}

/// An `io::Error` of the same kind and text (they are not `Clone`): what a
/// status's source can be downcast to.
fn copy_of(error: &std::io::Error) -> std::io::Error {
    std::io::Error::new(error.kind(), error.to_string())
}

/// The wait before the next connect attempt after `failures` failed ones.
fn backoff(config: &ClientConfig, failures: u32) -> Duration {
    let exponent = failures.saturating_sub(1).min(16);
    config
        .reconnect_backoff
        .saturating_mul(1 << exponent)
        .min(config.max_reconnect_backoff)
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("target", &self.shared.target)
            .field("connected", &self.is_connected())
            .finish()
    }
}
