//! Attack (b): requests whose gzip payload (about 4 KiB on the wire)
//! inflates to 4 MiB, the server's default payload limit: first a burst of
//! 20, then sustained. The inflated bytes are zeros, which do not decode as
//! the argument, so each costs the server a full inflate and a refusal.

use bytes::Bytes;
use rpc_codec::Compression;
use rpc_core::Metadata;

use crate::hostile::bystander::Bystander;
use crate::hostile::report::Measurement;
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
    let extra = vec![("inflated_bytes".to_owned(), INFLATED.to_string())];
    attacker::burst_then_sustained("gzip", addr, bystander, scale, frame(), BURST, extra).await
}
