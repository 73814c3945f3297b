//! [`RpcxError`]: every way bytes from a peer can fail to be an rpcx message.

/// Why bytes could not be decoded as an rpcx message, or a message could not
/// be encoded.
///
/// Header errors (magic, unknown bits, a length over the maximum) end the
/// stream: the decoder cannot know where the next message starts. Body errors
/// (a length prefix past the end, bytes after the payload, a name that is not
/// UTF-8, metadata over the limits) are found after the whole message was
/// taken out of the buffer, so the stream stays aligned and the next message
/// decodes; see [`RpcxError::ends_stream`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RpcxError {
    /// The first byte is not rpcx's magic number `0x08`.
    #[error("bad magic {0:#04x}: the peer does not speak rpcx")]
    BadMagic(u8),
    /// The flags byte's compression bits (4-2) name no known algorithm.
    #[error("unknown rpcx compression {0}")]
    UnknownCompression(u8),
    /// The flags byte's status bits (1-0) are neither normal (0) nor error (1).
    #[error("unknown rpcx message status {0}")]
    UnknownStatus(u8),
    /// The high nibble of byte 3 names no known serialize type.
    #[error("unknown rpcx serialize type {0}")]
    UnknownSerializeType(u8),
    /// The low nibble of byte 3 is not zero (rpcx never sets it).
    #[error("reserved bits {0:#x} of rpcx header byte 3 are set")]
    ReservedBits(u8),
    /// The total length field is above the configured maximum message size.
    #[error("rpcx message length {length} exceeds the maximum of {max} bytes")]
    TooLarge {
        /// The message's length, header included (declared on decode, computed on encode).
        length: u64,
        /// The configured maximum.
        max: u32,
    },
    /// A length prefix inside the body points past what the total length leaves.
    #[error("rpcx {field} length {length} exceeds the {remaining} bytes left in the message")]
    FieldOverrun {
        /// The field whose prefix is wrong.
        field: &'static str,
        /// The declared length (or the 4 bytes of a missing prefix).
        length: u64,
        /// The bytes left in the message at that point.
        remaining: usize,
    },
    /// Bytes are left over after the payload.
    #[error("rpcx message has {0} bytes after its payload")]
    TrailingBytes(usize),
    /// A name, key or value is not UTF-8.
    #[error("rpcx {0} is not UTF-8")]
    NotUtf8(&'static str),
    /// The metadata block is over the receiver's limits.
    #[error("rpcx metadata refused: {found} {what}, more than the {max} allowed")]
    MetadataLimit {
        /// What is counted.
        what: &'static str,
        /// How many the message has (as far as it was read).
        found: usize,
        /// The receiver's limit.
        max: usize,
    },
    /// A field is too long for its u32 length prefix (encoding only).
    #[error("rpcx {field} is {length} bytes, more than a u32 length prefix allows")]
    FieldTooLong {
        /// The field.
        field: &'static str,
        /// Its length.
        length: usize,
    },
    /// Reading from or writing to the transport failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl RpcxError {
    /// Whether the byte stream can no longer be read after this error: true
    /// for header and i/o errors, false for errors in a message's body (that
    /// message was consumed whole and only it is refused).
    pub const fn ends_stream(&self) -> bool {
        !matches!(
            self,
            RpcxError::FieldOverrun { .. }
                | RpcxError::TrailingBytes(_)
                | RpcxError::NotUtf8(_)
                | RpcxError::MetadataLimit { .. }
        )
    }
}
