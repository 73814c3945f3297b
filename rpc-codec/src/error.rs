//! Errors of payload encoding, decoding and decompression.

use crate::{Codec, CodecSet, Compression};

/// A byte that names no known codec or compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown number {0}")]
pub struct UnknownNumber(pub u8);

/// The boxed cause of an encode or decode failure.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a payload could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The payload type cannot be written or read with this codec.
    #[error("codec {codec} is not supported by this payload type (supported: {supported})")]
    Unsupported {
        /// The codec that was asked for.
        codec: Codec,
        /// The codecs the type does support.
        supported: CodecSet,
    },
    /// The value could not be serialized.
    #[error("cannot encode payload as {codec}: {source}")]
    Encode {
        /// The codec in use.
        codec: Codec,
        /// The serializer's error.
        source: BoxError,
    },
    /// The bytes are not a valid payload of the expected type in this codec.
    #[error("cannot decode payload as {codec}: {source}")]
    Decode {
        /// The codec in use.
        codec: Codec,
        /// The deserializer's error.
        source: BoxError,
    },
}

/// Why a payload could not be compressed or decompressed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompressionError {
    /// Decompressing would produce more than the allowed number of bytes.
    #[error("decompressed payload exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The limit that was hit.
        limit: usize,
    },
    /// The input is not valid data of this compression format.
    #[error("corrupt {compression} data: {source}")]
    Corrupt {
        /// The compression format.
        compression: Compression,
        /// The decoder's error.
        source: std::io::Error,
    },
    /// The compressor failed.
    #[error("cannot compress with {compression}: {source}")]
    Compress {
        /// The compression format.
        compression: Compression,
        /// The encoder's error.
        source: std::io::Error,
    },
}
