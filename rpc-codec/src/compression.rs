//! Payload compression: the algorithms, when to use them, and bounded decompression.
//!
//! Only the payload of a frame is compressed, never the header or the routing
//! fields, so a server can route and refuse a call without inflating anything.
//! Decompression never produces more than a caller-given number of bytes: a
//! small frame that inflates to gigabytes (a decompression bomb) is an error, and
//! the memory used is bounded by the limit, not by what the data claims.

use std::fmt;
use std::io::{Read, Write};

use bytes::Bytes;

use crate::error::{CompressionError, UnknownNumber};

/// A compression algorithm. The number is the header's compression byte.
///
/// Numbers follow rpcx where rpcx has one (0 none, 1 gzip) and extend it.
/// Every format is the standard self-delimiting *frame* format of its
/// algorithm, so any language's stock library can read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum Compression {
    /// The payload is sent as is.
    None = 0,
    /// gzip (RFC 1952), as written by flate2.
    Gzip = 1,
    /// Zstandard frame format (RFC 8878).
    Zstd = 2,
    /// LZ4 frame format (not the bare block format).
    Lz4 = 3,
}

/// Input smaller than this many bytes is never worth compressing by default.
pub const DEFAULT_COMPRESSION_THRESHOLD: usize = 1024;

impl Compression {
    /// Every algorithm, in wire-number order.
    pub const ALL: [Compression; 4] = [
        Compression::None,
        Compression::Gzip,
        Compression::Zstd,
        Compression::Lz4,
    ];

    /// The header byte for this algorithm.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// A short lowercase name, as used in logs and command lines.
    pub const fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Lz4 => "lz4",
        }
    }

    /// Compresses `input` with this algorithm.
    ///
    /// Levels favour speed, as suits a request path: gzip level 1, zstd level 1,
    /// lz4's only level.
    pub fn compress(self, input: &[u8]) -> Result<Bytes, CompressionError> {
        let wrap = |source| CompressionError::Compress {
            compression: self,
            source,
        };
        let out = Vec::with_capacity(input.len() / 2 + 64);
        let out = match self {
            Compression::None => return Ok(Bytes::copy_from_slice(input)),
            Compression::Gzip => {
                let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
                encoder.write_all(input).map_err(wrap)?;
                encoder.finish().map_err(wrap)?
            }
            Compression::Zstd => {
                let mut encoder = zstd::stream::write::Encoder::new(out, 1).map_err(wrap)?;
                encoder.include_contentsize(true).map_err(wrap)?;
                encoder
                    .set_pledged_src_size(Some(input.len() as u64))
                    .map_err(wrap)?;
                encoder.write_all(input).map_err(wrap)?;
                encoder.finish().map_err(wrap)?
            }
            Compression::Lz4 => {
                let mut encoder = lz4_flex::frame::FrameEncoder::new(out);
                encoder.write_all(input).map_err(wrap)?;
                encoder
                    .finish()
                    .map_err(|e| wrap(std::io::Error::other(e)))?
            }
        };
        Ok(Bytes::from(out))
    }

    /// Decompresses `input`, producing at most `max_output` bytes.
    ///
    /// Output that would be larger is refused with
    /// [`CompressionError::TooLarge`] as soon as the limit is crossed; memory
    /// use stays below `max_output` plus a small read buffer whatever the input
    /// claims. With [`Compression::None`] the input is returned without a copy
    /// (and still checked against the limit).
    pub fn decompress(self, input: Bytes, max_output: usize) -> Result<Bytes, CompressionError> {
        let too_large = CompressionError::TooLarge { limit: max_output };
        match self {
            Compression::None if input.len() > max_output => Err(too_large),
            Compression::None => Ok(input),
            Compression::Gzip => {
                // Exactly one gzip member: bytes after it are refused rather
                // than silently dropped.
                let mut decoder = flate2::bufread::GzDecoder::new(&input[..]);
                let out = read_bounded(self, &mut decoder, &input, max_output)?;
                if !decoder.into_inner().is_empty() {
                    return Err(CompressionError::Corrupt {
                        compression: self,
                        source: std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            "bytes after the gzip member",
                        ),
                    });
                }
                Ok(out)
            }
            Compression::Zstd => {
                let corrupt = |source| CompressionError::Corrupt {
                    compression: self,
                    source,
                };
                let mut decoder =
                    zstd::stream::read::Decoder::with_buffer(&input[..]).map_err(corrupt)?;
                // A frame declares its window, and the decoder allocates it
                // whatever the output limit: cap it at the limit.
                decoder
                    .window_log_max(zstd_window_log(max_output))
                    .map_err(corrupt)?;
                read_bounded(self, decoder, &input, max_output)
            }
            Compression::Lz4 => read_bounded(
                self,
                lz4_flex::frame::FrameDecoder::new(&input[..]),
                &input,
                max_output,
            ),
        }
    }
}

/// The largest zstd window (log2) accepted when at most `max_output` bytes
/// may come out: the limit rounded up to a power of two, but at least 8 MiB
/// (2^23, what common encoders use by default, e.g. Go's klauspost/zstd)
/// and at most zstd's own default cap of 128 MiB (2^27).
pub(crate) fn zstd_window_log(max_output: usize) -> u32 {
    let rounded = max_output.max(1).next_power_of_two();
    rounded.trailing_zeros().clamp(23, 27)
}

/// Reads a decoder to its end, failing once more than `max_output` bytes come out.
fn read_bounded(
    compression: Compression,
    decoder: impl Read,
    input: &[u8],
    max_output: usize,
) -> Result<Bytes, CompressionError> {
    // Start from a guess based on the input, never from what the data claims,
    // and never above the limit: the vector grows only as real output arrives.
    let guess = input.len().saturating_mul(4).min(max_output);
    let mut out = Vec::with_capacity(guess);
    let limit = u64::try_from(max_output)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    decoder
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|source| CompressionError::Corrupt {
            compression,
            source,
        })?;
    if out.len() > max_output {
        return Err(CompressionError::TooLarge { limit: max_output });
    }
    Ok(Bytes::from(out))
}

impl TryFrom<u8> for Compression {
    type Error = UnknownNumber;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        match value {
            0 => Ok(Compression::None),
            1 => Ok(Compression::Gzip),
            2 => Ok(Compression::Zstd),
            3 => Ok(Compression::Lz4),
            other => Err(UnknownNumber(other)),
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// When to compress an outgoing payload: an algorithm and a size threshold.
///
/// Payloads below the threshold, and payloads that compression would not make
/// smaller, are sent uncompressed (the frame then says [`Compression::None`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompressionPolicy {
    /// The algorithm for payloads at or above the threshold.
    pub compression: Compression,
    /// Payloads shorter than this many bytes are sent as they are.
    pub threshold: usize,
}

impl CompressionPolicy {
    /// Never compress.
    pub const NONE: CompressionPolicy = CompressionPolicy {
        compression: Compression::None,
        threshold: 0,
    };

    /// Compress with `compression` payloads of at least
    /// [`DEFAULT_COMPRESSION_THRESHOLD`] bytes.
    pub const fn new(compression: Compression) -> CompressionPolicy {
        CompressionPolicy {
            compression,
            threshold: DEFAULT_COMPRESSION_THRESHOLD,
        }
    }

    /// The same policy with another threshold.
    pub const fn with_threshold(self, threshold: usize) -> CompressionPolicy {
        CompressionPolicy { threshold, ..self }
    }

    /// Applies the policy: the algorithm actually used and the bytes to send.
    pub fn apply(&self, payload: Bytes) -> Result<(Compression, Bytes), CompressionError> {
        if self.compression == Compression::None || payload.len() < self.threshold {
            return Ok((Compression::None, payload));
        }
        let compressed = self.compression.compress(&payload)?;
        if compressed.len() >= payload.len() {
            return Ok((Compression::None, payload));
        }
        Ok((self.compression, compressed))
    }
}

impl Default for CompressionPolicy {
    fn default() -> Self {
        CompressionPolicy::NONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_unknown_numbers_are_refused() {
        for compression in Compression::ALL {
            assert_eq!(Compression::try_from(compression.as_u8()), Ok(compression));
        }
        assert_eq!(Compression::try_from(4), Err(UnknownNumber(4)));
        assert_eq!(Compression::try_from(255), Err(UnknownNumber(255)));
    }

    #[test]
    fn policy_skips_small_and_incompressible_payloads() {
        let policy = CompressionPolicy::new(Compression::Zstd).with_threshold(16);
        let small = Bytes::from_static(b"tiny");
        assert_eq!(
            policy.apply(small.clone()).unwrap(),
            (Compression::None, small)
        );

        let repetitive = Bytes::from(vec![b'a'; 4096]);
        let (used, sent) = policy.apply(repetitive.clone()).unwrap();
        assert_eq!(used, Compression::Zstd);
        assert!(sent.len() < repetitive.len());
        assert_eq!(used.decompress(sent, 4096).unwrap(), repetitive);

        // 64 bytes of a simple PRNG's output do not shrink.
        let mut x = 0x9E37_79B9_u32;
        let noise: Vec<u8> = (0..64)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let noise = Bytes::from(noise);
        assert_eq!(
            policy.apply(noise.clone()).unwrap(),
            (Compression::None, noise)
        );
    }

    #[test]
    fn corrupt_input_is_an_error_for_every_algorithm() {
        let garbage = Bytes::from_static(b"definitely not compressed data");
        for compression in [Compression::Gzip, Compression::Zstd, Compression::Lz4] {
            let err = compression
                .decompress(garbage.clone(), 1 << 20)
                .unwrap_err();
            assert!(
                matches!(err, CompressionError::Corrupt { .. }),
                "{compression}: {err}"
            );
        }
    }

    #[test]
    fn uncompressed_input_over_the_limit_is_refused() {
        let err = Compression::None
            .decompress(Bytes::from(vec![0; 11]), 10)
            .unwrap_err();
        assert!(matches!(err, CompressionError::TooLarge { limit: 10 }));
    }
}
