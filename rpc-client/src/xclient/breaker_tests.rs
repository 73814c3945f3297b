//! The breaker's state machine, without sockets.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use super::*;

fn breaker(failures: u32, open_for: Duration) -> Arc<CircuitBreaker> {
    let config = BreakerConfig::builder()
        .failures(failures)
        .failure_ratio(None)
        .open_for(open_for)
        .build()
        .unwrap();
    Arc::new(CircuitBreaker::new(config))
}

fn fail() -> Result<(), Status> {
    Err(Status::unavailable("down"))
}

fn ok() -> Result<(), Status> {
    Ok(())
}

/// One call through the breaker with this outcome.
fn call(breaker: &Arc<CircuitBreaker>, result: Result<(), Status>) {
    breaker.try_acquire().expect("admitted").record(&result);
}

#[test]
fn opens_after_consecutive_failures_then_half_opens_and_closes_on_a_good_probe() {
    let breaker = breaker(3, Duration::from_millis(50));
    call(&breaker, fail());
    call(&breaker, fail());
    assert!(breaker.allows_calls());
    call(&breaker, fail());
    assert!(matches!(breaker.state(), BreakerState::Open { .. }));
    assert!(!breaker.allows_calls());
    assert!(breaker.try_acquire().is_none());

    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(breaker.state(), BreakerState::HalfOpen { probing: false });
    assert!(breaker.allows_calls());
    let probe = breaker.try_acquire().unwrap();
    assert!(probe.is_probe());
    assert!(!breaker.allows_calls(), "one probe at a time");
    assert!(breaker.try_acquire().is_none());
    probe.record(&ok());
    assert_eq!(breaker.state(), BreakerState::Closed { failures: 0 });
}

#[test]
fn a_failed_probe_opens_it_again() {
    let breaker = breaker(3, Duration::from_millis(20));
    for _ in 0..3 {
        call(&breaker, fail());
    }
    std::thread::sleep(Duration::from_millis(30));
    call(&breaker, fail());
    assert!(matches!(breaker.state(), BreakerState::Open { .. }));
}

#[test]
fn a_dropped_probe_lets_the_next_call_probe() {
    let breaker = breaker(1, Duration::from_millis(20));
    call(&breaker, fail());
    std::thread::sleep(Duration::from_millis(30));
    let probe = breaker.try_acquire().unwrap();
    assert!(probe.is_probe());
    drop(probe);
    assert_eq!(breaker.state(), BreakerState::HalfOpen { probing: false });
    let probe = breaker.try_acquire().expect("probed again");
    assert!(probe.is_probe());
    probe.record(&ok());
    assert_eq!(breaker.state(), BreakerState::Closed { failures: 0 });
}

#[test]
fn late_outcomes_of_calls_admitted_before_opening_decide_nothing() {
    let breaker = breaker(1, Duration::from_millis(20));
    let early = breaker.try_acquire().unwrap();
    call(&breaker, fail());
    early.record(&ok());
    assert!(matches!(breaker.state(), BreakerState::Open { .. }));
}

#[test]
fn concurrent_callers_get_exactly_one_probe() {
    for _ in 0..300 {
        let breaker = breaker(1, Duration::ZERO);
        call(&breaker, fail());
        let barrier = Arc::new(Barrier::new(4));
        let probes = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let breaker = Arc::clone(&breaker);
                let barrier = Arc::clone(&barrier);
                let probes = Arc::clone(&probes);
                std::thread::spawn(move || {
                    barrier.wait();
                    if let Some(permit) = breaker.try_acquire() {
                        assert!(permit.is_probe());
                        probes.fetch_add(1, Ordering::SeqCst);
                        // Held until every thread has tried.
                        std::mem::forget(permit);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(probes.load(Ordering::SeqCst), 1);
    }
}

#[test]
fn a_success_resets_the_count_and_application_errors_do_not_count() {
    let breaker = breaker(3, Duration::from_secs(60));
    call(&breaker, fail());
    call(&breaker, fail());
    call(&breaker, ok());
    call(&breaker, fail());
    call(&breaker, fail());
    for _ in 0..10 {
        call(&breaker, Err(Status::application("no such user")));
    }
    assert_eq!(breaker.state(), BreakerState::Closed { failures: 0 });
}

#[test]
fn a_failure_ratio_opens_it_when_failures_never_come_in_a_row() {
    let config = BreakerConfig::builder()
        .failures(3)
        .failure_ratio(0.5)
        .min_calls(10)
        .open_for(Duration::from_secs(60))
        .build()
        .unwrap();
    let breaker = Arc::new(CircuitBreaker::new(config));
    // Alternating: never two failures in a row. Nine calls are below the
    // minimum; the tenth reaches it at exactly half failed.
    for i in 0..9 {
        call(&breaker, if i % 2 == 0 { fail() } else { ok() });
        assert!(
            matches!(breaker.state(), BreakerState::Closed { .. }),
            "call {i}"
        );
    }
    call(&breaker, ok());
    assert!(matches!(breaker.state(), BreakerState::Open { .. }));
}

#[test]
fn below_the_ratio_it_stays_closed() {
    let config = BreakerConfig::builder()
        .failures(0)
        .failure_ratio(0.5)
        .min_calls(10)
        .build()
        .unwrap();
    let breaker = Arc::new(CircuitBreaker::new(config));
    for i in 0..100 {
        call(&breaker, if i % 3 == 0 { fail() } else { ok() });
    }
    assert!(matches!(breaker.state(), BreakerState::Closed { .. }));
}

#[test]
fn no_trigger_disables_breaking() {
    let config = BreakerConfig::builder()
        .failures(0)
        .failure_ratio(None)
        .build()
        .unwrap();
    let breaker = Arc::new(CircuitBreaker::new(config));
    for _ in 0..100 {
        call(&breaker, fail());
    }
    assert!(breaker.allows_calls());
}

#[test]
fn a_closed_breaker_admits_and_records_successes_while_its_lock_is_held() {
    let breaker = Arc::new(CircuitBreaker::new(BreakerConfig::default()));
    let held = breaker.lock();
    let (done, finished) = std::sync::mpsc::channel();
    let worker = {
        let breaker = Arc::clone(&breaker);
        std::thread::spawn(move || {
            for _ in 0..1_000 {
                call(&breaker, ok());
            }
            done.send(()).unwrap();
        })
    };
    // A lock on the healthy path would keep the worker waiting until
    // `held` is dropped: this is a wait for a deadlock, not a speed limit.
    let without_the_lock = finished.recv_timeout(Duration::from_secs(10)).is_ok();
    drop(held);
    worker.join().unwrap();
    assert!(
        without_the_lock,
        "a success on a closed breaker waited for the breaker's lock"
    );
    assert_eq!(breaker.state(), BreakerState::Closed { failures: 0 });
}
