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

use super::RetryBudgetConfig;
use super::window::{SlidingWindow, Tick};

/// Calls and retries over a sliding window, and the rule between them.
///
/// Every call is counted without a lock (a sharded atomic window); only a
/// retry, which must check the budget and take its share in one step,
/// takes the lock.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    config: RetryBudgetConfig,
    calls: SlidingWindow,
    retries: SlidingWindow,
    /// Makes "is there room for one more retry, then count it" one step.
    deciding: Mutex<()>,
}

impl RetryBudget {
    pub(crate) fn new(config: RetryBudgetConfig) -> RetryBudget {
        RetryBudget {
            config,
            calls: SlidingWindow::sharded(config.window),
            retries: SlidingWindow::new(config.window),
            deciding: Mutex::new(()),
        }
    }

    /// A call started at `started`.
    pub(crate) fn record_call(&self, started: Tick) {
        if self.config.ratio.is_infinite() {
            return;
        }
        self.calls.add(self.calls.step(started), 1);
    }

    /// Whether one more retry is within the budget; if so it is counted.
    pub(crate) fn try_retry(&self) -> bool {
        if self.config.ratio.is_infinite() {
            return true;
        }
        let _deciding = self.deciding.lock().unwrap_or_else(|p| p.into_inner());
        let now = Tick::now();
        let calls = self.calls.total(self.calls.step(now));
        let allowed = f64::from(self.config.min_retries) + self.config.ratio * calls as f64;
        let step = self.retries.step(now);
        if (self.retries.total(step) + 1) as f64 > allowed {
            return false;
        }
        self.retries.add(step, 1);
        true
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
            budget.record_call(Tick::now());
        }
        let granted = (0..100).filter(|_| budget.try_retry()).count();
        assert_eq!(granted, 10, "10 % of 100 calls");
    }

    #[test]
    fn calls_are_counted_while_a_retry_decision_holds_the_lock() {
        let budget = std::sync::Arc::new(RetryBudget::new(RetryBudgetConfig::default()));
        let held = budget.deciding.lock().unwrap();
        let (done, finished) = std::sync::mpsc::channel();
        let worker = {
            let budget = std::sync::Arc::clone(&budget);
            std::thread::spawn(move || {
                for _ in 0..1_000 {
                    budget.record_call(Tick::now());
                }
                done.send(()).unwrap();
            })
        };
        // A lock on the per-call path would keep the worker waiting until
        // `held` is dropped: a wait for a deadlock, not a speed limit.
        let without_the_lock = finished
            .recv_timeout(std::time::Duration::from_secs(10))
            .is_ok();
        drop(held);
        worker.join().unwrap();
        assert!(
            without_the_lock,
            "counting a call waited for the budget's lock"
        );
        let granted = (0..200).filter(|_| budget.try_retry()).count();
        assert_eq!(granted, 10 + 100, "10 + 10 % of 1,000 calls");
    }

    #[test]
    fn unlimited_grants_everything() {
        let budget = RetryBudget::new(RetryBudgetConfig::unlimited());
        assert!((0..1000).all(|_| budget.try_retry()));
    }
}
