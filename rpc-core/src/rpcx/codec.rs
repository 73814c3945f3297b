//! [`RpcxCodec`]: `tokio_util` encoder and decoder of rpcx messages, with limits.

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use crate::rpcx::{HEADER_LEN, RpcxError, RpcxHeader, RpcxLimits, RpcxMessage};

/// Encodes and decodes [`RpcxMessage`]s on a byte stream.
///
/// The header is checked (magic, flag values, total length against the
/// maximum message size) as soon as its 16 bytes are there, and before any
/// room is reserved for the body: a peer can never make the decoder allocate
/// more than the maximum message size. Partial messages yield `Ok(None)`
/// until complete. The payload is sliced out of the read buffer, not copied,
/// and not decompressed (see [`RpcxMessage::decompressed_payload`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct RpcxCodec {
    limits: RpcxLimits,
}

impl RpcxCodec {
    /// A codec enforcing `limits`.
    pub const fn new(limits: RpcxLimits) -> RpcxCodec {
        RpcxCodec { limits }
    }

    /// The limits enforced.
    pub const fn limits(&self) -> &RpcxLimits {
        &self.limits
    }

    fn check_max(&self, total: u64) -> Result<(), RpcxError> {
        if total > u64::from(self.limits.max_message_size) {
            return Err(RpcxError::TooLarge {
                length: total,
                max: self.limits.max_message_size,
            });
        }
        Ok(())
    }

    /// Appends `message` to `dst`. Fails without writing anything if a field
    /// overflows its length prefix or the message exceeds the maximum size.
    pub fn encode_message(
        &self,
        message: &RpcxMessage,
        dst: &mut BytesMut,
    ) -> Result<(), RpcxError> {
        let body_len = message.body_len()?;
        let total = (HEADER_LEN as u64).saturating_add(body_len as u64);
        self.check_max(total)?;
        dst.reserve(total as usize);
        dst.extend_from_slice(&message.header.to_bytes(body_len as u32));
        message.write_body(dst);
        Ok(())
    }
}

impl Decoder for RpcxCodec {
    type Item = RpcxMessage;
    type Error = RpcxError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<RpcxMessage>, RpcxError> {
        let Some(header_bytes) = src.first_chunk::<HEADER_LEN>() else {
            if let Some(&first) = src.first()
                && first != crate::rpcx::MAGIC
            {
                return Err(RpcxError::BadMagic(first));
            }
            return Ok(None);
        };
        let header = RpcxHeader::parse(header_bytes)?;
        let body_len = RpcxHeader::body_len(header_bytes) as usize;
        let total = HEADER_LEN as u64 + body_len as u64;
        self.check_max(total)?;
        let total = total as usize;
        if src.len() < total {
            src.reserve(total - src.len());
            return Ok(None);
        }
        let mut bytes = src.split_to(total).freeze();
        let body = bytes.split_off(HEADER_LEN);
        RpcxMessage::read(header, body, &self.limits.metadata).map(Some)
    }
}

impl Encoder<RpcxMessage> for RpcxCodec {
    type Error = RpcxError;

    fn encode(&mut self, message: RpcxMessage, dst: &mut BytesMut) -> Result<(), RpcxError> {
        self.encode_message(&message, dst)
    }
}

impl Encoder<&RpcxMessage> for RpcxCodec {
    type Error = RpcxError;

    fn encode(&mut self, message: &RpcxMessage, dst: &mut BytesMut) -> Result<(), RpcxError> {
        self.encode_message(message, dst)
    }
}
