//! [`RpcxHeader`]: rpcx's 16-byte header, and the enums of its bit fields.
//!
//! Layout (Go rpcx `protocol/message.go`): byte 0 magic `0x08`; byte 1
//! version; byte 2 flags (bit 7 message type, bit 6 heartbeat, bit 5 oneway,
//! bits 4-2 compression, bits 1-0 status); byte 3 serialize type in the high
//! nibble; bytes 4-11 big-endian u64 sequence number; bytes 12-15 big-endian
//! u32 length of everything after the header.

use rpc_codec::{Codec, Compression};

use crate::rpcx::RpcxError;

/// rpcx's magic number, the first byte of every message.
pub const MAGIC: u8 = 0x08;
/// The header's size in bytes, the length field included.
pub const HEADER_LEN: usize = 16;

/// Whether a message is a request or a response (flags bit 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RpcxMessageType {
    /// Bit 7 clear.
    Request,
    /// Bit 7 set.
    Response,
}

/// The status of a response (flags bits 1-0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RpcxStatus {
    /// 0: the call succeeded (and every request).
    Normal,
    /// 1: the call failed; metadata `__rpcx_error__` holds the message.
    Error,
}

/// How the payload is compressed (flags bits 4-2). rpcx defines only these two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RpcxCompression {
    /// 0: not compressed.
    None,
    /// 1: gzip.
    Gzip,
}

impl RpcxCompression {
    /// The project's [`Compression`] for this algorithm.
    pub const fn compression(self) -> Compression {
        match self {
            RpcxCompression::None => Compression::None,
            RpcxCompression::Gzip => Compression::Gzip,
        }
    }
}

/// How the payload is serialized (high nibble of byte 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SerializeType {
    /// 0: raw bytes (`SerializeNone` in Go).
    Raw,
    /// 1: JSON.
    Json,
    /// 2: Protocol Buffers.
    Protobuf,
    /// 3: MessagePack.
    MsgPack,
    /// 4: Thrift (this project has no Thrift codec).
    Thrift,
}

impl SerializeType {
    /// The nibble value.
    pub const fn as_u8(self) -> u8 {
        match self {
            SerializeType::Raw => 0,
            SerializeType::Json => 1,
            SerializeType::Protobuf => 2,
            SerializeType::MsgPack => 3,
            SerializeType::Thrift => 4,
        }
    }

    /// The project's codec of the same numbering, `None` for Thrift.
    pub const fn codec(self) -> Option<Codec> {
        match self {
            SerializeType::Raw => Some(Codec::Raw),
            SerializeType::Json => Some(Codec::Json),
            SerializeType::Protobuf => Some(Codec::Protobuf),
            SerializeType::MsgPack => Some(Codec::MsgPack),
            SerializeType::Thrift => None,
        }
    }

    /// The serialize type of a project codec, `None` for a codec rpcx lacks.
    pub const fn from_codec(codec: Codec) -> Option<SerializeType> {
        match codec {
            Codec::Raw => Some(SerializeType::Raw),
            Codec::Json => Some(SerializeType::Json),
            Codec::Protobuf => Some(SerializeType::Protobuf),
            Codec::MsgPack => Some(SerializeType::MsgPack),
            _ => None,
        }
    }
}

/// The decoded fields of a 16-byte rpcx header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RpcxHeader {
    /// Byte 1. Go rpcx writes 0 and never checks it; it is carried as is.
    pub version: u8,
    /// Request or response.
    pub message_type: RpcxMessageType,
    /// A heartbeat (empty names), echoed with the response bit set.
    pub heartbeat: bool,
    /// A request expecting no reply.
    pub oneway: bool,
    /// How the payload is compressed.
    pub compression: RpcxCompression,
    /// Normal or error.
    pub status: RpcxStatus,
    /// How the payload is serialized.
    pub serialize_type: SerializeType,
    /// Matches a response to its request.
    pub seq: u64,
}

impl RpcxHeader {
    /// Parses the first 12 bytes (everything but the length field).
    pub fn parse(bytes: &[u8; HEADER_LEN]) -> Result<RpcxHeader, RpcxError> {
        if bytes[0] != MAGIC {
            return Err(RpcxError::BadMagic(bytes[0]));
        }
        let flags = bytes[2];
        let compression = match (flags >> 2) & 0x07 {
            0 => RpcxCompression::None,
            1 => RpcxCompression::Gzip,
            other => return Err(RpcxError::UnknownCompression(other)),
        };
        let status = match flags & 0x03 {
            0 => RpcxStatus::Normal,
            1 => RpcxStatus::Error,
            other => return Err(RpcxError::UnknownStatus(other)),
        };
        let serialize_type = match bytes[3] >> 4 {
            0 => SerializeType::Raw,
            1 => SerializeType::Json,
            2 => SerializeType::Protobuf,
            3 => SerializeType::MsgPack,
            4 => SerializeType::Thrift,
            other => return Err(RpcxError::UnknownSerializeType(other)),
        };
        if bytes[3] & 0x0f != 0 {
            return Err(RpcxError::ReservedBits(bytes[3] & 0x0f));
        }
        let mut seq = [0u8; 8];
        seq.copy_from_slice(&bytes[4..12]);
        Ok(RpcxHeader {
            version: bytes[1],
            message_type: if flags & 0x80 != 0 {
                RpcxMessageType::Response
            } else {
                RpcxMessageType::Request
            },
            heartbeat: flags & 0x40 != 0,
            oneway: flags & 0x20 != 0,
            compression,
            status,
            serialize_type,
            seq: u64::from_be_bytes(seq),
        })
    }

    /// The 16 header bytes, with `body_len` as the length field.
    pub fn to_bytes(&self, body_len: u32) -> [u8; HEADER_LEN] {
        let mut flags = 0u8;
        if self.message_type == RpcxMessageType::Response {
            flags |= 0x80;
        }
        if self.heartbeat {
            flags |= 0x40;
        }
        if self.oneway {
            flags |= 0x20;
        }
        if self.compression == RpcxCompression::Gzip {
            flags |= 1 << 2;
        }
        if self.status == RpcxStatus::Error {
            flags |= 1;
        }
        let mut out = [0u8; HEADER_LEN];
        out[0] = MAGIC;
        out[1] = self.version;
        out[2] = flags;
        out[3] = self.serialize_type.as_u8() << 4;
        out[4..12].copy_from_slice(&self.seq.to_be_bytes());
        out[12..16].copy_from_slice(&body_len.to_be_bytes());
        out
    }

    /// The length field of a complete header: the bytes after the header.
    pub fn body_len(bytes: &[u8; HEADER_LEN]) -> u32 {
        u32::from_be_bytes([bytes[12], bytes[13], bytes[14], bytes[15]])
    }
}
