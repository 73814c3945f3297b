//! [`RetryBudget`]: retries may be at most a share of recent calls, so a
//! sick cluster is not hit with multiplied load.
//!
//! Without it, every call to a cluster that refuses everything turns into
//! `1 + retries` requests just when the cluster can least take them. With
//! it, retries over the last `window` may number at most
//! `min_retries + ratio × calls`: the ratio caps the extra load (10 % by
//! default), the small minimum lets a quiet client, with few calls to go by,
//! still retry its first failures. A refused retry returns the original
//! error, marked "no more retry" so that callers up the chain do not retry
//! either.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::window::SlidingWindow;

/// How many retries an XClient may make, relative to its calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryBudgetConfig {
    /// Retries allowed per call over the window, beyond the minimum.
    /// Default: 0.1.
    pub ratio: f64,
    /// Retries allowed over the window whatever the number of calls.
    /// Default: 10.
    pub min_retries: u32,
    /// How far back calls and retries are counted. Default: 10 s.
    pub window: Duration,
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
    /// No limit: every retry the fail mode asks for is made.
    pub fn unlimited() -> RetryBudgetConfig {
        RetryBudgetConfig {
            ratio: f64::INFINITY,
            ..RetryBudgetConfig::default()
        }
    }
}

/// Calls and retries over a sliding window, and the rule between them.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    config: RetryBudgetConfig,
    /// `calls`: calls made; `marked`: retries made.
    window: Mutex<SlidingWindow>,
}

impl RetryBudget {
    pub(crate) fn new(config: RetryBudgetConfig) -> RetryBudget {
        RetryBudget {
            config,
            window: Mutex::new(SlidingWindow::new(config.window)),
        }
    }

    /// A call starts.
    pub(crate) fn record_call(&self) {
        if self.config.ratio.is_infinite() {
            return;
        }
        self.lock().add(Instant::now(), 1, 0);
    }

    /// Whether one more retry is within the budget; if so it is counted.
    pub(crate) fn try_retry(&self) -> bool {
        if self.config.ratio.is_infinite() {
            return true;
        }
        let now = Instant::now();
        let mut window = self.lock();
        let totals = window.totals(now);
        let allowed = f64::from(self.config.min_retries) + self.config.ratio * totals.calls as f64;
        if (totals.marked + 1) as f64 > allowed {
            return false;
        }
        window.add(now, 0, 1);
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SlidingWindow> {
        self.window.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_are_capped_at_the_minimum_plus_a_share_of_calls() {
        let budget = RetryBudget::new(RetryBudgetConfig::default());
        for _ in 0..10 {
            assert!(budget.try_retry(), "a quiet client's first retries");
        }
        assert!(!budget.try_retry());
        for _ in 0..100 {
            budget.record_call();
        }
        let granted = (0..100).filter(|_| budget.try_retry()).count();
        assert_eq!(granted, 10, "10 % of 100 calls");
    }

    #[test]
    fn unlimited_grants_everything() {
        let budget = RetryBudget::new(RetryBudgetConfig::unlimited());
        assert!((0..1000).all(|_| budget.try_retry()));
    }
}
