//! [`GatewayConfig`]: limits, timeouts and CORS of the gateway.

use std::time::Duration;

/// The smallest read buffer hyper accepts; a smaller header limit is raised to it.
const MIN_HEADER_BYTES: usize = 8192;

/// Limits, timeouts and CORS. Every setting has a production default.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// The largest request body accepted; larger is `413`. Default 4 MiB
    /// (the binary protocol's default frame size).
    pub max_body_bytes: usize,
    /// The largest request head (request line and headers); at least 8 KiB.
    /// Default 16 KiB.
    pub max_header_bytes: usize,
    /// Time for a request head to arrive whole. Default 10 s.
    pub header_timeout: Duration,
    /// Time for a request body to arrive whole. Default 10 s.
    pub body_timeout: Duration,
    /// Time a call may take, sent on as its deadline. Default 30 s.
    pub call_timeout: Duration,
    /// Origins allowed to call from a browser (`*` for any); empty (the
    /// default) sends no CORS headers, so browsers refuse cross-origin calls.
    pub allowed_origins: Vec<String>,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            max_body_bytes: 4 * 1024 * 1024,
            max_header_bytes: 16 * 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            call_timeout: Duration::from_secs(30),
            allowed_origins: Vec::new(),
        }
    }
}

impl GatewayConfig {
    /// Sets [`GatewayConfig::max_body_bytes`].
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Sets [`GatewayConfig::max_header_bytes`].
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.max_header_bytes = bytes;
        self
    }

    /// Sets [`GatewayConfig::header_timeout`].
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self
    }

    /// Sets [`GatewayConfig::body_timeout`].
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// Sets [`GatewayConfig::call_timeout`].
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Adds an origin browsers may call from (`*` for any).
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.allowed_origins.push(origin.into());
        self
    }

    /// The header limit as hyper takes it.
    pub(crate) fn header_buffer(&self) -> usize {
        self.max_header_bytes.max(MIN_HEADER_BYTES)
    }
}
