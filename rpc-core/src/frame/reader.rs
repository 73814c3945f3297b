//! [`FrameReader`]: the decoder a live connection reads with. Beyond
//! [`FrameCodec`] it refuses single frames without losing the connection,
//! allocates only for bytes that have arrived, and tells how long a frame has
//! been arriving.

use bytes::{Buf, BytesMut};
use rpc_codec::Codec;
use tokio_util::codec::Decoder;

use crate::frame::codec::decode_body;
use crate::frame::{
    Frame, FrameCodec, FrameError, HEADER_LEN, Header, MessageType, MetadataLimits,
};
use crate::{Code, Status};

/// Read room reserved ahead for a frame still arriving: a frame's declared
/// length is a claim, so memory follows the bytes that actually came.
const RESERVE_STEP: usize = 64 * 1024;

/// What a [`FrameReader`] yields.
#[derive(Debug)]
pub enum Inbound {
    /// A frame, decoded.
    Frame(Frame),
    /// A frame that was delimited but refused on its own: the stream stays
    /// aligned, and a request's sender is owed an error answer.
    Refused(Refusal),
}

/// A frame refused without closing the connection.
#[derive(Debug)]
pub struct Refusal {
    /// The refused frame's request id.
    pub request_id: u32,
    /// The refused frame's message type (request, oneway or response).
    pub message_type: MessageType,
    /// The refused frame's codec, for an answer in the same codec.
    pub codec: Codec,
    /// Why: [`FrameError::TooLarge`], [`FrameError::MetadataLimit`] or
    /// [`FrameError::EmptyMetadataKey`].
    pub reason: FrameError,
}

impl Refusal {
    /// The status the sender of a refused request gets.
    pub fn status(&self) -> Status {
        let code = match self.reason {
            FrameError::TooLarge { .. } => Code::PayloadTooLarge,
            _ => Code::BadRequest,
        };
        Status::new(code, format!("frame refused: {}", self.reason))
    }
}

/// Decodes frames from a connection's byte stream.
///
/// Checks each header field as soon as its byte arrives (magic, version,
/// length ≥ 16, message type, codec, compression). A request, oneway or
/// response frame longer than the maximum frame size is refused at once,
/// from its header alone; its body is then discarded as it arrives, never
/// buffered. Frames whose metadata breaks the [`MetadataLimits`] are refused
/// too. Anything else wrong ends the stream with an error. Room for a frame
/// is reserved as its bytes come (64 KiB at a time), not all at once from
/// the declared length.
#[derive(Debug)]
pub struct FrameReader {
    codec: FrameCodec,
    limits: MetadataLimits,
    /// Body bytes of a refused frame still to discard.
    skipping: u64,
    /// Frames (refused ones included) read to their end so far.
    completed: u64,
    /// Whether part of a frame has arrived and its end has not.
    partial: bool,
}

impl FrameReader {
    /// A reader that refuses frames beyond `codec`'s maximum frame size and
    /// metadata beyond `limits`.
    pub fn new(codec: FrameCodec, limits: MetadataLimits) -> FrameReader {
        FrameReader {
            codec,
            limits,
            skipping: 0,
            completed: 0,
            partial: false,
        }
    }

    /// Frames read to their end so far (refused ones included): a connection's
    /// watchdog compares it between ticks to tell a trickling frame from
    /// progress.
    pub fn frames_completed(&self) -> u64 {
        self.completed
    }

    /// Whether a frame has started arriving and not ended (its body may be
    /// being skipped).
    pub fn frame_in_progress(&self) -> bool {
        self.partial
    }

    fn discard(&mut self, src: &mut BytesMut) {
        let n = src
            .len()
            .min(usize::try_from(self.skipping).unwrap_or(usize::MAX));
        src.advance(n);
        self.skipping -= n as u64;
        if self.skipping == 0 {
            self.completed += 1;
        }
    }

    fn decode_one(&mut self, src: &mut BytesMut) -> Result<Option<Inbound>, FrameError> {
        if self.skipping > 0 {
            self.discard(src);
            if self.skipping > 0 {
                return Ok(None);
            }
        }
        let Some(header_bytes) = src.first_chunk::<HEADER_LEN>() else {
            Header::check_prefix(src)?;
            return Ok(None);
        };
        let header = Header::parse(header_bytes)?;
        let length = header.length as usize;
        if length < HEADER_LEN {
            return Err(FrameError::LengthTooSmall(header.length));
        }
        let max = self.codec.max_frame_size();
        if header.length > max {
            let refusable = matches!(
                header.message_type,
                MessageType::Request | MessageType::Oneway | MessageType::Response
            );
            let reason = FrameError::TooLarge {
                length: u64::from(header.length),
                max,
            };
            if !refusable {
                return Err(reason);
            }
            src.advance(HEADER_LEN);
            self.skipping = u64::from(header.length) - HEADER_LEN as u64;
            self.discard(src);
            return Ok(Some(refusal(&header, reason)));
        }
        if src.len() < length {
            src.reserve((length - src.len()).min(RESERVE_STEP));
            return Ok(None);
        }
        let mut frame = src.split_to(length).freeze();
        let body = frame.split_off(HEADER_LEN);
        self.completed += 1;
        match decode_body(&header, body, &self.limits) {
            Ok(message) => Ok(Some(Inbound::Frame(Frame {
                request_id: header.request_id,
                codec: header.codec,
                compression: header.compression,
                message,
            }))),
            Err(reason @ (FrameError::MetadataLimit { .. } | FrameError::EmptyMetadataKey)) => {
                Ok(Some(refusal(&header, reason)))
            }
            Err(error) => Err(error),
        }
    }
}

fn refusal(header: &Header, reason: FrameError) -> Inbound {
    Inbound::Refused(Refusal {
        request_id: header.request_id,
        message_type: header.message_type,
        codec: header.codec,
        reason,
    })
}

impl Decoder for FrameReader {
    type Item = Inbound;
    type Error = FrameError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Inbound>, FrameError> {
        let decoded = self.decode_one(src);
        self.partial = self.skipping > 0 || !src.is_empty();
        decoded
    }
}
