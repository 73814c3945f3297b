//! [`Header`]: the fixed 16 bytes in front of every frame.

use bytes::{BufMut, BytesMut};
use rpc_codec::{Codec, Compression};

use crate::frame::{FrameError, MessageType};

/// The four bytes every frame starts with. The first is not ASCII, so a text
/// protocol (an HTTP client, a telnet session) is refused on its first byte.
pub const MAGIC: [u8; 4] = [0x8F, b'R', b'P', b'C'];

/// The protocol version this build speaks.
pub const VERSION: u8 = 1;

/// The size of the header in bytes.
pub const HEADER_LEN: usize = 16;

/// The fixed part of a frame. All integers are big-endian.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic, [`MAGIC`] |
/// | 4 | 1 | version, [`VERSION`] |
/// | 5 | 4 | length of the whole frame, header included |
/// | 9 | 1 | message type |
/// | 10 | 1 | codec of the payload |
/// | 11 | 1 | compression of the payload |
/// | 12 | 4 | request id |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The whole frame's length, header included.
    pub length: u32,
    /// What the frame is.
    pub message_type: MessageType,
    /// How the payload is serialized.
    pub codec: Codec,
    /// How the payload is compressed.
    pub compression: Compression,
    /// Matches a response, pong or cancel to its request or ping.
    pub request_id: u32,
}

impl Header {
    /// Parses and checks a header: magic, version, then each numbered field.
    ///
    /// Length bounds are the caller's to check, since only the caller knows
    /// its maximum frame size; [`Header::length`] is returned as declared.
    pub fn parse(bytes: &[u8; HEADER_LEN]) -> Result<Header, FrameError> {
        let [
            m0,
            m1,
            m2,
            m3,
            version,
            l0,
            l1,
            l2,
            l3,
            message_type,
            codec,
            compression,
            r0,
            r1,
            r2,
            r3,
        ] = *bytes;
        if [m0, m1, m2, m3] != MAGIC {
            return Err(FrameError::BadMagic([m0, m1, m2, m3]));
        }
        if version != VERSION {
            return Err(FrameError::UnsupportedVersion(version));
        }
        Ok(Header {
            length: u32::from_be_bytes([l0, l1, l2, l3]),
            message_type: MessageType::from_u8(message_type)
                .ok_or(FrameError::UnknownMessageType(message_type))?,
            codec: Codec::try_from(codec).map_err(|e| FrameError::UnknownCodec(e.0))?,
            compression: Compression::try_from(compression)
                .map_err(|e| FrameError::UnknownCompression(e.0))?,
            request_id: u32::from_be_bytes([r0, r1, r2, r3]),
        })
    }

    /// Checks the fields of a header whose first `prefix.len()` (< 16) bytes
    /// have arrived, in wire order: magic (byte by byte), version, length at
    /// least 16, message type, codec, compression. A peer speaking something
    /// else is refused on the first byte that proves it, not at the 16th.
    pub fn check_prefix(prefix: &[u8]) -> Result<(), FrameError> {
        let seen = prefix.len().min(MAGIC.len());
        if prefix[..seen] != MAGIC[..seen] {
            let mut magic = [0; 4];
            magic[..seen].copy_from_slice(&prefix[..seen]);
            return Err(FrameError::BadMagic(magic));
        }
        if let Some(&version) = prefix.get(4)
            && version != VERSION
        {
            return Err(FrameError::UnsupportedVersion(version));
        }
        if let Some(length) = prefix.get(5..9) {
            let length = u32::from_be_bytes([length[0], length[1], length[2], length[3]]);
            if (length as usize) < HEADER_LEN {
                return Err(FrameError::LengthTooSmall(length));
            }
        }
        if let Some(&message_type) = prefix.get(9) {
            MessageType::from_u8(message_type)
                .ok_or(FrameError::UnknownMessageType(message_type))?;
        }
        if let Some(&codec) = prefix.get(10) {
            Codec::try_from(codec).map_err(|e| FrameError::UnknownCodec(e.0))?;
        }
        if let Some(&compression) = prefix.get(11) {
            Compression::try_from(compression).map_err(|e| FrameError::UnknownCompression(e.0))?;
        }
        Ok(())
    }

    /// Appends the 16 header bytes to `dst`.
    pub fn write(&self, dst: &mut BytesMut) {
        dst.put_slice(&MAGIC);
        dst.put_u8(VERSION);
        dst.put_u32(self.length);
        dst.put_u8(self.message_type.as_u8());
        dst.put_u8(self.codec.as_u8());
        dst.put_u8(self.compression.as_u8());
        dst.put_u32(self.request_id);
    }
}
