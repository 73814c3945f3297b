//! Attack (d): a request header announcing a 4 MiB frame (the default
//! maximum), then its body at 10 KiB/s: complete after 7 minutes, so within
//! the phase it never is. A server with no limit on how long a frame may
//! take to arrive holds the connection and its growing buffer.

use std::time::{Duration, Instant};

use bytes::Bytes;
use rpc_codec::Compression;
use rpc_core::Metadata;

use crate::hostile::attacker::AttackerStats;
use crate::hostile::bystander::Bystander;
use crate::hostile::report::{Measurement, during};
use crate::hostile::slow_sender::{SlowEnd, send_slowly};
use crate::hostile::{Scale, wire};

/// The announced frame length: 4 MiB, header included.
pub const ANNOUNCED: usize = 4 * 1024 * 1024;

/// 1 KiB every 100 ms: 10 KiB/s.
const CHUNK: usize = 1024;
const PACE: Duration = Duration::from_millis(100);

/// A request frame of exactly [`ANNOUNCED`] bytes (payload of zeros).
pub fn frame() -> Bytes {
    let empty = wire::request_frame(1, Metadata::new(), Compression::None, Bytes::new());
    let payload = Bytes::from(vec![0; ANNOUNCED - empty.len()]);
    wire::request_frame(1, Metadata::new(), Compression::None, payload)
}

/// The bystander's measurement while the body trickles.
pub async fn run(addr: &str, bystander: &Bystander, scale: &Scale) -> Vec<Measurement> {
    let attack = async {
        let start = Instant::now();
        let (end, written) = send_slowly(
            addr,
            frame(),
            CHUNK,
            PACE,
            start,
            start + scale.slow_duration,
        )
        .await;
        let mut stats = AttackerStats {
            sent: written,
            ..AttackerStats::default()
        };
        match end {
            SlowEnd::ClosedByServer(at) => {
                stats.connections = 1;
                stats.closed_at.push(at);
            }
            SlowEnd::OpenAtEnd => {
                stats.connections = 1;
                stats.open_at_end = 1;
            }
            SlowEnd::ConnectFailed => {}
        }
        stats
    };
    let mut measurement = during("slow_body", bystander, attack).await;
    measurement
        .extra
        .push(("announced_bytes".to_owned(), ANNOUNCED.to_string()));
    measurement.extra.push((
        "duration_s".to_owned(),
        scale.slow_duration.as_secs().to_string(),
    ));
    vec![measurement]
}
