//! [`XClientConfig`] and its [`XClientConfigBuilder`]: the settings of an
//! [`XClient`](crate::XClient).

use std::time::Duration;

use rpc_core::ConfigError;

use crate::ClientConfig;
use crate::xclient::{BreakerConfig, FailMode, RetryBudgetConfig, SelectMode};

/// Settings of a load-balancing client. Every setting has a default; build
/// one with [`XClientConfig::builder`], change one of an existing config
/// with [`XClientConfig::to_builder`].
///
/// ```
/// use std::time::Duration;
/// use rpc_client::{FailMode, XClientConfig};
///
/// let config = XClientConfig::builder()
///     .fail_mode(FailMode::Failtry { retries: 1 })
///     .timeout(Duration::from_secs(2))
///     .build()
///     .unwrap();
/// assert_eq!(config.timeout(), Duration::from_secs(2));
/// ```
#[derive(Debug, Clone)]
pub struct XClientConfig {
    pub(crate) select_mode: SelectMode,
    pub(crate) fail_mode: FailMode,
    pub(crate) group: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) min_retry_budget: Duration,
    pub(crate) retry_pause: Duration,
    pub(crate) retry_budget: RetryBudgetConfig,
    pub(crate) breaker: BreakerConfig,
    pub(crate) client: ClientConfig,
    pub(crate) health_check: Option<Duration>,
}

impl Default for XClientConfig {
    fn default() -> Self {
        XClientConfig {
            select_mode: SelectMode::default(),
            fail_mode: FailMode::default(),
            group: None,
            timeout: Duration::from_secs(10),
            min_retry_budget: Duration::from_millis(5),
            retry_pause: Duration::ZERO,
            retry_budget: RetryBudgetConfig::default(),
            breaker: BreakerConfig::default(),
            client: ClientConfig::default(),
            health_check: None,
        }
    }
}

impl XClientConfig {
    /// A builder starting from the defaults.
    pub fn builder() -> XClientConfigBuilder {
        XClientConfigBuilder::default()
    }

    /// A builder starting from this config's settings.
    pub fn to_builder(&self) -> XClientConfigBuilder {
        XClientConfigBuilder {
            config: self.clone(),
        }
    }

    /// Which endpoint a call goes to. Default: round-robin.
    pub fn select_mode(&self) -> &SelectMode {
        &self.select_mode
    }

    /// What happens when a try fails. Default: failover with 2 retries.
    pub fn fail_mode(&self) -> FailMode {
        self.fail_mode
    }

    /// Keep only endpoints whose `group` metadata is this. Default: none
    /// (every group).
    pub fn group(&self) -> Option<&str> {
        self.group.as_deref()
    }

    /// Whole-call timeout (every try included) of calls that set none.
    /// Default: 10 s.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// No further try starts with less than this left of the deadline.
    /// Default: 5 ms.
    pub fn min_retry_budget(&self) -> Duration {
        self.min_retry_budget
    }

    /// Pause between failover tries. Default: none.
    pub fn retry_pause(&self) -> Duration {
        self.retry_pause
    }

    /// How many retries the client may make relative to its calls.
    /// Default: 10 % of the calls of the last 10 s, plus 10.
    pub fn retry_budget(&self) -> RetryBudgetConfig {
        self.retry_budget
    }

    /// Per-endpoint circuit breakers. Default: [`BreakerConfig::default`]
    /// (open after 5 consecutive failures, or half of at least 20 calls
    /// failing within 10 s; try again after 5 s).
    pub fn breaker(&self) -> BreakerConfig {
        self.breaker
    }

    /// Settings of each endpoint's connection (codec, compression,
    /// heartbeats…). Its `instrument` switch also turns the XClient's own
    /// metrics on or off. Default: [`ClientConfig::default`].
    pub fn client(&self) -> &ClientConfig {
        &self.client
    }

    /// Asks every endpoint's `rpc.Health/Check` about the service this
    /// often, and skips endpoints that answer not serving (see
    /// `docs/OBSERVABILITY.md`). Default: none (no checks).
    pub fn health_check(&self) -> Option<Duration> {
        self.health_check
    }
}

/// Builds an [`XClientConfig`]: by-value setters, one per setting, then
/// [`build`](XClientConfigBuilder::build), which checks them.
#[derive(Debug, Clone, Default)]
pub struct XClientConfigBuilder {
    config: XClientConfig,
}

impl XClientConfigBuilder {
    /// Which endpoint a call goes to. Default: round-robin.
    pub fn select_mode(mut self, select_mode: SelectMode) -> Self {
        self.config.select_mode = select_mode;
        self
    }

    /// What happens when a try fails. Default: failover with 2 retries.
    pub fn fail_mode(mut self, fail_mode: FailMode) -> Self {
        self.config.fail_mode = fail_mode;
        self
    }

    /// Keep only endpoints whose `group` metadata is this. Default: none
    /// (every group).
    pub fn group(mut self, group: impl Into<Option<String>>) -> Self {
        self.config.group = group.into();
        self
    }

    /// Whole-call timeout (every try included) of calls that set none.
    /// Default: 10 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// No further try starts with less than this left of the deadline.
    /// Default: 5 ms.
    pub fn min_retry_budget(mut self, min_retry_budget: Duration) -> Self {
        self.config.min_retry_budget = min_retry_budget;
        self
    }

    /// Pause between failover tries. Default: none.
    pub fn retry_pause(mut self, retry_pause: Duration) -> Self {
        self.config.retry_pause = retry_pause;
        self
    }

    /// How many retries the client may make relative to its calls.
    /// Default: 10 % of the calls of the last 10 s, plus 10.
    pub fn retry_budget(mut self, retry_budget: RetryBudgetConfig) -> Self {
        self.config.retry_budget = retry_budget;
        self
    }

    /// Per-endpoint circuit breakers. Default: [`BreakerConfig::default`]
    /// (open after 5 consecutive failures, or half of at least 20 calls
    /// failing within 10 s; try again after 5 s).
    pub fn breaker(mut self, breaker: BreakerConfig) -> Self {
        self.config.breaker = breaker;
        self
    }

    /// Settings of each endpoint's connection (codec, compression,
    /// heartbeats…). Its `instrument` switch also turns the XClient's own
    /// metrics on or off. Default: [`ClientConfig::default`].
    pub fn client(mut self, client: ClientConfig) -> Self {
        self.config.client = client;
        self
    }

    /// Asks every endpoint's `rpc.Health/Check` about the service this
    /// often, and skips endpoints that answer not serving (see
    /// `docs/OBSERVABILITY.md`). Default: none (no checks).
    pub fn health_check(mut self, health_check: impl Into<Option<Duration>>) -> Self {
        self.config.health_check = health_check.into();
        self
    }

    /// The config, or why it cannot work: a zero timeout or health-check
    /// interval. (The breaker, retry-budget and client settings were
    /// checked by their own builders.)
    pub fn build(self) -> Result<XClientConfig, ConfigError> {
        let c = &self.config;
        let zero = [
            ("timeout", c.timeout.is_zero()),
            ("health_check", c.health_check.is_some_and(|d| d.is_zero())),
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
        let config = XClientConfig::builder().build().unwrap();
        assert_eq!(config.timeout(), XClientConfig::default().timeout());
        assert_eq!(config.health_check(), None);
        let config = config.to_builder().group("blue".to_string()).build();
        assert_eq!(config.unwrap().group(), Some("blue"));
    }

    #[test]
    fn build_refuses_each_invalid_setting() {
        let b = XClientConfig::builder;
        assert_eq!(
            b().timeout(Duration::ZERO).build().unwrap_err(),
            ConfigError::Zero { setting: "timeout" }
        );
        assert_eq!(
            b().health_check(Duration::ZERO).build().unwrap_err(),
            ConfigError::Zero {
                setting: "health_check"
            }
        );
    }
}
