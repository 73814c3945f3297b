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

impl RpcxCodec {
    /// Decodes one message, telling errors in a message's body (the message
    /// was consumed whole; the stream goes on) from errors that end the
    /// stream (the `Err` case). `Ok(None)`: more bytes are needed.
    pub fn decode_inbound(&mut self, src: &mut BytesMut) -> Result<Option<RpcxInbound>, RpcxError> {
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
        // Checked before anything is reserved: a peer's length field never
        // makes this decoder allocate past the maximum message size.
        self.check_max(total)?;
        let total = total as usize;
        if src.len() < total {
            src.reserve(total - src.len());
            return Ok(None);
        }
        let mut bytes = src.split_to(total).freeze();
        let body = bytes.split_off(HEADER_LEN);
        Ok(Some(
            match RpcxMessage::read(header, body, &self.limits.metadata) {
                Ok(message) => RpcxInbound::Message(message),
                Err(error) => RpcxInbound::Refused { header, error },
            },
        ))
    }
}

/// One message taken off the stream: decoded, or refused for what its body
/// holds (the stream is still aligned on the next message).
#[derive(Debug)]
pub enum RpcxInbound {
    /// A well-formed message.
    Message(RpcxMessage),
    /// A message whose header was sound but whose body was not.
    Refused {
        /// Its header, for the sequence number of an error reply.
        header: RpcxHeader,
        /// Why it was refused (never one that [ends the stream](RpcxError::ends_stream)).
        error: RpcxError,
    },
}

/// Every error is returned, body errors included (after which, unlike after
/// the others, decoding may go on: see [`RpcxCodec::decode_inbound`]).
impl Decoder for RpcxCodec {
    type Item = RpcxMessage;
    type Error = RpcxError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<RpcxMessage>, RpcxError> {
        match self.decode_inbound(src)? {
            None => Ok(None),
            Some(RpcxInbound::Message(message)) => Ok(Some(message)),
            Some(RpcxInbound::Refused { error, .. }) => Err(error),
        }
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
