//! [`CircuitBreaker`]: takes an endpoint that keeps failing out of selection
//! for a while, then lets one probe call decide whether it is back.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rpc_core::{Code, Status};

/// When a breaker opens and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive failures that open the breaker; 0 disables breaking.
    pub failures: u32,
    /// How long an open breaker keeps the endpoint out before a probe.
    pub open_for: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            failures: 5,
            open_for: Duration::from_secs(5),
        }
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

/// A circuit breaker on consecutive failures. Only failures that say
/// something about the endpoint count (`unavailable`, `overloaded`,
/// `deadline_exceeded`, `internal`); the application's own errors and bad
/// requests do not.
#[derive(Debug)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    state: Mutex<BreakerState>,
}

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> CircuitBreaker {
        CircuitBreaker {
            config,
            state: Mutex::new(BreakerState::Closed { failures: 0 }),
        }
    }

    /// The current state (an open breaker past its time reads half-open).
    pub fn state(&self) -> BreakerState {
        let mut state = self.lock();
        Self::refresh(&mut state);
        *state
    }

    /// Whether a call may go to the endpoint now.
    pub fn allows_calls(&self) -> bool {
        match self.state() {
            BreakerState::Closed { .. } => true,
            BreakerState::Open { .. } => false,
            BreakerState::HalfOpen { probing } => !probing,
        }
    }

    /// A call to the endpoint starts; in half-open state it is the probe.
    pub fn on_call(&self) {
        let mut state = self.lock();
        Self::refresh(&mut state);
        if let BreakerState::HalfOpen { probing } = &mut *state {
            *probing = true;
        }
    }

    /// A call ended with `result`'s outcome.
    pub fn on_result<T>(&self, result: &Result<T, Status>) {
        if self.config.failures == 0 {
            return;
        }
        let failed = match result {
            Ok(_) => false,
            Err(status) => counts_as_failure(status.code()),
        };
        let mut state = self.lock();
        Self::refresh(&mut state);
        *state = match (*state, failed) {
            (_, false) => BreakerState::Closed { failures: 0 },
            (BreakerState::Closed { failures }, true) if failures + 1 < self.config.failures => {
                BreakerState::Closed {
                    failures: failures + 1,
                }
            }
            (BreakerState::Open { until }, true) => BreakerState::Open { until },
            (_, true) => BreakerState::Open {
                until: Instant::now() + self.config.open_for,
            },
        };
    }

    fn refresh(state: &mut BreakerState) {
        if let BreakerState::Open { until } = *state
            && Instant::now() >= until
        {
            *state = BreakerState::HalfOpen { probing: false };
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BreakerState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn counts_as_failure(code: Code) -> bool {
    code.is_retryable() || matches!(code, Code::DeadlineExceeded | Code::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker(open_for: Duration) -> CircuitBreaker {
        CircuitBreaker::new(BreakerConfig {
            failures: 3,
            open_for,
        })
    }

    fn fail() -> Result<(), Status> {
        Err(Status::unavailable("down"))
    }

    #[test]
    fn opens_after_consecutive_failures_then_half_opens_and_closes_on_a_good_probe() {
        let breaker = breaker(Duration::from_millis(50));
        breaker.on_result(&fail());
        breaker.on_result(&fail());
        assert!(breaker.allows_calls());
        breaker.on_result(&fail());
        assert!(matches!(breaker.state(), BreakerState::Open { .. }));
        assert!(!breaker.allows_calls());

        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(breaker.state(), BreakerState::HalfOpen { probing: false });
        assert!(breaker.allows_calls());
        breaker.on_call();
        assert!(!breaker.allows_calls(), "one probe at a time");
        breaker.on_result(&Ok::<(), Status>(()));
        assert_eq!(breaker.state(), BreakerState::Closed { failures: 0 });
    }

    #[test]
    fn a_failed_probe_opens_it_again() {
        let breaker = breaker(Duration::from_millis(20));
        for _ in 0..3 {
            breaker.on_result(&fail());
        }
        std::thread::sleep(Duration::from_millis(30));
        breaker.on_call();
        breaker.on_result(&fail());
        assert!(matches!(breaker.state(), BreakerState::Open { .. }));
    }

    #[test]
    fn a_success_resets_the_count_and_application_errors_do_not_count() {
        let breaker = breaker(Duration::from_secs(60));
        breaker.on_result(&fail());
        breaker.on_result(&fail());
        breaker.on_result(&Ok::<(), Status>(()));
        breaker.on_result(&fail());
        breaker.on_result(&fail());
        for _ in 0..10 {
            breaker.on_result(&Err::<(), _>(Status::application("no such user")));
        }
        assert_eq!(breaker.state(), BreakerState::Closed { failures: 0 });
    }

    #[test]
    fn zero_failures_disables_breaking() {
        let breaker = CircuitBreaker::new(BreakerConfig {
            failures: 0,
            open_for: Duration::from_secs(1),
        });
        for _ in 0..100 {
            breaker.on_result(&fail());
        }
        assert!(breaker.allows_calls());
    }
}
