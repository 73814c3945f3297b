//! Attack (a): frames each carrying 65,535 metadata entries (the most the
//! count field allows), a valid call otherwise: first a burst of 50, then
//! sustained. Each costs the server 131,070 string slices to decode.

use bytes::Bytes;
use prost::Message as _;
use rpc_codec::Compression;
use rpc_core::Metadata;

use crate::BenchmarkMessage;
use crate::hostile::bystander::Bystander;
use crate::hostile::report::Measurement;
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
    let extra = vec![("entries".to_owned(), ENTRIES.to_string())];
    attacker::burst_then_sustained("metadata", addr, bystander, scale, frame(), BURST, extra).await
}
