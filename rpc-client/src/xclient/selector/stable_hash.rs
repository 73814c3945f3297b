//! [`stable_hash`]: a 64-bit hash that is the same in every process, on every
//! platform and with every Rust version.
//!
//! Consistent hashing only works across a cluster of clients if they all
//! place keys and endpoints identically, so std's `DefaultHasher` (randomly
//! keyed per process, and its algorithm is unspecified) will not do. This is
//! FNV-1a 64, which is tiny and fully specified, followed by murmur3's
//! `fmix64` finalizer: FNV-1a alone mixes its last bytes poorly (`"a#1"` and
//! `"a#2"` land close together), and the finalizer spreads every input bit
//! over the whole output.

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// A hash of `bytes` that never changes: the same value in every process, on
/// every platform, with every Rust version.
///
/// FNV-1a 64 followed by murmur3's `fmix64` finalizer. Not cryptographic:
/// do not use it where an adversary choosing keys could matter.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    fmix64(fnv1a_64(bytes))
}

fn fnv1a_64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET_BASIS, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
    })
}

/// murmur3's 64-bit finalizer: every input bit affects every output bit with
/// probability close to 1/2.
fn fmix64(mut hash: u64) -> u64 {
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^= hash >> 33;
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    /// Written down once: if any of these change, every consistent-hash ring
    /// in every deployed client moves, so the change must be deliberate.
    #[test]
    fn values_are_fixed_forever() {
        assert_eq!(stable_hash(b""), FIXED_EMPTY);
        assert_eq!(stable_hash(b"a"), FIXED_A);
        assert_eq!(stable_hash(b"tcp@127.0.0.1:8972#0"), FIXED_ENDPOINT_NODE);
        assert_eq!(stable_hash(&42_u64.to_le_bytes()), FIXED_KEY_42);
    }

    const FIXED_EMPTY: u64 = 0xefd0_1f60_ba99_2926;
    const FIXED_A: u64 = 0x82a2_a958_a9be_ce5b;
    const FIXED_ENDPOINT_NODE: u64 = 0x7cec_d9b8_dbda_b021;
    const FIXED_KEY_42: u64 = 0xa624_5a5d_cf27_8758;

    #[test]
    fn different_inputs_give_different_hashes() {
        let inputs: Vec<String> = (0..10_000)
            .map(|i| format!("tcp@10.0.0.1:8972#{i}"))
            .collect();
        let hashes: HashSet<u64> = inputs
            .iter()
            .map(|input| stable_hash(input.as_bytes()))
            .collect();
        assert_eq!(hashes.len(), inputs.len());
        assert_ne!(stable_hash(b"ab"), stable_hash(b"ba"));
        assert_ne!(stable_hash(b""), stable_hash(b"\0"));
    }

    #[test]
    fn one_flipped_input_bit_flips_about_half_the_output_bits() {
        let base = stable_hash(b"tcp@127.0.0.1:8972#7");
        let mut flipped = *b"tcp@127.0.0.1:8972#7";
        let mut total_changed_bits = 0;
        let mut trials = 0;
        for byte in 0..flipped.len() {
            for bit in 0..8 {
                flipped[byte] ^= 1 << bit;
                total_changed_bits += (stable_hash(&flipped) ^ base).count_ones();
                flipped[byte] ^= 1 << bit;
                trials += 1;
            }
        }
        let mean = f64::from(total_changed_bits) / f64::from(trials);
        assert!((28.0..=36.0).contains(&mean), "mean changed bits {mean}");
    }
}
