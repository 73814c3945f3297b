//! [`CircuitBreaker`]: takes an endpoint that keeps failing out of selection
//! for a while, then lets one probe call decide whether it is back.
//!
//! A call is admitted with [`CircuitBreaker::try_acquire`], which checks the
//! state and, when the breaker is half-open, marks the probe under the same
//! lock: however many callers race, one becomes the probe. The returned
//! [`BreakerPermit`] reports the call's outcome; if it is dropped without
//! one (the caller gave up, a failbackup or fork try lost the race), a
//! probe is released and the next call probes again. A dropped probe says
//! nothing about the endpoint, so it neither closes nor reopens the breaker;
//! what it must not do is leave the breaker waiting for an outcome that
//! never comes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rpc_core::{Code, Status};

use super::window::SlidingWindow;

/// When a breaker opens and for how long.
///
/// It opens on whichever comes first: `failures` failures in a row, or a
/// share of failures of at least `failure_ratio` among the calls of the last
/// `window`, once that window holds at least `min_calls` calls. The ratio
/// catches an endpoint that fails every other call, which never fails
/// several times in a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerConfig {
    /// Consecutive failures that open the breaker; 0 turns this trigger off.
    /// Default: 5.
    pub failures: u32,
    /// The share of failed calls (0.0–1.0) over `window` that opens the
    /// breaker; `None` turns this trigger off. Default: 0.5.
    pub failure_ratio: Option<f64>,
    /// How far back the failure ratio looks. Default: 10 s.
    pub window: Duration,
    /// Fewer calls than this in the window never open the breaker by ratio.
    /// Default: 20.
    pub min_calls: u32,
    /// How long an open breaker keeps the endpoint out before a probe.
    /// Default: 5 s.
    pub open_for: Duration,
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
    fn breaks(&self) -> bool {
        self.failures > 0 || self.failure_ratio.is_some()
    }
}

/// The state of one endpoint's breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls flow; this many consecutive failures so far.
    Closed {
        /// Consecutive failures.
        failures: u32,
    },
    /// The endpoint is out of selection until then.
    Open {
        /// When a probe may be sent.
        until: Instant,
    },
    /// One probe call decides: success closes, failure opens again.
    HalfOpen {
        /// Whether the probe is under way (then no other call is let through).
        probing: bool,
    },
}

/// A circuit breaker on consecutive failures and on a failure ratio. Only
/// failures that say something about the endpoint count (`unavailable`,
/// `overloaded`, `deadline_exceeded`, `internal`); the application's own
/// errors and bad requests count as calls that went well.
#[derive(Debug)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    /// Mirrors "the state is closed" so that admitting a call to a healthy
    /// endpoint takes no lock.
    closed: AtomicBool,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    state: BreakerState,
    window: SlidingWindow,
}

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> CircuitBreaker {
        CircuitBreaker {
            config,
            closed: AtomicBool::new(true),
            inner: Mutex::new(Inner {
                state: BreakerState::Closed { failures: 0 },
                window: SlidingWindow::new(config.window),
            }),
        }
    }

    /// The current state (an open breaker past its time reads half-open).
    pub fn state(&self) -> BreakerState {
        let mut inner = self.lock();
        Self::refresh(&mut inner.state);
        inner.state
    }

    /// Whether a call may go to the endpoint now. Only a hint for choosing
    /// an endpoint: [`CircuitBreaker::try_acquire`] decides.
    pub fn allows_calls(&self) -> bool {
        if self.closed.load(Ordering::Acquire) {
            return true;
        }
        match self.state() {
            BreakerState::Closed { .. } => true,
            BreakerState::Open { .. } => false,
            BreakerState::HalfOpen { probing } => !probing,
        }
    }

    /// Admits a call to the endpoint, or refuses it (open, or a probe under
    /// way). In half-open state the admitted call is the probe: checking and
    /// marking are one step, so concurrent callers get one probe between
    /// them.
    pub fn try_acquire(self: &Arc<Self>) -> Option<BreakerPermit> {
        if self.closed.load(Ordering::Acquire) {
            return Some(self.permit(false));
        }
        let mut inner = self.lock();
        Self::refresh(&mut inner.state);
        match &mut inner.state {
            BreakerState::Closed { .. } => Some(self.permit(false)),
            BreakerState::Open { .. } | BreakerState::HalfOpen { probing: true } => None,
            BreakerState::HalfOpen { probing } => {
                *probing = true;
                Some(self.permit(true))
            }
        }
    }

    fn permit(self: &Arc<Self>, probe: bool) -> BreakerPermit {
        BreakerPermit {
            breaker: Arc::clone(self),
            probe,
            settled: false,
        }
    }

    /// A call admitted as `probe` (or not) ended; `failed` if its status
    /// counts against the endpoint.
    fn settle(&self, probe: bool, failed: bool) {
        if !self.config.breaks() {
            return;
        }
        let now = Instant::now();
        let mut inner = self.lock();
        Self::refresh(&mut inner.state);
        inner.state = match inner.state {
            // Only the probe decides a half-open breaker; calls admitted
            // before it opened and ending now say nothing newer.
            BreakerState::HalfOpen { .. } if probe => {
                if failed {
                    self.open(now)
                } else {
                    inner.window.clear();
                    BreakerState::Closed { failures: 0 }
                }
            }
            state @ (BreakerState::HalfOpen { .. } | BreakerState::Open { .. }) => state,
            BreakerState::Closed { failures } => {
                inner.window.add(now, 1, u64::from(failed));
                let failures = if failed { failures + 1 } else { 0 };
                let in_a_row = self.config.failures > 0 && failures >= self.config.failures;
                if in_a_row || self.ratio_reached(&inner.window, now) {
                    inner.window.clear();
                    self.open(now)
                } else {
                    BreakerState::Closed { failures }
                }
            }
        };
        self.closed.store(
            matches!(inner.state, BreakerState::Closed { .. }),
            Ordering::Release,
        );
    }

    /// A probe ended without an outcome: the next call may probe.
    fn release_probe(&self) {
        let mut inner = self.lock();
        if inner.state == (BreakerState::HalfOpen { probing: true }) {
            inner.state = BreakerState::HalfOpen { probing: false };
        }
    }

    fn ratio_reached(&self, window: &SlidingWindow, now: Instant) -> bool {
        let Some(ratio) = self.config.failure_ratio else {
            return false;
        };
        let totals = window.totals(now);
        totals.calls >= u64::from(self.config.min_calls.max(1))
            && totals.marked as f64 >= ratio * totals.calls as f64
    }

    fn open(&self, now: Instant) -> BreakerState {
        BreakerState::Open {
            until: now + self.config.open_for,
        }
    }

    fn refresh(state: &mut BreakerState) {
        if let BreakerState::Open { until } = *state
            && Instant::now() >= until
        {
            *state = BreakerState::HalfOpen { probing: false };
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every state is valid on its own, so a panic elsewhere while the
        // lock was held is no reason to stop breaking.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One admitted call: report its outcome with [`BreakerPermit::record`].
/// Dropped without an outcome, a probe is released so that the next call
/// probes again.
#[derive(Debug)]
pub struct BreakerPermit {
    breaker: Arc<CircuitBreaker>,
    probe: bool,
    settled: bool,
}

impl BreakerPermit {
    /// Whether this call is the half-open breaker's probe.
    pub fn is_probe(&self) -> bool {
        self.probe
    }

    /// The call ended with `result`'s outcome.
    pub fn record<T>(mut self, result: &Result<T, Status>) {
        let failed = match result {
            Ok(_) => false,
            Err(status) => counts_as_failure(status.code()),
        };
        self.settled = true;
        self.breaker.settle(self.probe, failed);
    }
}

impl Drop for BreakerPermit {
    fn drop(&mut self) {
        if self.probe && !self.settled {
            self.breaker.release_probe();
        }
    }
}

fn counts_as_failure(code: Code) -> bool {
    code.is_retryable() || matches!(code, Code::DeadlineExceeded | Code::Internal)
}

#[cfg(test)]
#[path = "breaker_tests.rs"]
mod tests;
