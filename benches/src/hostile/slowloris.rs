//! Attack (c): 200 connections each sending one byte of a valid request
//! frame a second, never finishing it within the phase. A server without a
//! time limit for a frame to arrive holds every one of them.

use std::time::{Duration, Instant};

use crate::hostile::Scale;
use crate::hostile::attacker::AttackerStats;
use crate::hostile::bystander::Bystander;
use crate::hostile::report::{Measurement, during};
use crate::hostile::slow_sender::{SlowEnd, call_frame, send_slowly};

/// The bystander's measurement while the slow connections trickle.
pub async fn run(addr: &str, bystander: &Bystander, scale: &Scale) -> Vec<Measurement> {
    let connections = scale.slowloris_connections;
    let attack = async {
        let start = Instant::now();
        let until = start + scale.slow_duration;
        let senders: Vec<_> = (0..connections)
            .map(|_| {
                let addr = addr.to_owned();
                tokio::spawn(async move {
                    send_slowly(&addr, call_frame(), 1, Duration::from_secs(1), start, until).await
                })
            })
            .collect();
        let mut stats = AttackerStats::default();
        for sender in senders {
            let Ok((end, written)) = sender.await else {
                continue;
            };
            stats.sent += written;
            match end {
                SlowEnd::ClosedByServer(at) => {
                    stats.connections += 1;
                    stats.closed_at.push(at);
                }
                SlowEnd::OpenAtEnd => {
                    stats.connections += 1;
                    stats.open_at_end += 1;
                }
                SlowEnd::ConnectFailed => {}
            }
        }
        stats
    };
    let mut measurement = during("slowloris", bystander, attack).await;
    measurement.extra.push((
        "duration_s".to_owned(),
        scale.slow_duration.as_secs().to_string(),
    ));
    measurement
        .extra
        .push(("connections_tried".to_owned(), connections.to_string()));
    vec![measurement]
}
