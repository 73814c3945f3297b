//! Attack (a): frames each carrying 65,535 metadata entries (the most the
//! count field allows), a valid call otherwise: first a burst of 50, then
//! sustained. Each costs the server 131,070 string slices to decode.

use std::time::Instant;

use bytes::Bytes;
use prost::Message as _;
use rpc_codec::Compression;
use rpc_core::Metadata;

use crate::BenchmarkMessage;
use crate::hostile::bystander::Bystander;
use crate::hostile::report::{Measurement, during};
use crate::hostile::{Scale, attacker, wire};

/// Entries per frame: the u16 count's maximum.
pub const ENTRIES: usize = 65_535;

/// Frames in the burst.
pub const BURST: u64 = 50;

/// The attack frame: one-byte keys and values, the benchmark message as payload.
pub fn frame() -> Bytes {
    let metadata: Metadata = (0..ENTRIES).map(|_| ("k", "v")).collect();
    let payload = BenchmarkMessage::filled().encode_to_vec().into();
    wire::request_frame(1, metadata, Compression::None, payload)
}

/// The burst, then the sustained flood, each with the bystander measured.
pub async fn run(addr: &str, bystander: &Bystander, scale: &Scale) -> Vec<Measurement> {
    let frame = frame();
    let size = frame.len().to_string();
    let burst = during(
        "metadata_burst",
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
        "metadata_sustained",
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
            m.extra.push(("entries".to_owned(), ENTRIES.to_string()));
            m
        })
        .collect()
}
