//! [`ClientConfig`] and its [`ClientConfigBuilder`]: the settings of a
//! [`Client`](crate::Client).

use std::time::Duration;

use rpc_codec::{Codec, CompressionPolicy};
use rpc_core::ConfigError;
use rpc_core::frame::{DEFAULT_MAX_FRAME_SIZE, MetadataLimits};

/// Settings of one client connection. Every setting has a production
/// default; build one with [`ClientConfig::builder`], change one of an
/// existing config with [`ClientConfig::to_builder`].
///
/// ```
/// use std::time::Duration;
/// use rpc_client::ClientConfig;
/// use rpc_codec::Codec;
///
/// let config = ClientConfig::builder()
///     .timeout(Duration::from_secs(2))
///     .codec(Codec::Json)
///     .build()
///     .unwrap();
/// assert_eq!(config.timeout(), Duration::from_secs(2));
/// ```
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub(crate) codec: Codec,
    pub(crate) compression: CompressionPolicy,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) heartbeat_interval: Duration,
    pub(crate) heartbeat_timeout: Duration,
    pub(crate) max_frame_size: u32,
    pub(crate) max_payload_size: usize,
    pub(crate) metadata_limits: MetadataLimits,
    pub(crate) reconnect_backoff: Duration,
    pub(crate) max_reconnect_backoff: Duration,
    pub(crate) write_queue: usize,
    pub(crate) instrument: bool,
    pub(crate) credential: Option<crate::Credential>,
    pub(crate) protocol: crate::Protocol,
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<crate::ClientTls>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            codec: Codec::MsgPack,
            compression: CompressionPolicy::NONE,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            heartbeat_interval: Duration::from_secs(10),
            heartbeat_timeout: Duration::from_secs(30),
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            max_payload_size: DEFAULT_MAX_FRAME_SIZE as usize,
            metadata_limits: MetadataLimits::default(),
            reconnect_backoff: Duration::from_millis(100),
            max_reconnect_backoff: Duration::from_secs(5),
            write_queue: 4096,
            instrument: true,
            credential: None,
            protocol: crate::Protocol::Native,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}

impl ClientConfig {
    /// A builder starting from the defaults.
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder::default()
    }

    /// A builder starting from this config's settings.
    pub fn to_builder(&self) -> ClientConfigBuilder {
        ClientConfigBuilder {
            config: self.clone(),
        }
    }

    /// Codec of calls that do not choose one. Default: msgpack.
    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// Compression of arguments. Default: none.
    pub fn compression(&self) -> CompressionPolicy {
        self.compression
    }

    /// Whole-call timeout of calls that do not set one; also the deadline
    /// budget sent to the server. Default: 10 s.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// How long establishing the connection may take. Default: 5 s.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// A ping is sent when nothing was read for this long. Default: 10 s.
    pub fn heartbeat_interval(&self) -> Duration {
        self.heartbeat_interval
    }

    /// The connection is declared dead when nothing (not even a pong) was
    /// read for this long; its calls fail with `unavailable` at once.
    /// Default: 30 s.
    pub fn heartbeat_timeout(&self) -> Duration {
        self.heartbeat_timeout
    }

    /// Largest frame sent or accepted. Default: 4 MiB.
    pub fn max_frame_size(&self) -> u32 {
        self.max_frame_size
    }

    /// Largest reply payload after decompression. Default: 4 MiB.
    pub fn max_payload_size(&self) -> usize {
        self.max_payload_size
    }

    /// Metadata accepted per reply; a reply over it fails its call alone
    /// (`bad_request`). Default: 128 entries, 16 KiB.
    pub fn metadata_limits(&self) -> MetadataLimits {
        self.metadata_limits
    }

    /// First wait before reconnecting after a failed connect; doubles with
    /// each further failure. Default: 100 ms.
    pub fn reconnect_backoff(&self) -> Duration {
        self.reconnect_backoff
    }

    /// Longest wait between reconnect attempts. Default: 5 s.
    pub fn max_reconnect_backoff(&self) -> Duration {
        self.max_reconnect_backoff
    }

    /// Frames queued for the connection's writer; callers wait (inside their
    /// timeout) when it is full. Default: 4096.
    pub fn write_queue(&self) -> usize {
        self.write_queue
    }

    /// Metrics (label `endpoint`), a `tracing` span per call and W3C trace
    /// context in the request's metadata (`docs/OBSERVABILITY.md`). Off, a
    /// call does none of it. Default: on.
    pub fn instrument(&self) -> bool {
        self.instrument
    }

    /// A bearer token sent with every call (calls may set their own in
    /// [`CallOptions::credential`](crate::CallOptions)). Default: none.
    pub fn credential(&self) -> Option<&crate::Credential> {
        self.credential.as_ref()
    }

    /// The wire protocol: this project's frames, or Go rpcx's messages to
    /// call rpcx servers (`docs/PROTOCOL.md` §13.5: the deadline budget as
    /// `__ServerTimeout`, the credential as `__AUTH`, compression as gzip
    /// above 1 KiB). Default: [`Protocol::Native`](crate::Protocol::Native).
    pub fn protocol(&self) -> crate::Protocol {
        self.protocol
    }

    #[cfg(feature = "tls")]
    /// TLS for every connection (`tls` feature). Default: none (plaintext).
    pub fn tls(&self) -> Option<&crate::ClientTls> {
        self.tls.as_ref()
    }
}

/// Builds a [`ClientConfig`]: by-value setters, one per setting, then
/// [`build`](ClientConfigBuilder::build), which checks the combination.
#[derive(Debug, Clone, Default)]
pub struct ClientConfigBuilder {
    config: ClientConfig,
}

impl ClientConfigBuilder {
    /// Codec of calls that do not choose one. Default: msgpack.
    pub fn codec(mut self, codec: Codec) -> Self {
        self.config.codec = codec;
        self
    }

    /// Compression of arguments. Default: none.
    pub fn compression(mut self, compression: CompressionPolicy) -> Self {
        self.config.compression = compression;
        self
    }

    /// Whole-call timeout of calls that do not set one; also the deadline
    /// budget sent to the server. Default: 10 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// How long establishing the connection may take. Default: 5 s.
    pub fn connect_timeout(mut self, connect_timeout: Duration) -> Self {
        self.config.connect_timeout = connect_timeout;
        self
    }

    /// A ping is sent when nothing was read for this long. Default: 10 s.
    pub fn heartbeat_interval(mut self, heartbeat_interval: Duration) -> Self {
        self.config.heartbeat_interval = heartbeat_interval;
        self
    }

    /// The connection is declared dead when nothing (not even a pong) was
    /// read for this long; its calls fail with `unavailable` at once.
    /// Default: 30 s.
    pub fn heartbeat_timeout(mut self, heartbeat_timeout: Duration) -> Self {
        self.config.heartbeat_timeout = heartbeat_timeout;
        self
    }

    /// Largest frame sent or accepted. Default: 4 MiB.
    pub fn max_frame_size(mut self, max_frame_size: u32) -> Self {
        self.config.max_frame_size = max_frame_size;
        self
    }

    /// Largest reply payload after decompression. Default: 4 MiB.
    pub fn max_payload_size(mut self, max_payload_size: usize) -> Self {
        self.config.max_payload_size = max_payload_size;
        self
    }

    /// Metadata accepted per reply; a reply over it fails its call alone
    /// (`bad_request`). Default: 128 entries, 16 KiB.
    pub fn metadata_limits(mut self, metadata_limits: MetadataLimits) -> Self {
        self.config.metadata_limits = metadata_limits;
        self
    }

    /// First wait before reconnecting after a failed connect; doubles with
    /// each further failure. Default: 100 ms.
    pub fn reconnect_backoff(mut self, reconnect_backoff: Duration) -> Self {
        self.config.reconnect_backoff = reconnect_backoff;
        self
    }

    /// Longest wait between reconnect attempts. Default: 5 s.
    pub fn max_reconnect_backoff(mut self, max_reconnect_backoff: Duration) -> Self {
        self.config.max_reconnect_backoff = max_reconnect_backoff;
        self
    }

    /// Frames queued for the connection's writer; callers wait (inside their
    /// timeout) when it is full. Default: 4096.
    pub fn write_queue(mut self, write_queue: usize) -> Self {
        self.config.write_queue = write_queue;
        self
    }

    /// Metrics (label `endpoint`), a `tracing` span per call and W3C trace
    /// context in the request's metadata (`docs/OBSERVABILITY.md`). Off, a
    /// call does none of it. Default: on.
    pub fn instrument(mut self, instrument: bool) -> Self {
        self.config.instrument = instrument;
        self
    }

    /// A bearer token sent with every call (calls may set their own in
    /// [`CallOptions::credential`](crate::CallOptions)). Default: none.
    pub fn credential(mut self, credential: impl Into<Option<crate::Credential>>) -> Self {
        self.config.credential = credential.into();
        self
    }

    /// The wire protocol: this project's frames, or Go rpcx's messages to
    /// call rpcx servers (`docs/PROTOCOL.md` §13.5: the deadline budget as
    /// `__ServerTimeout`, the credential as `__AUTH`, compression as gzip
    /// above 1 KiB). Default: [`Protocol::Native`](crate::Protocol::Native).
    pub fn protocol(mut self, protocol: crate::Protocol) -> Self {
        self.config.protocol = protocol;
        self
    }

    #[cfg(feature = "tls")]
    /// TLS for every connection (`tls` feature). Default: none (plaintext).
    pub fn tls(mut self, tls: impl Into<Option<crate::ClientTls>>) -> Self {
        self.config.tls = tls.into();
        self
    }

    /// The config, or why its settings cannot work together: a zero
    /// timeout, frame size, payload size or write queue, a heartbeat timeout
    /// not longer than the heartbeat interval.
    pub fn build(self) -> Result<ClientConfig, ConfigError> {
        let c = &self.config;
        let zero = [
            ("timeout", c.timeout.is_zero()),
            ("connect_timeout", c.connect_timeout.is_zero()),
            ("heartbeat_interval", c.heartbeat_interval.is_zero()),
            ("max_frame_size", c.max_frame_size == 0),
            ("max_payload_size", c.max_payload_size == 0),
            ("write_queue", c.write_queue == 0),
        ];
        if let Some((setting, _)) = zero.into_iter().find(|(_, zero)| *zero) {
            return Err(ConfigError::Zero { setting });
        }
        if c.heartbeat_timeout <= c.heartbeat_interval {
            return Err(ConfigError::NotGreater {
                larger: "heartbeat_timeout",
                smaller: "heartbeat_interval",
            });
        }
        Ok(self.config)
    }
}
