//! [`ClientConfig`]: the settings of a [`Client`](crate::Client).

use std::time::Duration;

use rpc_codec::{Codec, CompressionPolicy};
use rpc_core::frame::{DEFAULT_MAX_FRAME_SIZE, MetadataLimits};

/// Settings of one client connection. Every field has a production default.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Codec of calls that do not choose one. Default: msgpack.
    pub codec: Codec,
    /// Compression of arguments. Default: none.
    pub compression: CompressionPolicy,
    /// Whole-call timeout of calls that do not set one; also the deadline
    /// budget sent to the server. Default: 10 s.
    pub timeout: Duration,
    /// How long establishing the connection may take. Default: 5 s.
    pub connect_timeout: Duration,
    /// A ping is sent when nothing was read for this long. Default: 10 s.
    pub heartbeat_interval: Duration,
    /// The connection is declared dead when nothing (not even a pong) was
    /// read for this long; its calls fail with `unavailable` at once.
    /// Default: 30 s.
    pub heartbeat_timeout: Duration,
    /// Largest frame sent or accepted. Default: 4 MiB.
    pub max_frame_size: u32,
    /// Largest reply payload after decompression. Default: 4 MiB.
    pub max_payload_size: usize,
    /// Metadata accepted per reply; a reply over it fails its call alone
    /// (`bad_request`). Default: 128 entries, 16 KiB.
    pub metadata_limits: MetadataLimits,
    /// First wait before reconnecting after a failed connect; doubles with
    /// each further failure. Default: 100 ms.
    pub reconnect_backoff: Duration,
    /// Longest wait between reconnect attempts. Default: 5 s.
    pub max_reconnect_backoff: Duration,
    /// Frames queued for the connection's writer; callers wait (inside their
    /// timeout) when it is full. Default: 4096.
    pub write_queue: usize,
    /// Metrics (label `endpoint`), a `tracing` span per call and W3C trace
    /// context in the request's metadata (`docs/OBSERVABILITY.md`). Off, a
    /// call does none of it. Default: on.
    pub instrument: bool,
    /// A bearer token sent with every call (calls may set their own in
    /// [`CallOptions::credential`](crate::CallOptions)). Default: none.
    pub credential: Option<crate::Credential>,
    /// TLS for every connection (`tls` feature). Default: none (plaintext).
    #[cfg(feature = "tls")]
    pub tls: Option<crate::ClientTls>,
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
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}
