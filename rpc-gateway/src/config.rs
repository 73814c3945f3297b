//! [`GatewayConfig`] and its [`GatewayConfigBuilder`]: limits, timeouts and
//! CORS of the gateway.

use std::time::Duration;

use rpc_core::ConfigError;

/// The smallest read buffer hyper accepts.
const MIN_HEADER_BYTES: usize = 8192;

/// Limits, timeouts and CORS. Every setting has a production default;
/// build one with [`GatewayConfig::builder`], change one of an existing
/// config with [`GatewayConfig::to_builder`].
///
/// ```
/// use std::time::Duration;
/// use rpc_gateway::GatewayConfig;
///
/// let config = GatewayConfig::builder()
///     .call_timeout(Duration::from_secs(5))
///     .allow_origin("*")
///     .build()
///     .unwrap();
/// assert_eq!(config.allowed_origins(), ["*"]);
/// ```
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    pub(crate) max_body_bytes: usize,
    pub(crate) max_header_bytes: usize,
    pub(crate) header_timeout: Duration,
    pub(crate) body_timeout: Duration,
    pub(crate) call_timeout: Duration,
    pub(crate) allowed_origins: Vec<String>,
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
    /// A builder starting from the defaults.
    pub fn builder() -> GatewayConfigBuilder {
        GatewayConfigBuilder::default()
    }

    /// A builder starting from this config's settings.
    pub fn to_builder(&self) -> GatewayConfigBuilder {
        GatewayConfigBuilder {
            config: self.clone(),
        }
    }

    /// The largest request body accepted; larger is `413`. Default: 4 MiB
    /// (the binary protocol's default frame size).
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// The largest request head (request line and headers); at least 8 KiB.
    /// Default: 16 KiB.
    pub fn max_header_bytes(&self) -> usize {
        self.max_header_bytes
    }

    /// Time for a request head to arrive whole. Default: 10 s.
    pub fn header_timeout(&self) -> Duration {
        self.header_timeout
    }

    /// Time for a request body to arrive whole. Default: 10 s.
    pub fn body_timeout(&self) -> Duration {
        self.body_timeout
    }

    /// Time a call may take, sent on as its deadline. Default: 30 s.
    pub fn call_timeout(&self) -> Duration {
        self.call_timeout
    }

    /// Origins allowed to call from a browser (`*` for any); empty (the
    /// default) sends no CORS headers, so browsers refuse cross-origin calls.
    pub fn allowed_origins(&self) -> &[String] {
        &self.allowed_origins
    }

    /// The header limit as hyper takes it.
    pub(crate) fn header_buffer(&self) -> usize {
        self.max_header_bytes.max(MIN_HEADER_BYTES)
    }
}

/// Builds a [`GatewayConfig`]: by-value setters, one per setting, then
/// [`build`](GatewayConfigBuilder::build), which checks them.
#[derive(Debug, Clone, Default)]
pub struct GatewayConfigBuilder {
    config: GatewayConfig,
}

impl GatewayConfigBuilder {
    /// The largest request body accepted; larger is `413`. Default: 4 MiB
    /// (the binary protocol's default frame size).
    pub fn max_body_bytes(mut self, max_body_bytes: usize) -> Self {
        self.config.max_body_bytes = max_body_bytes;
        self
    }

    /// The largest request head (request line and headers); at least 8 KiB.
    /// Default: 16 KiB.
    pub fn max_header_bytes(mut self, max_header_bytes: usize) -> Self {
        self.config.max_header_bytes = max_header_bytes;
        self
    }

    /// Time for a request head to arrive whole. Default: 10 s.
    pub fn header_timeout(mut self, header_timeout: Duration) -> Self {
        self.config.header_timeout = header_timeout;
        self
    }

    /// Time for a request body to arrive whole. Default: 10 s.
    pub fn body_timeout(mut self, body_timeout: Duration) -> Self {
        self.config.body_timeout = body_timeout;
        self
    }

    /// Time a call may take, sent on as its deadline. Default: 30 s.
    pub fn call_timeout(mut self, call_timeout: Duration) -> Self {
        self.config.call_timeout = call_timeout;
        self
    }

    /// Origins allowed to call from a browser (`*` for any), replacing
    /// those set so far; empty (the default) sends no CORS headers, so
    /// browsers refuse cross-origin calls.
    pub fn allowed_origins(
        mut self,
        allowed_origins: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.config.allowed_origins = allowed_origins.into_iter().map(Into::into).collect();
        self
    }

    /// Adds an origin browsers may call from (`*` for any).
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.config.allowed_origins.push(origin.into());
        self
    }

    /// The config, or why it cannot work: a zero body limit or timeout, a
    /// header limit under 8 KiB (hyper's smallest read buffer).
    pub fn build(self) -> Result<GatewayConfig, ConfigError> {
        let c = &self.config;
        let zero = [
            ("max_body_bytes", c.max_body_bytes == 0),
            ("header_timeout", c.header_timeout.is_zero()),
            ("body_timeout", c.body_timeout.is_zero()),
            ("call_timeout", c.call_timeout.is_zero()),
        ];
        if let Some((setting, _)) = zero.into_iter().find(|(_, zero)| *zero) {
            return Err(ConfigError::Zero { setting });
        }
        if c.max_header_bytes < MIN_HEADER_BYTES {
            return Err(ConfigError::OutOfRange {
                setting: "max_header_bytes",
                expected: "at least 8192 (hyper's smallest read buffer)",
            });
        }
        Ok(self.config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_build() {
        let config = GatewayConfig::builder().build().unwrap();
        assert_eq!(config.max_body_bytes(), 4 * 1024 * 1024);
        assert!(config.allowed_origins().is_empty());
        let config = config
            .to_builder()
            .allowed_origins(["https://a", "https://b"]);
        assert_eq!(config.build().unwrap().allowed_origins().len(), 2);
    }

    #[test]
    fn build_refuses_each_invalid_setting() {
        let b = GatewayConfig::builder;
        let zero = Duration::ZERO;
        let refused = [
            ("max_body_bytes", b().max_body_bytes(0)),
            ("header_timeout", b().header_timeout(zero)),
            ("body_timeout", b().body_timeout(zero)),
            ("call_timeout", b().call_timeout(zero)),
        ];
        for (setting, builder) in refused {
            assert_eq!(
                builder.build().unwrap_err(),
                ConfigError::Zero { setting },
                "{setting}"
            );
        }
        assert_eq!(
            b().max_header_bytes(MIN_HEADER_BYTES - 1)
                .build()
                .unwrap_err(),
            ConfigError::OutOfRange {
                setting: "max_header_bytes",
                expected: "at least 8192 (hyper's smallest read buffer)",
            }
        );
    }
}
