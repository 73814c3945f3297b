//! [`XClientConfig`]: the settings of an [`XClient`](crate::XClient).

use std::time::Duration;

use crate::ClientConfig;
use crate::xclient::{BreakerConfig, FailMode, RetryBudgetConfig, SelectMode};

/// Settings of a load-balancing client.
#[derive(Debug, Clone)]
pub struct XClientConfig {
    /// Which endpoint a call goes to. Default: round-robin.
    pub select_mode: SelectMode,
    /// What happens when a try fails. Default: failover with 2 retries.
    pub fail_mode: FailMode,
    /// Keep only endpoints whose `group` metadata is this. Default: none
    /// (every group).
    pub group: Option<String>,
    /// Whole-call timeout (every try included) of calls that set none.
    /// Default: 10 s.
    pub timeout: Duration,
    /// No further try starts with less than this left of the deadline.
    /// Default: 5 ms.
    pub min_retry_budget: Duration,
    /// Pause between failover tries. Default: none.
    pub retry_pause: Duration,
    /// How many retries the client may make relative to its calls.
    /// Default: 10 % of the calls of the last 10 s, plus 10.
    pub retry_budget: RetryBudgetConfig,
    /// Per-endpoint circuit breakers. Default: [`BreakerConfig::default`]
    /// (open after 5 consecutive failures, or half of at least 20 calls
    /// failing within 10 s; try again after 5 s).
    pub breaker: BreakerConfig,
    /// Settings of each endpoint's connection (codec, compression, heartbeats…).
    /// Its `instrument` switch also turns the XClient's own metrics on or off.
    /// Default: [`ClientConfig::default`].
    pub client: ClientConfig,
    /// Asks every endpoint's `rpc.Health/Check` about the service this
    /// often, and skips endpoints that answer not serving (see
    /// `docs/OBSERVABILITY.md`). Default: none (no checks).
    pub health_check: Option<Duration>,
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
