//! The CPU-bound handler scenario (`--work-us N`): every server's handler
//! spends a fixed amount of computation before it answers, which in every
//! contender happens before the handler's first `.await`.
//!
//! The work is a fixed number of iterations of a real computation (a
//! xorshift chain that the optimizer cannot skip), not a wall-clock spin:
//! a handler preempted by another process on this shared machine still does
//! the same work, so every contender is charged the same CPU per call. The
//! load suite calibrates iterations per microsecond once and passes the same
//! count to every server it starts.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Iterations of [`busy_work`] each handler runs (0: the trivial handler).
static WORK_ITERATIONS: AtomicU64 = AtomicU64::new(0);

/// Makes every later handler of this process run `iterations` of [`busy_work`].
pub fn set_work_iterations(iterations: u64) {
    WORK_ITERATIONS.store(iterations, Ordering::Relaxed);
}

/// The iterations each handler runs.
pub fn work_iterations() -> u64 {
    WORK_ITERATIONS.load(Ordering::Relaxed)
}

/// Runs the configured per-handler work (nothing when it is 0).
pub fn spend_handler_work() {
    let iterations = work_iterations();
    if iterations > 0 {
        black_box(busy_work(iterations));
    }
}

/// `iterations` steps of a xorshift64 generator folded into a checksum;
/// each step depends on the previous one, so none can be skipped.
pub fn busy_work(iterations: u64) -> u64 {
    let mut state = black_box(0x9E37_79B9_7F4A_7C15_u64);
    let mut sum = 0_u64;
    for _ in 0..iterations {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        sum = sum.wrapping_add(state);
    }
    sum
}

/// The iterations of [`busy_work`] that take `micros` µs of CPU on this
/// machine: the fastest of several timed trials (the least disturbed by
/// other processes), scaled.
pub fn calibrate(micros: u64) -> u64 {
    if micros == 0 {
        return 0;
    }
    const TRIAL: u64 = 2_000_000;
    let fastest = (0..7)
        .map(|_| {
            let start = Instant::now();
            black_box(busy_work(black_box(TRIAL)));
            start.elapsed()
        })
        .min()
        .unwrap_or(Duration::from_millis(1))
        .max(Duration::from_nanos(1));
    let per_micro = TRIAL as f64 / (fastest.as_nanos() as f64 / 1000.0);
    (per_micro * micros as f64).round().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_depends_on_every_iteration() {
        assert_ne!(busy_work(1000), busy_work(1001));
        assert_eq!(busy_work(1000), busy_work(1000));
    }

    #[test]
    fn calibration_scales_with_the_requested_time() {
        assert_eq!(calibrate(0), 0);
        let one = calibrate(100);
        assert!(one > 0);
    }
}
