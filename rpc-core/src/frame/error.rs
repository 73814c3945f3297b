//! [`FrameError`]: every way bytes from a peer can fail to be a frame.

use crate::frame::MessageType;

/// Why bytes could not be decoded as a frame, or a frame could not be encoded.
///
/// Decode errors are final for the connection (after one, the byte stream
/// can no longer be trusted to be aligned on frame boundaries), except where
/// a [`FrameReader`](crate::frame::FrameReader) refuses a frame it could
/// delimit: a frame over the maximum size, whose body it skips, and metadata
/// over the [`MetadataLimits`](crate::frame::MetadataLimits).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The first four bytes are not the protocol's magic.
    #[error("bad magic {0:02x?}: the peer does not speak this protocol")]
    BadMagic([u8; 4]),
    /// The version byte names a protocol version this build does not speak.
    #[error("unsupported protocol version {0}")]
    UnsupportedVersion(u8),
    /// The length field is smaller than the 16-byte header itself.
    #[error("frame length {0} is smaller than the 16-byte header")]
    LengthTooSmall(u32),
    /// The length field is above the configured maximum frame size.
    #[error("frame length {length} exceeds the maximum of {max} bytes")]
    TooLarge {
        /// The frame's length (declared on decode, computed on encode).
        length: u64,
        /// The configured maximum.
        max: u32,
    },
    /// The message-type byte is unknown.
    #[error("unknown message type {0}")]
    UnknownMessageType(u8),
    /// The codec byte is unknown.
    #[error("unknown codec {0}")]
    UnknownCodec(u8),
    /// The compression byte is unknown.
    #[error("unknown compression {0}")]
    UnknownCompression(u8),
    /// The header was valid but the body does not follow the layout of its message type.
    #[error("malformed {message_type} body: {reason}")]
    MalformedBody {
        /// The frame's message type.
        message_type: MessageType,
        /// What was wrong.
        reason: &'static str,
    },
    /// The metadata block is over the receiver's limits, or has an empty key.
    #[error("metadata refused: {found} {what}, more than the {max} allowed")]
    MetadataLimit {
        /// What is counted.
        what: &'static str,
        /// How many the frame has (as far as it was read).
        found: usize,
        /// The receiver's limit.
        max: usize,
    },
    /// A metadata entry has an empty key.
    #[error("metadata refused: an entry has an empty key")]
    EmptyMetadataKey,
    /// A field is too long for its length prefix (encoding only).
    #[error("{field} is {length} bytes, more than the {max} its length prefix allows")]
    FieldTooLong {
        /// The field.
        field: &'static str,
        /// Its length.
        length: usize,
        /// The most the field may hold.
        max: usize,
    },
    /// Reading from or writing to the transport failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}
