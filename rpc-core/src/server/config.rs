//! [`ServerConfig`] and its [`ServerConfigBuilder`]: the limits and
//! timeouts of a server.

use std::time::Duration;

use rpc_codec::DEFAULT_COMPRESSION_THRESHOLD;

use crate::ConfigError;
use crate::frame::{DEFAULT_MAX_FRAME_SIZE, MetadataLimits};

/// Every limit a peer could otherwise push past, and the server's timeouts.
/// Each has a production default; build one with [`ServerConfig::builder`]
/// (and hand it to [`ServerBuilder::config`](crate::server::ServerBuilder::config)),
/// or set single ones with the [`ServerBuilder`](crate::server::ServerBuilder)'s
/// methods.
///
/// ```
/// use std::time::Duration;
/// use rpc_core::server::ServerConfig;
///
/// let config = ServerConfig::builder()
///     .max_connections(100)
///     .idle_timeout(Duration::from_secs(30))
///     .build()
///     .unwrap();
/// assert_eq!(config.max_connections(), 100);
/// ```
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub(crate) max_frame_size: u32,
    pub(crate) max_payload_size: usize,
    pub(crate) max_calls_per_connection: usize,
    pub(crate) max_calls: usize,
    pub(crate) max_inflight_bytes: usize,
    pub(crate) max_connections: usize,
    pub(crate) max_inflating: usize,
    pub(crate) metadata_limits: MetadataLimits,
    pub(crate) idle_timeout: Duration,
    pub(crate) frame_timeout: Duration,
    pub(crate) first_frame_timeout: Duration,
    pub(crate) handler_timeout: Option<Duration>,
    pub(crate) grace_period: Duration,
    pub(crate) compression_threshold: usize,
    pub(crate) write_queue: usize,
    pub(crate) instrument: bool,
    pub(crate) rpcx: bool,
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

impl ServerConfig {
    /// A builder starting from the defaults.
    pub fn builder() -> ServerConfigBuilder {
        ServerConfigBuilder::default()
    }

    /// A builder starting from this config's settings.
    pub fn to_builder(&self) -> ServerConfigBuilder {
        ServerConfigBuilder {
            config: self.clone(),
        }
    }

    /// Largest frame accepted or sent, header included. Default: 4 MiB.
    pub fn max_frame_size(&self) -> u32 {
        self.max_frame_size
    }

    /// Largest argument after decompression. Default: 4 MiB.
    pub fn max_payload_size(&self) -> usize {
        self.max_payload_size
    }

    /// Calls running at once on one connection; more are answered with
    /// `overloaded`. Default: 10,000.
    pub fn max_calls_per_connection(&self) -> usize {
        self.max_calls_per_connection
    }

    /// Calls running at once on the whole server; more are answered with
    /// `overloaded`. Default: 100,000.
    pub fn max_calls(&self) -> usize {
        self.max_calls
    }

    /// Bytes of request payloads (as received, before decompression) held by
    /// the calls in flight on the whole server; a call that would go beyond is
    /// answered `overloaded`. Without it, memory is bounded only by calls in
    /// flight × frame size. Default: 256 MiB.
    pub fn max_inflight_bytes(&self) -> usize {
        self.max_inflight_bytes
    }

    /// Connections open at once; more are closed as soon as accepted. Default:
    /// 10,000.
    pub fn max_connections(&self) -> usize {
        self.max_connections
    }

    /// Compressed arguments inflating at once on the whole server; more wait
    /// their turn (within their deadline). Each connection inflates one
    /// argument at a time, so one peer's compressed calls take at most one
    /// core. Each may hold up to `max_payload_size` of output plus the
    /// algorithm's window (zstd: up to 8 MiB, or the payload limit rounded up
    /// to a power of two), so this also bounds that memory. Default: the number
    /// of cores, at least 2.
    pub fn max_inflating(&self) -> usize {
        self.max_inflating
    }

    /// Metadata entries and bytes accepted per frame; a request over them is
    /// answered `bad_request` alone. Default: 128 entries, 16 KiB.
    pub fn metadata_limits(&self) -> MetadataLimits {
        self.metadata_limits
    }

    /// A connection with no frame received and no call running for this long is
    /// closed. Clients keep live connections open with pings (`rpc_client`
    /// pings after 10 s of silence). Default: 60 s.
    pub fn idle_timeout(&self) -> Duration {
        self.idle_timeout
    }

    /// Once the first byte of a frame has arrived, the rest must arrive within
    /// this long, or the connection is closed (a peer trickling bytes holds a
    /// connection, a buffer and a file descriptor). Default: 10 s.
    pub fn frame_timeout(&self) -> Duration {
        self.frame_timeout
    }

    /// A new connection must complete its first frame within this long
    /// (`rpc_client` sends a ping on connect). Default: 10 s.
    pub fn first_frame_timeout(&self) -> Duration {
        self.first_frame_timeout
    }

    /// Longest any handler may run, whatever the caller's budget. Default: none
    /// (the caller's deadline budget alone applies).
    pub fn handler_timeout(&self) -> Option<Duration> {
        self.handler_timeout
    }

    /// On graceful shutdown, how long calls in flight may still finish before
    /// they are cancelled and answered with `cancelled`. Default: 10 s.
    pub fn grace_period(&self) -> Duration {
        self.grace_period
    }

    /// Replies to compressed requests are compressed with the same algorithm
    /// when at least this long. Default: 1 KiB.
    pub fn compression_threshold(&self) -> usize {
        self.compression_threshold
    }

    /// Frames queued for one connection's writer before handlers wait. Default:
    /// 4096.
    pub fn write_queue(&self) -> usize {
        self.write_queue
    }

    /// Metrics (through the `metrics` facade) and a `tracing` span per call,
    /// with W3C trace context adopted from the caller's metadata
    /// (`docs/OBSERVABILITY.md`). Off, services are not wrapped at all: no
    /// per-call cost, no trace propagation. Default: on.
    pub fn instrument(&self) -> bool {
        self.instrument
    }

    /// Also serve Go rpcx's protocol on the same listener: a connection whose
    /// first byte is rpcx's magic `0x08` is served as rpcx (`docs/PROTOCOL.md`,
    /// "rpcx protocol"), with the same services, limits and timeouts.
    /// Default: off.
    pub fn rpcx(&self) -> bool {
        self.rpcx
    }
}

/// Builds a [`ServerConfig`]: by-value setters, one per setting, then
/// [`build`](ServerConfigBuilder::build), which checks them.
#[derive(Debug, Clone, Default)]
pub struct ServerConfigBuilder {
    config: ServerConfig,
}

impl ServerConfigBuilder {
    /// Largest frame accepted or sent, header included. Default: 4 MiB.
    pub fn max_frame_size(mut self, max_frame_size: u32) -> Self {
        self.config.max_frame_size = max_frame_size;
        self
    }

    /// Largest argument after decompression. Default: 4 MiB.
    pub fn max_payload_size(mut self, max_payload_size: usize) -> Self {
        self.config.max_payload_size = max_payload_size;
        self
    }

    /// Calls running at once on one connection; more are answered with
    /// `overloaded`. Default: 10,000.
    pub fn max_calls_per_connection(mut self, max_calls_per_connection: usize) -> Self {
        self.config.max_calls_per_connection = max_calls_per_connection;
        self
    }

    /// Calls running at once on the whole server; more are answered with
    /// `overloaded`. Default: 100,000.
    pub fn max_calls(mut self, max_calls: usize) -> Self {
        self.config.max_calls = max_calls;
        self
    }

    /// Bytes of request payloads (as received, before decompression) held by
    /// the calls in flight on the whole server; a call that would go beyond is
    /// answered `overloaded`. Without it, memory is bounded only by calls in
    /// flight × frame size. Default: 256 MiB.
    pub fn max_inflight_bytes(mut self, max_inflight_bytes: usize) -> Self {
        self.config.max_inflight_bytes = max_inflight_bytes;
        self
    }

    /// Connections open at once; more are closed as soon as accepted. Default:
    /// 10,000.
    pub fn max_connections(mut self, max_connections: usize) -> Self {
        self.config.max_connections = max_connections;
        self
    }

    /// Compressed arguments inflating at once on the whole server; more wait
    /// their turn (within their deadline). Each connection inflates one
    /// argument at a time, so one peer's compressed calls take at most one
    /// core. Each may hold up to `max_payload_size` of output plus the
    /// algorithm's window (zstd: up to 8 MiB, or the payload limit rounded up
    /// to a power of two), so this also bounds that memory. Default: the number
    /// of cores, at least 2.
    pub fn max_inflating(mut self, max_inflating: usize) -> Self {
        self.config.max_inflating = max_inflating;
        self
    }

    /// Metadata entries and bytes accepted per frame; a request over them is
    /// answered `bad_request` alone. Default: 128 entries, 16 KiB.
    pub fn metadata_limits(mut self, metadata_limits: MetadataLimits) -> Self {
        self.config.metadata_limits = metadata_limits;
        self
    }

    /// A connection with no frame received and no call running for this long is
    /// closed. Clients keep live connections open with pings (`rpc_client`
    /// pings after 10 s of silence). Default: 60 s.
    pub fn idle_timeout(mut self, idle_timeout: Duration) -> Self {
        self.config.idle_timeout = idle_timeout;
        self
    }

    /// Once the first byte of a frame has arrived, the rest must arrive within
    /// this long, or the connection is closed (a peer trickling bytes holds a
    /// connection, a buffer and a file descriptor). Default: 10 s.
    pub fn frame_timeout(mut self, frame_timeout: Duration) -> Self {
        self.config.frame_timeout = frame_timeout;
        self
    }

    /// A new connection must complete its first frame within this long
    /// (`rpc_client` sends a ping on connect). Default: 10 s.
    pub fn first_frame_timeout(mut self, first_frame_timeout: Duration) -> Self {
        self.config.first_frame_timeout = first_frame_timeout;
        self
    }

    /// Longest any handler may run, whatever the caller's budget. Default: none
    /// (the caller's deadline budget alone applies).
    pub fn handler_timeout(mut self, handler_timeout: impl Into<Option<Duration>>) -> Self {
        self.config.handler_timeout = handler_timeout.into();
        self
    }

    /// On graceful shutdown, how long calls in flight may still finish before
    /// they are cancelled and answered with `cancelled`. Default: 10 s.
    pub fn grace_period(mut self, grace_period: Duration) -> Self {
        self.config.grace_period = grace_period;
        self
    }

    /// Replies to compressed requests are compressed with the same algorithm
    /// when at least this long. Default: 1 KiB.
    pub fn compression_threshold(mut self, compression_threshold: usize) -> Self {
        self.config.compression_threshold = compression_threshold;
        self
    }

    /// Frames queued for one connection's writer before handlers wait. Default:
    /// 4096.
    pub fn write_queue(mut self, write_queue: usize) -> Self {
        self.config.write_queue = write_queue;
        self
    }

    /// Metrics (through the `metrics` facade) and a `tracing` span per call,
    /// with W3C trace context adopted from the caller's metadata
    /// (`docs/OBSERVABILITY.md`). Off, services are not wrapped at all: no
    /// per-call cost, no trace propagation. Default: on.
    pub fn instrument(mut self, instrument: bool) -> Self {
        self.config.instrument = instrument;
        self
    }

    /// Also serve Go rpcx's protocol on the same listener: a connection whose
    /// first byte is rpcx's magic `0x08` is served as rpcx (`docs/PROTOCOL.md`,
    /// "rpcx protocol"), with the same services, limits and timeouts.
    /// Default: off.
    pub fn rpcx(mut self, rpcx: bool) -> Self {
        self.config.rpcx = rpcx;
        self
    }

    /// The config, or why it cannot work: a zero size, count, queue or
    /// timeout (a zero grace period or compression threshold is allowed).
    pub fn build(self) -> Result<ServerConfig, ConfigError> {
        let c = &self.config;
        let zero = [
            ("max_frame_size", c.max_frame_size == 0),
            ("max_payload_size", c.max_payload_size == 0),
            ("max_calls_per_connection", c.max_calls_per_connection == 0),
            ("max_calls", c.max_calls == 0),
            ("max_inflight_bytes", c.max_inflight_bytes == 0),
            ("max_connections", c.max_connections == 0),
            ("max_inflating", c.max_inflating == 0),
            ("idle_timeout", c.idle_timeout.is_zero()),
            ("frame_timeout", c.frame_timeout.is_zero()),
            ("first_frame_timeout", c.first_frame_timeout.is_zero()),
            (
                "handler_timeout",
                c.handler_timeout.is_some_and(|t| t.is_zero()),
            ),
            ("write_queue", c.write_queue == 0),
        ];
        if let Some((setting, _)) = zero.into_iter().find(|(_, zero)| *zero) {
            return Err(ConfigError::Zero { setting });
        }
        Ok(self.config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_build() {
        let config = ServerConfig::builder().build().unwrap();
        assert_eq!(config.max_calls(), ServerConfig::default().max_calls());
        let no_grace = config.to_builder().grace_period(Duration::ZERO).build();
        assert_eq!(no_grace.unwrap().grace_period(), Duration::ZERO);
    }

    #[test]
    fn build_refuses_each_invalid_setting() {
        let b = ServerConfig::builder;
        let zero = Duration::ZERO;
        let refused = [
            ("max_frame_size", b().max_frame_size(0)),
            ("max_payload_size", b().max_payload_size(0)),
            ("max_calls_per_connection", b().max_calls_per_connection(0)),
            ("max_calls", b().max_calls(0)),
            ("max_inflight_bytes", b().max_inflight_bytes(0)),
            ("max_connections", b().max_connections(0)),
            ("max_inflating", b().max_inflating(0)),
            ("idle_timeout", b().idle_timeout(zero)),
            ("frame_timeout", b().frame_timeout(zero)),
            ("first_frame_timeout", b().first_frame_timeout(zero)),
            ("handler_timeout", b().handler_timeout(zero)),
            ("write_queue", b().write_queue(0)),
        ];
        for (setting, builder) in refused {
            assert_eq!(
                builder.build().unwrap_err(),
                ConfigError::Zero { setting },
                "{setting}"
            );
        }
    }
}
