//! [`run`]: drives callers and measures throughput and latency.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::BenchmarkMessage;
use crate::load::{Caller, is_correct_reply};

/// The shape of one load run.
#[derive(Debug, Clone, Copy)]
pub struct LoadConfig {
    /// Callers running at once (`-c`).
    pub concurrency: usize,
    /// Calls in total (`-n`), spread evenly over the callers.
    pub total: usize,
}

/// What one run measured.
#[derive(Debug)]
pub struct LoadReport {
    /// Calls answered correctly.
    pub ok: u64,
    /// Calls that failed or came back wrong.
    pub errors: u64,
    /// The first few error messages.
    pub error_samples: Vec<String>,
    /// Wall-clock time of the whole run.
    pub elapsed: Duration,
    /// Latency of every correct call, in microseconds.
    pub latency_us: Histogram<u64>,
}

impl LoadReport {
    /// Correct calls per second.
    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }
}

/// Runs `config` over `connections` (caller `i` uses connection `i % len`).
pub async fn run<C: Caller>(connections: Vec<C>, config: LoadConfig) -> LoadReport {
    assert!(!connections.is_empty(), "at least one connection");
    let connections: Vec<Arc<C>> = connections.into_iter().map(Arc::new).collect();
    let request = Arc::new(BenchmarkMessage::filled());
    let per_caller = config.total / config.concurrency.max(1);
    let start = Instant::now();
    let tasks: Vec<_> = (0..config.concurrency)
        .map(|i| {
            let connection = Arc::clone(&connections[i % connections.len()]);
            let request = Arc::clone(&request);
            tokio::spawn(caller(connection, request, per_caller))
        })
        .collect();
    let mut report = LoadReport {
        ok: 0,
        errors: 0,
        error_samples: Vec::new(),
        elapsed: Duration::ZERO,
        latency_us: new_histogram(),
    };
    for task in tasks {
        match task.await {
            Ok(part) => {
                report.ok += part.ok;
                report.errors += part.errors;
                if report.error_samples.len() < 5 {
                    report.error_samples.extend(part.error_samples);
                }
                for micros in part.latency_us {
                    let _ = report.latency_us.record(micros);
                }
            }
            Err(error) => {
                report.errors += per_caller as u64;
                report
                    .error_samples
                    .push(format!("caller task failed: {error}"));
            }
        }
    }
    report.elapsed = start.elapsed();
    report
}

/// What one caller saw. Latencies are kept as a plain list and merged into
/// the run's histogram at the end: a histogram per caller (about 100 KiB
/// each) would make the client's peak RSS at c = 1000 mostly the harness's.
struct CallerReport {
    ok: u64,
    errors: u64,
    error_samples: Vec<String>,
    latency_us: Vec<u64>,
}

async fn caller<C: Caller>(
    connection: Arc<C>,
    request: Arc<BenchmarkMessage>,
    calls: usize,
) -> CallerReport {
    let mut part = CallerReport {
        ok: 0,
        errors: 0,
        error_samples: Vec::new(),
        latency_us: Vec::with_capacity(calls),
    };
    for _ in 0..calls {
        let sent = Instant::now();
        match connection.call(&request).await {
            Ok(reply) if is_correct_reply(&request, &reply) => {
                part.ok += 1;
                let micros = sent.elapsed().as_micros().min(u128::from(u64::MAX)) as u64;
                part.latency_us.push(micros.max(1));
            }
            Ok(_) => {
                part.errors += 1;
                if part.error_samples.len() < 2 {
                    part.error_samples.push("wrong reply".to_owned());
                }
            }
            Err(error) => {
                part.errors += 1;
                if part.error_samples.len() < 2 {
                    part.error_samples.push(error);
                }
            }
        }
    }
    part
}

fn new_histogram() -> Histogram<u64> {
    // 1 µs to 60 s at 3 significant figures.
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}
