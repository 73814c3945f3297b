//! [`RetryBudgetConfig`] and its [`RetryBudgetConfigBuilder`]: how many
//! retries an [`XClient`](crate::XClient) may make, relative to its calls.

use std::time::Duration;

use rpc_core::ConfigError;

/// How many retries an XClient may make, relative to its calls: over the
/// last `window`, at most `min_retries + ratio × calls`. Build one with
/// [`RetryBudgetConfig::builder`].
///
/// ```
/// use rpc_client::RetryBudgetConfig;
///
/// let config = RetryBudgetConfig::builder().ratio(0.2).build().unwrap();
/// assert_eq!(config.ratio(), 0.2);
/// assert_eq!(config.min_retries(), 10);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryBudgetConfig {
    pub(crate) ratio: f64,
    pub(crate) min_retries: u32,
    pub(crate) window: Duration,
}

impl Default for RetryBudgetConfig {
    fn default() -> Self {
        RetryBudgetConfig {
            ratio: 0.1,
            min_retries: 10,
            window: Duration::from_secs(10),
        }
    }
}

impl RetryBudgetConfig {
    /// A builder starting from the defaults.
    pub fn builder() -> RetryBudgetConfigBuilder {
        RetryBudgetConfigBuilder::default()
    }

    /// A builder starting from this config's settings.
    pub fn to_builder(&self) -> RetryBudgetConfigBuilder {
        RetryBudgetConfigBuilder { config: *self }
    }

    /// No limit: every retry the fail mode asks for is made.
    pub fn unlimited() -> RetryBudgetConfig {
        RetryBudgetConfig {
            ratio: f64::INFINITY,
            ..RetryBudgetConfig::default()
        }
    }

    /// Retries allowed per call over the window, beyond the minimum (0 or
    /// more; infinite: no limit). Default: 0.1.
    pub fn ratio(&self) -> f64 {
        self.ratio
    }

    /// Retries allowed over the window whatever the number of calls.
    /// Default: 10.
    pub fn min_retries(&self) -> u32 {
        self.min_retries
    }

    /// How far back calls and retries are counted. Default: 10 s.
    pub fn window(&self) -> Duration {
        self.window
    }
}

/// Builds a [`RetryBudgetConfig`]: by-value setters, one per setting, then
/// [`build`](RetryBudgetConfigBuilder::build), which checks them.
#[derive(Debug, Clone, Copy, Default)]
pub struct RetryBudgetConfigBuilder {
    config: RetryBudgetConfig,
}

impl RetryBudgetConfigBuilder {
    /// Retries allowed per call over the window, beyond the minimum (0 or
    /// more; infinite: no limit). Default: 0.1.
    pub fn ratio(mut self, ratio: f64) -> Self {
        self.config.ratio = ratio;
        self
    }

    /// Retries allowed over the window whatever the number of calls.
    /// Default: 10.
    pub fn min_retries(mut self, min_retries: u32) -> Self {
        self.config.min_retries = min_retries;
        self
    }

    /// How far back calls and retries are counted. Default: 10 s.
    pub fn window(mut self, window: Duration) -> Self {
        self.config.window = window;
        self
    }

    /// The config, or why it cannot work: a negative (or not-a-number)
    /// ratio, a zero window.
    pub fn build(self) -> Result<RetryBudgetConfig, ConfigError> {
        let c = &self.config;
        if c.ratio.is_nan() || c.ratio < 0.0 {
            return Err(ConfigError::OutOfRange {
                setting: "ratio",
                expected: "0 or more",
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
    fn the_defaults_and_unlimited_build() {
        assert_eq!(
            RetryBudgetConfig::builder().build(),
            Ok(RetryBudgetConfig::default())
        );
        let unlimited = RetryBudgetConfig::unlimited();
        assert_eq!(unlimited.to_builder().build(), Ok(unlimited));
        assert!(RetryBudgetConfig::builder().ratio(0.0).build().is_ok());
    }

    #[test]
    fn build_refuses_each_invalid_setting() {
        for ratio in [-0.1, f64::NAN, f64::NEG_INFINITY] {
            assert_eq!(
                RetryBudgetConfig::builder().ratio(ratio).build(),
                Err(ConfigError::OutOfRange {
                    setting: "ratio",
                    expected: "0 or more",
                }),
                "ratio {ratio}"
            );
        }
        assert_eq!(
            RetryBudgetConfig::builder().window(Duration::ZERO).build(),
            Err(ConfigError::Zero { setting: "window" })
        );
    }
}
