//! [`BreakerConfig`] and its [`BreakerConfigBuilder`]: when a
//! [`CircuitBreaker`](crate::xclient::CircuitBreaker) opens and for how long.

use std::time::Duration;

use rpc_core::ConfigError;

/// When a breaker opens and for how long; build one with
/// [`BreakerConfig::builder`].
///
/// It opens on whichever comes first: `failures` failures in a row, or a
/// share of failures of at least `failure_ratio` among the calls of the last
/// `window`, once that window holds at least `min_calls` calls. The ratio
/// catches an endpoint that fails every other call, which never fails
/// several times in a row.
///
/// ```
/// use std::time::Duration;
/// use rpc_client::BreakerConfig;
///
/// let config = BreakerConfig::builder()
///     .failures(3)
///     .failure_ratio(None)
///     .open_for(Duration::from_secs(1))
///     .build()
///     .unwrap();
/// assert_eq!(config.failures(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerConfig {
    pub(crate) failures: u32,
    pub(crate) failure_ratio: Option<f64>,
    pub(crate) window: Duration,
    pub(crate) min_calls: u32,
    pub(crate) open_for: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            failures: 5,
            failure_ratio: Some(0.5),
            window: Duration::from_secs(10),
            min_calls: 20,
            open_for: Duration::from_secs(5),
        }
    }
}

impl BreakerConfig {
    /// A builder starting from the defaults.
    pub fn builder() -> BreakerConfigBuilder {
        BreakerConfigBuilder::default()
    }

    /// A builder starting from this config's settings.
    pub fn to_builder(&self) -> BreakerConfigBuilder {
        BreakerConfigBuilder { config: *self }
    }

    /// Consecutive failures that open the breaker; 0 turns this trigger off.
    /// Default: 5.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The share of failed calls (above 0, at most 1) over `window` that
    /// opens the breaker; `None` turns this trigger off. Default: 0.5.
    pub fn failure_ratio(&self) -> Option<f64> {
        self.failure_ratio
    }

    /// How far back the failure ratio looks. Default: 10 s.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Fewer calls than this in the window never open the breaker by ratio.
    /// Default: 20.
    pub fn min_calls(&self) -> u32 {
        self.min_calls
    }

    /// How long an open breaker keeps the endpoint out before a probe.
    /// Default: 5 s.
    pub fn open_for(&self) -> Duration {
        self.open_for
    }

    /// Whether either trigger is on.
    pub(crate) fn breaks(&self) -> bool {
        self.failures > 0 || self.failure_ratio.is_some()
    }
}

/// Builds a [`BreakerConfig`]: by-value setters, one per setting, then
/// [`build`](BreakerConfigBuilder::build), which checks them.
#[derive(Debug, Clone, Copy, Default)]
pub struct BreakerConfigBuilder {
    config: BreakerConfig,
}

impl BreakerConfigBuilder {
    /// Consecutive failures that open the breaker; 0 turns this trigger off.
    /// Default: 5.
    pub fn failures(mut self, failures: u32) -> Self {
        self.config.failures = failures;
        self
    }

    /// The share of failed calls (above 0, at most 1) over `window` that
    /// opens the breaker; `None` turns this trigger off. Default: 0.5.
    pub fn failure_ratio(mut self, failure_ratio: impl Into<Option<f64>>) -> Self {
        self.config.failure_ratio = failure_ratio.into();
        self
    }

    /// How far back the failure ratio looks. Default: 10 s.
    pub fn window(mut self, window: Duration) -> Self {
        self.config.window = window;
        self
    }

    /// Fewer calls than this in the window never open the breaker by ratio.
    /// Default: 20.
    pub fn min_calls(mut self, min_calls: u32) -> Self {
        self.config.min_calls = min_calls;
        self
    }

    /// How long an open breaker keeps the endpoint out before a probe.
    /// Default: 5 s.
    pub fn open_for(mut self, open_for: Duration) -> Self {
        self.config.open_for = open_for;
        self
    }

    /// The config, or why it cannot work: a zero window, a failure ratio
    /// that is not above 0 and at most 1. (A zero `open_for` is allowed: an
    /// open breaker then lets one probe at a time through at once.)
    pub fn build(self) -> Result<BreakerConfig, ConfigError> {
        let c = &self.config;
        if let Some(ratio) = c.failure_ratio
            && (ratio.is_nan() || ratio <= 0.0 || ratio > 1.0)
        {
            return Err(ConfigError::OutOfRange {
                setting: "failure_ratio",
                expected: "above 0 and at most 1",
            });
        }
        if c.window.is_zero() {
            return Err(ConfigError::Zero { setting: "window" });
        }
        Ok(self.config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_build() {
        assert_eq!(
            BreakerConfig::builder().build(),
            Ok(BreakerConfig::default())
        );
        let config = BreakerConfig::builder()
            .failures(0)
            .failure_ratio(None)
            .build();
        assert!(!config.unwrap().breaks(), "both triggers may be off");
    }

    #[test]
    fn build_refuses_each_invalid_setting() {
        for ratio in [0.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
            assert_eq!(
                BreakerConfig::builder().failure_ratio(ratio).build(),
                Err(ConfigError::OutOfRange {
                    setting: "failure_ratio",
                    expected: "above 0 and at most 1",
                }),
                "ratio {ratio}"
            );
        }
        assert_eq!(
            BreakerConfig::builder().window(Duration::ZERO).build(),
            Err(ConfigError::Zero { setting: "window" })
        );
        let probe_at_once = BreakerConfig::builder().open_for(Duration::ZERO).build();
        assert!(probe_at_once.is_ok());
    }

    #[test]
    fn to_builder_keeps_the_settings() {
        let config = BreakerConfig::builder().min_calls(7).build().unwrap();
        assert_eq!(config.to_builder().build(), Ok(config));
    }
}
