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

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rpc_core::{Code, Status};

use super::BreakerConfig;
use super::window::{BUCKETS, SlidingWindow, Step, Tick};

/// The state of one endpoint's breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
///
/// A healthy endpoint costs no lock: admission reads an atomic flag, and a
/// success while closed resets the failure streak and counts the call in a
/// lock-free window. The lock is taken by failures, by probes, and by a
/// success only when enough failures are in the window that this success
/// could bring the calls to `min_calls` with the ratio reached.
#[derive(Debug)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    /// Mirrors "the state is closed" so that admitting a call to a healthy
    /// endpoint takes no lock.
    closed: AtomicBool,
    /// Consecutive failures while closed (the state under the lock says
    /// `Closed { failures: 0 }`; this is the count).
    failures_in_a_row: AtomicU32,
    /// Calls while closed, counted only when a failure ratio is set.
    calls: SlidingWindow,
    /// Failures among them.
    failures: SlidingWindow,
    /// The step of the last counted failure plus one (0: none since the
    /// counts were last forgotten), so that a success can tell without
    /// summing that the window holds no failure.
    last_failure: AtomicU64,
    state: Mutex<BreakerState>,
    /// Told of openings and closings (set by the XClient's pool).
    observer: std::sync::OnceLock<super::metrics::BreakerObserver>,
}

/// A call let through by [`CircuitBreaker::admit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Admission {
    /// It is the half-open breaker's probe.
    pub(crate) probe: bool,
}

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> CircuitBreaker {
        CircuitBreaker {
            config,
            closed: AtomicBool::new(true),
            failures_in_a_row: AtomicU32::new(0),
            calls: SlidingWindow::sharded(config.window),
            failures: SlidingWindow::new(config.window),
            last_failure: AtomicU64::new(0),
            state: Mutex::new(BreakerState::Closed { failures: 0 }),
            observer: std::sync::OnceLock::new(),
        }
    }

    /// Reports this breaker's openings and closings to `observer`.
    pub(crate) fn set_observer(&self, observer: super::metrics::BreakerObserver) {
        let _ = self.observer.set(observer);
    }

    /// The current state (an open breaker past its time reads half-open).
    pub fn state(&self) -> BreakerState {
        let mut state = self.lock();
        Self::refresh(&mut state);
        match *state {
            BreakerState::Closed { .. } => BreakerState::Closed {
                failures: self.failures_in_a_row.load(Ordering::Relaxed),
            },
            other => other,
        }
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
        let admission = self.admit()?;
        Some(BreakerPermit {
            breaker: Arc::clone(self),
            probe: admission.probe,
            settled: false,
        })
    }

    /// [`CircuitBreaker::try_acquire`] without a permit: the caller must
    /// [`settle`](CircuitBreaker::settle) the call or, for a probe,
    /// [`release_probe`](CircuitBreaker::release_probe).
    pub(crate) fn admit(&self) -> Option<Admission> {
        if self.closed.load(Ordering::Acquire) {
            return Some(Admission { probe: false });
        }
        let mut state = self.lock();
        Self::refresh(&mut state);
        match &mut *state {
            BreakerState::Closed { .. } => Some(Admission { probe: false }),
            BreakerState::Open { .. } | BreakerState::HalfOpen { probing: true } => None,
            BreakerState::HalfOpen { probing } => {
                *probing = true;
                Some(Admission { probe: true })
            }
        }
    }

    /// A call admitted as `probe` (or not) and started at `started` ended;
    /// `failed` if its status counts against the endpoint.
    pub(crate) fn settle(&self, probe: bool, failed: bool, started: Tick) {
        if !self.config.breaks() {
            return;
        }
        if !probe && !failed && self.closed.load(Ordering::Acquire) {
            // Written only when there is a streak, so that a healthy
            // endpoint's callers do not all write this line.
            if self.failures_in_a_row.load(Ordering::Relaxed) != 0 {
                self.failures_in_a_row.store(0, Ordering::Relaxed);
            }
            let Some(ratio) = self.config.failure_ratio else {
                return;
            };
            let step = self.calls.step(started);
            self.calls.add(step, 1);
            if !self.failed_within_window(step) {
                return;
            }
            // The ratio needs failures ≥ ratio × calls with calls ≥
            // min_calls: with fewer failures than ratio × min_calls, no
            // success can open the breaker, and nothing more is read.
            let failures = self.failures.total(step) as f64;
            if failures < ratio * f64::from(self.config.min_calls.max(1)) {
                return;
            }
        }
        self.settle_locked(probe, failed);
    }

    fn settle_locked(&self, probe: bool, failed: bool) {
        let now = Instant::now();
        let mut state = self.lock();
        Self::refresh(&mut state);
        let was_open = matches!(*state, BreakerState::Open { .. });
        let was_closed = matches!(*state, BreakerState::Closed { .. });
        *state = match *state {
            // Only the probe decides a half-open breaker; calls admitted
            // before it opened and ending now say nothing newer.
            BreakerState::HalfOpen { .. } if probe => {
                if failed {
                    self.open(now)
                } else {
                    self.forget_outcomes();
                    BreakerState::Closed { failures: 0 }
                }
            }
            state @ (BreakerState::HalfOpen { .. } | BreakerState::Open { .. }) => state,
            BreakerState::Closed { .. } => {
                let in_a_row = if failed {
                    self.failures_in_a_row.fetch_add(1, Ordering::Relaxed) + 1
                } else {
                    self.failures_in_a_row.store(0, Ordering::Relaxed);
                    0
                };
                let step = self.calls.step(Tick::of(now));
                // A success that came here from the lock-free path is
                // already counted.
                if failed && self.config.failure_ratio.is_some() {
                    self.calls.add(step, 1);
                    self.failures.add(step, 1);
                    self.last_failure.fetch_max(step.0 + 1, Ordering::Relaxed);
                }
                let by_streak = self.config.failures > 0 && in_a_row >= self.config.failures;
                if by_streak || self.ratio_reached(step) {
                    self.forget_outcomes();
                    self.open(now)
                } else {
                    BreakerState::Closed { failures: 0 }
                }
            }
        };
        let closed = matches!(*state, BreakerState::Closed { .. });
        self.closed.store(closed, Ordering::Release);
        if let Some(observer) = self.observer.get() {
            if !was_open && matches!(*state, BreakerState::Open { .. }) {
                observer.changed(true);
            } else if !was_closed && closed {
                observer.changed(false);
            }
        }
    }

    /// A probe ended without an outcome: the next call may probe.
    pub(crate) fn release_probe(&self) {
        let mut state = self.lock();
        if *state == (BreakerState::HalfOpen { probing: true }) {
            *state = BreakerState::HalfOpen { probing: false };
        }
    }

    fn ratio_reached(&self, step: Step) -> bool {
        let Some(ratio) = self.config.failure_ratio else {
            return false;
        };
        let calls = self.calls.total(step);
        calls >= u64::from(self.config.min_calls.max(1))
            && self.failures.total(step) as f64 >= ratio * calls as f64
    }

    /// Whether a failure was counted within the window ending at `step`.
    fn failed_within_window(&self, step: Step) -> bool {
        match self.last_failure.load(Ordering::Relaxed) {
            0 => false,
            after_last => step.0 < after_last - 1 + BUCKETS,
        }
    }

    /// Opening or closing starts the counts afresh.
    fn forget_outcomes(&self) {
        self.failures_in_a_row.store(0, Ordering::Relaxed);
        self.last_failure.store(0, Ordering::Relaxed);
        self.calls.clear();
        self.failures.clear();
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

    fn lock(&self) -> std::sync::MutexGuard<'_, BreakerState> {
        // Every state is valid on its own, so a panic elsewhere while the
        // lock was held is no reason to stop breaking.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
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
            Err(status) => counts_as_failure(status),
        };
        self.settled = true;
        self.breaker.settle(self.probe, failed, Tick::now());
    }
}

impl Drop for BreakerPermit {
    fn drop(&mut self) {
        if self.probe && !self.settled {
            self.breaker.release_probe();
        }
    }
}

/// Whether a call ending with `status` counts against its endpoint: only
/// the framework's verdicts do ([`rpc_core::Origin`]); a handler's own
/// failure, whatever its code, says nothing about the endpoint.
pub(crate) fn counts_as_failure(status: &Status) -> bool {
    status.is_framework()
        && (status.code().is_retryable()
            || matches!(status.code(), Code::DeadlineExceeded | Code::Internal))
}

#[cfg(test)]
#[path = "breaker_tests.rs"]
mod tests;
