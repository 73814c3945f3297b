//! [`ServerConfig`]: the limits and timeouts of a server.

use std::time::Duration;

use rpc_codec::DEFAULT_COMPRESSION_THRESHOLD;

use crate::frame::{DEFAULT_MAX_FRAME_SIZE, MetadataLimits};

/// Every limit a peer could otherwise push past, and the server's timeouts.
/// Each has a production default and a builder method on
/// [`ServerBuilder`](crate::server::ServerBuilder).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest frame accepted or sent, header included. Default: 4 MiB.
    pub max_frame_size: u32,
    /// Largest argument after decompression. Default: 4 MiB.
    pub max_payload_size: usize,
    /// Calls running at once on one connection; more are answered with
    /// `overloaded`. Default: 10,000.
    pub max_calls_per_connection: usize,
    /// Calls running at once on the whole server; more are answered with
    /// `overloaded`. Default: 100,000.
    pub max_calls: usize,
    /// Bytes of request payloads (as received, before decompression) held
    /// by the calls in flight on the whole server; a call that would go
    /// beyond is answered `overloaded`. Without it, memory is bounded only
    /// by calls in flight × frame size. Default: 256 MiB.
    pub max_inflight_bytes: usize,
    /// Connections open at once; more are closed as soon as accepted.
    /// Default: 10,000.
    pub max_connections: usize,
    /// Compressed arguments inflating at once on the whole server; more
    /// wait their turn (within their deadline). Each connection inflates
    /// one argument at a time, so one peer's compressed calls take at most
    /// one core. Each may hold up to `max_payload_size` of output plus the
    /// algorithm's window (zstd: up to 8 MiB, or the payload limit rounded
    /// up to a power of two), so this also bounds that memory. Default: the
    /// number of cores, at least 2.
    pub max_inflating: usize,
    /// Metadata entries and bytes accepted per frame; a request over them is
    /// answered `bad_request` alone. Default: 128 entries, 16 KiB.
    pub metadata_limits: MetadataLimits,
    /// A connection with no frame received and no call running for this
    /// long is closed. Clients keep live connections open with pings
    /// (`rpc_client` pings after 10 s of silence). Default: 60 s.
    pub idle_timeout: Duration,
    /// Once the first byte of a frame has arrived, the rest must arrive
    /// within this long, or the connection is closed (a peer trickling bytes
    /// holds a connection, a buffer and a file descriptor). Default: 10 s.
    pub frame_timeout: Duration,
    /// A new connection must complete its first frame within this long
    /// (`rpc_client` sends a ping on connect). Default: 10 s.
    pub first_frame_timeout: Duration,
    /// Longest any handler may run, whatever the caller's budget.
    /// Default: none (the caller's deadline budget alone applies).
    pub handler_timeout: Option<Duration>,
    /// On graceful shutdown, how long calls in flight may still finish
    /// before they are cancelled and answered with `cancelled`. Default: 10 s.
    pub grace_period: Duration,
    /// Replies to compressed requests are compressed with the same algorithm
    /// when at least this long. Default: 1 KiB.
    pub compression_threshold: usize,
    /// Frames queued for one connection's writer before handlers wait.
    /// Default: 4096.
    pub write_queue: usize,
    /// Metrics (through the `metrics` facade) and a `tracing` span per
    /// call, with W3C trace context adopted from the caller's metadata
    /// (`docs/OBSERVABILITY.md`). Off, services are not wrapped at all: no
    /// per-call cost, no trace propagation. Default: on.
    pub instrument: bool,
    /// Also serve Go rpcx's protocol on the same listener: a connection whose
    /// first byte is rpcx's magic `0x08` is served as rpcx (`docs/PROTOCOL.md`,
    /// "rpcx protocol"), with the same services, limits and timeouts.
    /// Default: off.
    pub rpcx: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            max_payload_size: DEFAULT_MAX_FRAME_SIZE as usize,
            max_calls_per_connection: 10_000,
            max_calls: 100_000,
            max_inflight_bytes: 256 * 1024 * 1024,
            max_connections: 10_000,
            max_inflating: std::thread::available_parallelism()
                .map_or(2, |cores| cores.get())
                .max(2),
            metadata_limits: MetadataLimits::default(),
            idle_timeout: Duration::from_secs(60),
            frame_timeout: Duration::from_secs(10),
            first_frame_timeout: Duration::from_secs(10),
            handler_timeout: None,
            grace_period: Duration::from_secs(10),
            compression_threshold: DEFAULT_COMPRESSION_THRESHOLD,
            write_queue: 4096,
            instrument: true,
            rpcx: false,
        }
    }
}
