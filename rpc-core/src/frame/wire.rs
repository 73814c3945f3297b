//! Reading and writing the length-prefixed fields of frame bodies.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use bytestring::ByteString;

use crate::Metadata;
use crate::frame::{FrameError, MessageType, MetadataLimits};

/// A cursor over a frame body that hands out sub-slices without copying.
pub(crate) struct BodyReader {
    body: Bytes,
    message_type: MessageType,
}

impl BodyReader {
    pub(crate) fn new(body: Bytes, message_type: MessageType) -> BodyReader {
        BodyReader { body, message_type }
    }

    fn malformed(&self, reason: &'static str) -> FrameError {
        FrameError::MalformedBody {
            message_type: self.message_type,
            reason,
        }
    }

    fn need(&self, n: usize, field: &'static str) -> Result<(), FrameError> {
        if self.body.len() < n {
            Err(self.malformed(field))
        } else {
            Ok(())
        }
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, FrameError> {
        self.need(1, field)?;
        Ok(self.body.get_u8())
    }

    pub(crate) fn u16(&mut self, field: &'static str) -> Result<u16, FrameError> {
        self.need(2, field)?;
        Ok(self.body.get_u16())
    }

    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, FrameError> {
        self.need(4, field)?;
        Ok(self.body.get_u32())
    }

    /// `len` bytes that must be UTF-8; `field` names the failure either way.
    pub(crate) fn string(
        &mut self,
        len: usize,
        field: &'static str,
    ) -> Result<ByteString, FrameError> {
        self.need(len, field)?;
        let bytes = self.body.split_to(len);
        ByteString::try_from(bytes).map_err(|_| self.malformed(field))
    }

    /// The metadata block: a u16 count, then per entry a u16-prefixed key and
    /// value. The count is checked against `limits` before any entry is read,
    /// the bytes as they are read; keys must not be empty.
    pub(crate) fn metadata(&mut self, limits: &MetadataLimits) -> Result<Metadata, FrameError> {
        let count = self.u16("truncated metadata count")?;
        if count > limits.max_entries {
            return Err(FrameError::MetadataLimit {
                what: "entries",
                found: usize::from(count),
                max: usize::from(limits.max_entries),
            });
        }
        let count = usize::from(count);
        // Each entry takes at least four bytes: never reserve more entries than
        // the remaining body could hold, whatever the count claims.
        let mut metadata = Metadata::with_capacity(count.min(self.body.len() / 4));
        let mut bytes = 0usize;
        for _ in 0..count {
            let key_len = usize::from(self.u16("truncated metadata key length")?);
            if key_len == 0 {
                return Err(FrameError::EmptyMetadataKey);
            }
            let key = self.string(key_len, "metadata key truncated or not UTF-8")?;
            let value_len = usize::from(self.u16("truncated metadata value length")?);
            bytes = bytes.saturating_add(key_len + value_len);
            if bytes > limits.max_bytes {
                return Err(FrameError::MetadataLimit {
                    what: "bytes of keys and values",
                    found: bytes,
                    max: limits.max_bytes,
                });
            }
            let value = self.string(value_len, "metadata value truncated or not UTF-8")?;
            metadata.push_decoded(key, value);
        }
        Ok(metadata)
    }

    /// Everything not read yet.
    pub(crate) fn rest(self) -> Bytes {
        self.body
    }
}

/// Checks that a field fits its length prefix.
pub(crate) fn check_len(field: &'static str, length: usize, max: usize) -> Result<(), FrameError> {
    if length > max {
        Err(FrameError::FieldTooLong { field, length, max })
    } else {
        Ok(())
    }
}

/// The encoded size of a metadata block, after checking every length prefix
/// and that no key is empty.
pub(crate) fn metadata_len(metadata: &Metadata) -> Result<usize, FrameError> {
    let max = usize::from(u16::MAX);
    check_len("metadata entry count", metadata.len(), max)?;
    let mut len = 2;
    for (key, value) in metadata.entries() {
        if key.is_empty() {
            return Err(FrameError::EmptyMetadataKey);
        }
        check_len("metadata key", key.len(), max)?;
        check_len("metadata value", value.len(), max)?;
        len += 4 + key.len() + value.len();
    }
    Ok(len)
}

/// Writes a metadata block whose lengths [`metadata_len`] has checked.
pub(crate) fn put_metadata(dst: &mut BytesMut, metadata: &Metadata) {
    dst.put_u16(metadata.len() as u16);
    for (key, value) in metadata.entries() {
        dst.put_u16(key.len() as u16);
        dst.put_slice(key.as_bytes());
        dst.put_u16(value.len() as u16);
        dst.put_slice(value.as_bytes());
    }
}
