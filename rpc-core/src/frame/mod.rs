//! The wire frame: a 16-byte [`Header`] followed by a body whose layout depends
//! on the message type, and [`FrameCodec`], which turns a byte stream into
//! frames and back. Live connections read with [`FrameReader`], which can
//! refuse one frame (too large, too much metadata) and keep the connection.
//!
//! `docs/PROTOCOL.md` describes every byte, with test vectors.

mod batch_writer;
mod codec;
mod error;
mod header;
mod message_type;
mod metadata_limits;
mod reader;
mod request;
mod response;
mod wire;

pub use batch_writer::{write_batches, write_batches_with};
pub use codec::{DEFAULT_MAX_FRAME_SIZE, FrameCodec};
pub use error::FrameError;
pub use header::{HEADER_LEN, Header, MAGIC, VERSION};
pub use message_type::MessageType;
pub use metadata_limits::MetadataLimits;
pub use reader::{FrameReader, Inbound, Refusal};
pub use request::Request;
pub use response::Response;

use rpc_codec::{Codec, Compression};

/// One protocol message: header fields plus a typed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Matches responses, pongs and cancels to their request or ping.
    pub request_id: u32,
    /// How the payload is serialized ([`Codec::Raw`] for frames without one).
    pub codec: Codec,
    /// How the payload is compressed ([`Compression::None`] for frames without one).
    pub compression: Compression,
    /// The body.
    pub message: Message,
}

/// The body of a frame, by message type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message {
    /// A call expecting a response.
    Request(Request),
    /// A call expecting no response.
    Oneway(Request),
    /// The answer to a request.
    Response(Response),
    /// A heartbeat, answered with a pong. Empty body.
    Ping,
    /// The answer to a ping. Empty body.
    Pong,
    /// The caller gave up on a request. Empty body.
    Cancel,
}

impl Message {
    /// The header's message type for this body.
    pub fn message_type(&self) -> MessageType {
        match self {
            Message::Request(_) => MessageType::Request,
            Message::Oneway(_) => MessageType::Oneway,
            Message::Response(_) => MessageType::Response,
            Message::Ping => MessageType::Ping,
            Message::Pong => MessageType::Pong,
            Message::Cancel => MessageType::Cancel,
        }
    }
}

impl Frame {
    /// A frame with an empty body (ping, pong, cancel) for `request_id`.
    pub fn control(request_id: u32, message: Message) -> Frame {
        Frame {
            request_id,
            codec: Codec::Raw,
            compression: Compression::None,
            message,
        }
    }
}
