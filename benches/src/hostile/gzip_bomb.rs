//! Attack (b): requests whose gzip payload (about 4 KiB on the wire)
//! inflates to 4 MiB, the server's default payload limit: first a burst of
//! 20, then sustained. The inflated bytes are zeros, which do not decode as
//! the argument, so each costs the server a full inflate and a refusal.

use std::time::Instant;

use bytes::Bytes;
use rpc_codec::Compression;
use rpc_core::Metadata;

use crate::hostile::bystander::Bystander;
use crate::hostile::report::{Measurement, during};
use crate::hostile::{Scale, attacker, wire};

/// What each payload inflates to: the default `max_payload_size`.
pub const INFLATED: usize = 4 * 1024 * 1024;

/// Frames in the burst.
pub const BURST: u64 = 20;

/// The attack frame.
pub fn frame() -> Bytes {
    let payload = Compression::Gzip
        .compress(&vec![0; INFLATED])
        .expect("gzip compresses zeros");
    wire::request_frame(1, Metadata::new(), Compression::Gzip, payload)
}

/// The burst, then the sustained flood, each with the bystander measured.
pub async fn run(addr: &str, bystander: &Bystander, scale: &Scale) -> Vec<Measurement> {
    let frame = frame();
    let size = frame.len().to_string();
    let burst = during(
        "gzip_burst",
        bystander,
        attacker::flood(
            addr,
            frame.clone(),
            BURST,
            Instant::now() + scale.burst_limit,
            true,
        ),
    )
    .await;
    let sustained = during(
        "gzip_sustained",
        bystander,
        attacker::flood(
            addr,
            frame,
            scale.max_sustained_frames,
            Instant::now() + scale.sustained,
            false,
        ),
    )
    .await;
    [burst, sustained]
        .into_iter()
        .map(|mut m| {
            m.extra.push(("frame_bytes".to_owned(), size.clone()));
            m.extra
                .push(("inflated_bytes".to_owned(), INFLATED.to_string()));
            m
        })
        .collect()
}
