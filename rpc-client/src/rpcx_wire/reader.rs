//! [`RpcxReader`]: rpcx replies read back as the native frames the
//! connection's read loop handles (see the parent module for the mapping).

use std::io;

use bytes::{Buf, BytesMut};
use bytestring::ByteString;
use rpc_codec::{Codec, Compression};
use rpc_core::frame::{Frame, FrameError, Inbound, Message, MessageType, Refusal, Response};
use rpc_core::rpcx::{
    CODE_KEY, ERROR_KEY, HEADER_LEN, RpcxCodec, RpcxError, RpcxHeader, RpcxInbound, RpcxLimits,
    RpcxMessage, RpcxMessageType, RpcxStatus,
};
use rpc_core::{Code, Metadata};
use tokio_util::codec::Decoder;

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

/// The code of an rpcx error reply: `__rpc_code__` when it names one, Go
/// rpcx's "can't find service/method" messages, else `application`.
fn error_code(message: &RpcxMessage, text: &str) -> Code {
    if let Some(code) = message
        .metadata_value(CODE_KEY)
        .and_then(Code::from_name)
        .filter(|&code| code != Code::Ok)
    {
        return code;
    }
    if text.starts_with("rpcx: can't find service") {
        Code::ServiceNotFound
    } else if text.starts_with("rpcx: can't find method") {
        Code::MethodNotFound
    } else {
        Code::Application
    }
}

/// Whether a reply is an error: the status bit, or (rpcx-rs, which never
/// sets the bit for an unknown service or method) `__rpcx_error__` set on a
/// reply with no payload.
fn is_error(message: &RpcxMessage) -> bool {
    message.header.status == RpcxStatus::Error
        || (message.payload.is_empty()
            && message
                .metadata_value(ERROR_KEY)
                .is_some_and(|text| !text.is_empty()))
}

/// A reply as a native response frame.
fn to_frame(id: u32, message: RpcxMessage) -> Frame {
    let header = message.header;
    let error = is_error(&message);
    let response = if error {
        let text = message.metadata_value(ERROR_KEY).unwrap_or("").to_owned();
        let code = error_code(&message, &text);
        let mut metadata = Metadata::with_capacity(message.metadata.len());
        for (key, value) in message.metadata {
            if key != ERROR_KEY && key != CODE_KEY {
                metadata.append(key, value);
            }
        }
        // An error's payload has no meaning in rpcx: not passed on as
        // details.
        Response {
            code,
            message: ByteString::from(text),
            metadata,
            payload: bytes::Bytes::new(),
        }
    } else {
        let mut metadata = Metadata::with_capacity(message.metadata.len());
        for (key, value) in message.metadata {
            metadata.append(key, value);
        }
        Response {
            code: Code::Ok,
            message: ByteString::new(),
            metadata,
            payload: message.payload,
        }
    };
    Frame {
        request_id: id,
        codec: codec_of(&header),
        compression: if error {
            Compression::None
        } else {
            header.compression.compression()
        },
        message: Message::Response(response),
    }
}

/// An rpcx error that ends the stream, as the connection's read error.
fn fatal(error: RpcxError) -> FrameError {
    FrameError::Io(io::Error::new(io::ErrorKind::InvalidData, error))
}

/// Reads rpcx messages from a connection and yields them as the native
/// [`Inbound`]s the connection's read loop handles.
#[derive(Debug)]
pub(crate) struct RpcxReader {
    codec: RpcxCodec,
    /// Body bytes of an oversized reply still to discard.
    skipping: u64,
}

impl RpcxReader {
    /// A reader refusing replies beyond `limits`.
    pub(crate) fn new(limits: RpcxLimits) -> RpcxReader {
        RpcxReader {
            codec: RpcxCodec::new(limits),
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
            if let Some(bytes) = src.first_chunk::<HEADER_LEN>() {
                let header = RpcxHeader::parse(bytes).map_err(fatal)?;
                let length = HEADER_LEN as u64 + u64::from(RpcxHeader::body_len(bytes));
                let max = self.codec.limits().max_message_size;
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
            }
            match self.codec.decode_inbound(src).map_err(fatal)? {
                None => return Ok(None),
                Some(RpcxInbound::Refused { header, error }) => {
                    let reason = FrameError::Io(io::Error::new(io::ErrorKind::InvalidData, error));
                    match Self::refusal(&header, reason) {
                        Some(refusal) => return Ok(Some(refusal)),
                        None => return Ok(Some(alive())),
                    }
                }
                Some(RpcxInbound::Message(message)) => {
                    return Ok(Some(match call_id(&message.header) {
                        Some(id) => Inbound::Frame(to_frame(id, message)),
                        None => alive(),
                    }));
                }
            }
        }
    }
}
