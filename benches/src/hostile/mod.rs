//! The hostile-traffic harness (issue 10): attacks on a real `bench-server`
//! process over 127.0.0.1, each measured by a well-behaved bystander
//! connection's latency, plus the server's memory under connection churn.
//!
//! One file per attack: [`metadata_flood`] (a), [`gzip_bomb`] (b),
//! [`slowloris`] (c), [`slow_body`] (d), [`oversized_frame`] (e), and
//! [`memory_rounds`]. Every attack is bounded in frames and time and stops
//! by itself; [`Scale`] sets the bounds (`--quick` for CI-size runs).

pub mod attacker;
pub mod bystander;
pub mod gzip_bomb;
pub mod memory_rounds;
pub mod metadata_flood;
pub mod oversized_frame;
pub mod report;
pub mod slow_body;
pub mod slow_sender;
pub mod slowloris;
pub mod wire;

use std::time::Duration;

/// The bounds of one harness run.
#[derive(Debug, Clone)]
pub struct Scale {
    /// Callers on the bystander's one connection.
    pub bystander_concurrency: usize,
    /// Length of the no-attack reference phase.
    pub baseline: Duration,
    /// Longest a burst phase may take (it ends once its frames are answered).
    pub burst_limit: Duration,
    /// Length of each sustained flood.
    pub sustained: Duration,
    /// Most frames one sustained flood sends.
    pub max_sustained_frames: u64,
    /// Connections of the slowloris attack.
    pub slowloris_connections: usize,
    /// Length of the slowloris and slow-body phases.
    pub slow_duration: Duration,
    /// Cycles of call, oversized frame, call.
    pub oversized_cycles: u32,
    /// Rounds of connection churn.
    pub rounds: usize,
    /// Concurrent connections per round (and idle connections held).
    pub round_connections: usize,
}

impl Scale {
    /// The full run: the sizes issue 10 reports.
    pub fn full() -> Scale {
        Scale {
            bystander_concurrency: 1,
            baseline: Duration::from_secs(10),
            burst_limit: Duration::from_secs(60),
            sustained: Duration::from_secs(10),
            max_sustained_frames: 100_000,
            slowloris_connections: 200,
            slow_duration: Duration::from_secs(30),
            oversized_cycles: 50,
            rounds: 12,
            round_connections: 2_000,
        }
    }

    /// Seconds, not minutes: the same attacks, shorter and smaller.
    pub fn quick() -> Scale {
        Scale {
            bystander_concurrency: 1,
            baseline: Duration::from_secs(2),
            burst_limit: Duration::from_secs(30),
            sustained: Duration::from_secs(2),
            max_sustained_frames: 100_000,
            slowloris_connections: 200,
            slow_duration: Duration::from_secs(3),
            oversized_cycles: 10,
            rounds: 3,
            round_connections: 500,
        }
    }
}
