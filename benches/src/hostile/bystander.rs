//! The well-behaved connection whose latency the attacks are judged by: one
//! `rpc::Client` (one connection) making `Hello.Say` calls back to back from
//! `concurrency` callers, every reply checked, every failure counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use rpc::Client;

use crate::BenchmarkMessage;
use crate::load::contenders::rpc::HelloClient;
use crate::load::is_correct_reply;

/// Most calls one bystander caller makes in one phase, whatever its length.
const MAX_CALLS_PER_CALLER: u64 = 1_000_000;

/// What the bystander saw during one phase.
#[derive(Debug)]
pub struct BystanderStats {
    /// Calls answered correctly.
    pub ok: u64,
    /// Calls that failed or came back wrong.
    pub errors: u64,
    /// The first error, if any.
    pub first_error: Option<String>,
    /// Latency of the correct calls, µs.
    pub latency_us: Histogram<u64>,
}

impl BystanderStats {
    /// An empty record.
    pub fn new() -> BystanderStats {
        BystanderStats {
            ok: 0,
            errors: 0,
            first_error: None,
            latency_us: Histogram::new_with_bounds(1, 600_000_000, 3)
                .expect("valid histogram bounds"),
        }
    }

    /// Counts one call that took `elapsed` and ended in `outcome`.
    pub fn record(&mut self, elapsed: Duration, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => {
                self.ok += 1;
                let micros = elapsed.as_micros().clamp(1, 600_000_000) as u64;
                let _ = self.latency_us.record(micros);
            }
            Err(error) => {
                self.errors += 1;
                self.first_error.get_or_insert(error);
            }
        }
    }

    fn merge(&mut self, other: BystanderStats) {
        self.ok += other.ok;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        let _ = self.latency_us.add(&other.latency_us);
    }

    /// `bystander_… ` key=value fields.
    pub fn fields(&self) -> String {
        let q = |q: f64| {
            if self.ok == 0 {
                0
            } else {
                self.latency_us.value_at_quantile(q)
            }
        };
        format!(
            "bystander_ok={} bystander_errors={} p50_us={} p99_us={} max_us={}",
            self.ok,
            self.errors,
            q(0.5),
            q(0.99),
            if self.ok == 0 {
                0
            } else {
                self.latency_us.max()
            },
        )
    }
}

impl Default for BystanderStats {
    fn default() -> Self {
        BystanderStats::new()
    }
}

/// A bystander connected and ready; [`Bystander::start`] runs it until stopped.
#[derive(Debug)]
pub struct Bystander {
    client: HelloClient<Client>,
    concurrency: usize,
}

/// A running bystander; [`RunningBystander::stop`] returns what it saw.
#[derive(Debug)]
pub struct RunningBystander {
    stop: Arc<AtomicBool>,
    callers: Vec<tokio::task::JoinHandle<BystanderStats>>,
}

impl Bystander {
    /// Connects one `Client` to `addr` (before any attack starts).
    pub async fn connect(addr: &str, concurrency: usize) -> Result<Bystander, String> {
        let client = Client::new(addr);
        client.connect().await.map_err(|s| s.to_string())?;
        Ok(Bystander {
            client: HelloClient::new(client),
            concurrency: concurrency.max(1),
        })
    }

    /// Starts calling.
    pub fn start(&self) -> RunningBystander {
        let stop = Arc::new(AtomicBool::new(false));
        let callers = (0..self.concurrency)
            .map(|_| {
                let client = self.client.clone();
                let stop = Arc::clone(&stop);
                tokio::spawn(async move {
                    let request = BenchmarkMessage::filled();
                    let mut stats = BystanderStats::new();
                    let mut calls = 0;
                    while !stop.load(Ordering::Relaxed) && calls < MAX_CALLS_PER_CALLER {
                        calls += 1;
                        let sent = Instant::now();
                        let outcome = match client.say(&request).await {
                            Ok(reply) if is_correct_reply(&request, &reply) => Ok(()),
                            Ok(_) => Err("wrong reply".to_owned()),
                            Err(status) => Err(status.to_string()),
                        };
                        stats.record(sent.elapsed(), outcome);
                    }
                    stats
                })
            })
            .collect();
        RunningBystander { stop, callers }
    }
}

impl RunningBystander {
    /// Stops the callers after their current call and merges their records.
    pub async fn stop(self) -> BystanderStats {
        self.stop.store(true, Ordering::Relaxed);
        let mut all = BystanderStats::new();
        for caller in self.callers {
            match caller.await {
                Ok(stats) => all.merge(stats),
                Err(error) => all.record(Duration::ZERO, Err(format!("caller failed: {error}"))),
            }
        }
        all
    }
}
