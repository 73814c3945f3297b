//! [`RpcxReader`]: rpcx replies read back as the native frames the
//! connection's read loop handles (see the parent module for the mapping).

use std::io;

use bytes::{Buf, BytesMut};
use rpc_codec::Codec;
use rpc_core::frame::{Frame, FrameError, Inbound, Message, MessageType, Refusal};
use rpc_core::rpcx::{HEADER_LEN, MAGIC, RpcxError, RpcxHeader, RpcxLimits, RpcxMessageType};
use tokio_util::codec::Decoder;

use super::reply;

/// The call id a reply's sequence number names, if it names one.
fn call_id(header: &RpcxHeader) -> Option<u32> {
    if header.message_type != RpcxMessageType::Response || header.heartbeat {
        return None;
    }
    u32::try_from(header.seq).ok().filter(|&id| id != 0)
}

/// "The server is alive", with no other effect.
fn alive() -> Inbound {
    Inbound::Frame(Frame::control(0, Message::Pong))
}

fn codec_of(header: &RpcxHeader) -> Codec {
    header.serialize_type.codec().unwrap_or(Codec::Raw)
}

/// An rpcx error that ends the stream, as the connection's read error.
fn fatal(error: RpcxError) -> FrameError {
    FrameError::Io(io::Error::new(io::ErrorKind::InvalidData, error))
}

/// Reads rpcx messages from a connection and yields them as the native
/// [`Inbound`]s the connection's read loop handles.
#[derive(Debug)]
pub(crate) struct RpcxReader {
    limits: RpcxLimits,
    /// Body bytes of an oversized reply still to discard.
    skipping: u64,
}

impl RpcxReader {
    /// A reader refusing replies beyond `limits`.
    pub(crate) fn new(limits: RpcxLimits) -> RpcxReader {
        RpcxReader {
            limits,
            skipping: 0,
        }
    }

    fn refusal(header: &RpcxHeader, reason: FrameError) -> Option<Inbound> {
        call_id(header).map(|request_id| {
            Inbound::Refused(Refusal {
                request_id,
                message_type: MessageType::Response,
                codec: codec_of(header),
                reason,
            })
        })
    }
}

impl Decoder for RpcxReader {
    type Item = Inbound;
    type Error = FrameError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Inbound>, FrameError> {
        loop {
            if self.skipping > 0 {
                let n = src
                    .len()
                    .min(usize::try_from(self.skipping).unwrap_or(usize::MAX));
                src.advance(n);
                self.skipping -= n as u64;
                if self.skipping > 0 {
                    return Ok(None);
                }
            }
            let Some(bytes) = src.first_chunk::<HEADER_LEN>() else {
                if let Some(&first) = src.first()
                    && first != MAGIC
                {
                    return Err(fatal(RpcxError::BadMagic(first)));
                }
                return Ok(None);
            };
            let header = RpcxHeader::parse(bytes).map_err(fatal)?;
            let length = HEADER_LEN as u64 + u64::from(RpcxHeader::body_len(bytes));
            let max = self.limits.max_message_size;
            if length > u64::from(max) {
                // Refused from its header alone, its body skipped as it
                // comes: the stream stays aligned.
                src.advance(HEADER_LEN);
                self.skipping = length - HEADER_LEN as u64;
                match Self::refusal(&header, FrameError::TooLarge { length, max }) {
                    Some(refusal) => return Ok(Some(refusal)),
                    None => continue,
                }
            }
            // Within the maximum: reserving the rest is bounded.
            let length = length as usize;
            if src.len() < length {
                src.reserve(length - src.len());
                return Ok(None);
            }
            src.advance(HEADER_LEN);
            let body = src.split_to(length - HEADER_LEN).freeze();
            // Anything but a call's reply (sound or not) only says that the
            // server is alive.
            let Some(id) = call_id(&header) else {
                return Ok(Some(alive()));
            };
            return Ok(Some(
                match reply::decode(id, &header, body, &self.limits.metadata, codec_of(&header)) {
                    Ok(frame) => Inbound::Frame(frame),
                    Err(error) => Inbound::Refused(Refusal {
                        request_id: id,
                        message_type: MessageType::Response,
                        codec: codec_of(&header),
                        reason: FrameError::Io(io::Error::new(io::ErrorKind::InvalidData, error)),
                    }),
                },
            ));
        }
    }
}
