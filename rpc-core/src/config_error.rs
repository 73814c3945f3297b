//! [`ConfigError`]: why a configuration builder refused its settings.

/// A combination of settings a configuration builder's `build()` refuses
/// (for example `ClientConfig::builder()…build()`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A size, count or duration that must be positive was zero.
    #[error("the setting `{setting}` must not be zero")]
    Zero {
        /// The setting, named as its builder method.
        setting: &'static str,
    },
    /// A setting must be greater than another one and is not (for example a
    /// heartbeat timeout no longer than the heartbeat interval).
    #[error("the setting `{larger}` must be greater than `{smaller}`")]
    NotGreater {
        /// The setting that must be the greater one.
        larger: &'static str,
        /// The setting it must exceed.
        smaller: &'static str,
    },
    /// A number outside the values that make sense for it (for example a
    /// failure ratio above 1, or not a number at all).
    #[error("the setting `{setting}` must be {expected}")]
    OutOfRange {
        /// The setting, named as its builder method.
        setting: &'static str,
        /// The values it accepts, in words (for example "in 0..=1").
        expected: &'static str,
    },
    /// A list that needs at least one item is empty (for example an etcd
    /// config without endpoints).
    #[error("the setting `{setting}` must not be empty")]
    Empty {
        /// The setting, named as its builder method.
        setting: &'static str,
    },
}
