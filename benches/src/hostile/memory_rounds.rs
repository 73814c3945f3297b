//! Memory under connection churn: `rounds` rounds of `connections`
//! concurrent connections that each ping once (and wait for the pong) and
//! close, the server's RSS after each round and after a second of quiet;
//! then the memory of `connections` idle connections held open at once.

use std::sync::Arc;
use std::time::Duration;

use rpc_core::frame::Message;
use tokio::sync::Barrier;

use crate::hostile::{Scale, wire};
use crate::load::process::status_bytes;

/// How long a ping may wait for its pong.
const PONG_TIMEOUT: Duration = Duration::from_secs(30);

/// What the rounds measured.
#[derive(Debug, Default)]
pub struct MemoryReport {
    /// Server RSS before the first round, bytes.
    pub rss_start: u64,
    /// Server RSS after each round, bytes.
    pub rss_after_round: Vec<u64>,
    /// Server RSS after the rounds and a second of quiet, bytes.
    pub rss_after_quiet: u64,
    /// Pings that were not answered (connect or pong failures), all rounds.
    pub failed_pings: u64,
    /// Idle connections held for the per-connection figure.
    pub idle_connections: u64,
    /// Server RSS while they were held, bytes.
    pub rss_with_idle: u64,
}

impl MemoryReport {
    /// Server memory per idle connection, bytes.
    pub fn bytes_per_idle_connection(&self) -> f64 {
        self.rss_with_idle.saturating_sub(self.rss_after_quiet) as f64
            / self.idle_connections.max(1) as f64
    }

    /// The `key=value` lines.
    pub fn lines(&self) -> Vec<String> {
        let kib = |b: u64| b / 1024;
        let mut lines = vec![format!(
            "memory phase=start rss_kib={}",
            kib(self.rss_start)
        )];
        for (round, rss) in self.rss_after_round.iter().enumerate() {
            lines.push(format!(
                "memory phase=round round={} rss_kib={}",
                round + 1,
                kib(*rss)
            ));
        }
        let first = self.rss_after_round.first().copied().unwrap_or(0);
        lines.push(format!(
            "memory phase=quiet rss_kib={} growth_since_round1_kib={} failed_pings={}",
            kib(self.rss_after_quiet),
            kib(self.rss_after_quiet).saturating_sub(kib(first)),
            self.failed_pings
        ));
        lines.push(format!(
            "memory phase=idle idle_connections={} rss_kib={} kib_per_idle_connection={:.2}",
            self.idle_connections,
            kib(self.rss_with_idle),
            self.bytes_per_idle_connection() / 1024.0
        ));
        lines
    }
}

/// Both halves of one open connection.
type OpenConnection = (wire::FrameReader, tokio::net::tcp::OwnedWriteHalf);

/// Opens `count` connections at once, pings on each; every connection stays
/// open until all have their pong (so `count` are open together). Returns
/// the open connections and how many pings failed.
async fn open_and_ping(addr: &str, count: usize) -> (Vec<OpenConnection>, u64) {
    let barrier = Arc::new(Barrier::new(count + 1));
    let tasks: Vec<_> = (0..count)
        .map(|i| {
            let addr = addr.to_owned();
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                let outcome = async {
                    let (mut reader, mut write) = wire::connect(&addr).await?;
                    wire::write_within(&mut write, &wire::ping(i as u32), PONG_TIMEOUT).await?;
                    let pong = reader.next(PONG_TIMEOUT).await?;
                    if pong.message != Message::Pong {
                        return Err("answer to a ping is not a pong".to_owned());
                    }
                    Ok((reader, write))
                }
                .await;
                barrier.wait().await;
                outcome
            })
        })
        .collect();
    barrier.wait().await;
    let mut open = Vec::with_capacity(count);
    let mut failed = 0;
    for task in tasks {
        match task.await {
            // Both halves are kept: dropping the write half alone would
            // send a FIN, and the server would close an "idle" connection.
            Ok(Ok(connection)) => open.push(connection),
            _ => failed += 1,
        }
    }
    (open, failed)
}

/// Runs the rounds against the server process `pid` listening on `addr`.
pub async fn run(addr: &str, pid: u32, scale: &Scale) -> MemoryReport {
    let pid = pid.to_string();
    let rss = || status_bytes(&pid, "VmRSS").unwrap_or(0);
    let settle = Duration::from_millis(200);
    tokio::time::sleep(settle).await;
    let mut report = MemoryReport {
        rss_start: rss(),
        ..MemoryReport::default()
    };
    for _ in 0..scale.rounds {
        let (open, failed) = open_and_ping(addr, scale.round_connections).await;
        report.failed_pings += failed;
        drop(open);
        // Let the server see the closes and end those connection tasks.
        tokio::time::sleep(settle).await;
        report.rss_after_round.push(rss());
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    report.rss_after_quiet = rss();
    let (held, failed) = open_and_ping(addr, scale.round_connections).await;
    report.failed_pings += failed;
    report.idle_connections = held.len() as u64;
    tokio::time::sleep(Duration::from_secs(1)).await;
    report.rss_with_idle = rss();
    drop(held);
    report
}
