//! [`FrameCodec`]: `tokio_util` encoder and decoder of frames, with a size limit.

use bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::frame::Frame;
use crate::frame::{
    FrameError, HEADER_LEN, Header, Message, MessageType, MetadataLimits, Request, Response,
};

/// The default largest frame accepted or sent: 4 MiB, header included.
pub const DEFAULT_MAX_FRAME_SIZE: u32 = 4 * 1024 * 1024;

/// Encodes and decodes [`Frame`]s on a byte stream.
///
/// Decoding checks the header (magic, version, length bounds, message type,
/// codec, compression) as soon as its bytes are there, and before reserving
/// room for the body, so a peer can never make the decoder allocate more than
/// the maximum frame size. Partial frames yield `Ok(None)` until complete.
/// Bodies are sliced out of the read buffer without copying.
#[derive(Debug, Clone, Copy)]
pub struct FrameCodec {
    max_frame_size: u32,
}

impl FrameCodec {
    /// A codec with the [`DEFAULT_MAX_FRAME_SIZE`].
    pub const fn new() -> FrameCodec {
        FrameCodec {
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
        }
    }

    /// A codec that refuses frames longer than `max_frame_size` bytes, header
    /// included (values below the header size are raised to it).
    pub const fn with_max_frame_size(max_frame_size: u32) -> FrameCodec {
        let floor = HEADER_LEN as u32;
        FrameCodec {
            max_frame_size: if max_frame_size < floor {
                floor
            } else {
                max_frame_size
            },
        }
    }

    /// The largest frame accepted or sent.
    pub const fn max_frame_size(&self) -> u32 {
        self.max_frame_size
    }

    /// The encoded size of `frame`, after checking every length prefix and
    /// the maximum frame size: a frame that passes cannot fail to encode.
    pub fn encoded_len(&self, frame: &Frame) -> Result<usize, FrameError> {
        let body_len = match &frame.message {
            Message::Request(request) | Message::Oneway(request) => request.encoded_len()?,
            Message::Response(response) => response.encoded_len()?,
            Message::Ping | Message::Pong | Message::Cancel => 0,
        };
        let length = (HEADER_LEN + body_len) as u64;
        if length > u64::from(self.max_frame_size) {
            return Err(FrameError::TooLarge {
                length,
                max: self.max_frame_size,
            });
        }
        Ok(length as usize)
    }

    /// Appends `frame` to `dst`.
    ///
    /// Fails without writing anything if a field overflows its length prefix
    /// or the frame would exceed the maximum frame size.
    pub fn encode_frame(&self, frame: &Frame, dst: &mut BytesMut) -> Result<(), FrameError> {
        let length = self.encoded_len(frame)?;
        dst.reserve(length);
        Header {
            length: length as u32,
            message_type: frame.message.message_type(),
            codec: frame.codec,
            compression: frame.compression,
            request_id: frame.request_id,
        }
        .write(dst);
        match &frame.message {
            Message::Request(request) | Message::Oneway(request) => request.write(dst),
            Message::Response(response) => response.write(dst),
            Message::Ping | Message::Pong | Message::Cancel => {}
        }
        Ok(())
    }
}

impl Default for FrameCodec {
    fn default() -> Self {
        FrameCodec::new()
    }
}

impl Decoder for FrameCodec {
    type Item = Frame;
    type Error = FrameError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, FrameError> {
        let Some(header_bytes) = src.first_chunk::<HEADER_LEN>() else {
            Header::check_prefix(src)?;
            if let Some(length) = src.get(5..9) {
                self.check_max(u32::from_be_bytes([
                    length[0], length[1], length[2], length[3],
                ]))?;
            }
            return Ok(None);
        };
        let header = Header::parse(header_bytes)?;
        if (header.length as usize) < HEADER_LEN {
            return Err(FrameError::LengthTooSmall(header.length));
        }
        self.check_max(header.length)?;
        let length = header.length as usize;
        if src.len() < length {
            src.reserve(length - src.len());
            return Ok(None);
        }
        let mut frame = src.split_to(length).freeze();
        let body = frame.split_off(HEADER_LEN);
        let message = decode_body(&header, body, &MetadataLimits::UNLIMITED)?;
        Ok(Some(Frame {
            request_id: header.request_id,
            codec: header.codec,
            compression: header.compression,
            message,
        }))
    }
}

impl FrameCodec {
    fn check_max(&self, length: u32) -> Result<(), FrameError> {
        if length > self.max_frame_size {
            return Err(FrameError::TooLarge {
                length: u64::from(length),
                max: self.max_frame_size,
            });
        }
        Ok(())
    }
}

/// The body of a frame whose header is `header`, read from `body`.
pub(crate) fn decode_body(
    header: &Header,
    body: Bytes,
    limits: &MetadataLimits,
) -> Result<Message, FrameError> {
    Ok(match header.message_type {
        MessageType::Request => {
            Message::Request(Request::read(body, MessageType::Request, limits)?)
        }
        MessageType::Oneway => Message::Oneway(Request::read(body, MessageType::Oneway, limits)?),
        MessageType::Response => Message::Response(Response::read(body, limits)?),
        MessageType::Ping | MessageType::Pong | MessageType::Cancel if !body.is_empty() => {
            return Err(FrameError::MalformedBody {
                message_type: header.message_type,
                reason: "control frames have an empty body",
            });
        }
        MessageType::Ping => Message::Ping,
        MessageType::Pong => Message::Pong,
        MessageType::Cancel => Message::Cancel,
    })
}

impl Encoder<Frame> for FrameCodec {
    type Error = FrameError;

    fn encode(&mut self, frame: Frame, dst: &mut BytesMut) -> Result<(), FrameError> {
        self.encode_frame(&frame, dst)
    }
}

impl Encoder<&Frame> for FrameCodec {
    type Error = FrameError;

    fn encode(&mut self, frame: &Frame, dst: &mut BytesMut) -> Result<(), FrameError> {
        self.encode_frame(frame, dst)
    }
}
