//! [`MessageType`]: what a frame is, from the header's message-type byte.

use std::fmt;

/// The kind of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum MessageType {
    /// A call that expects a response with the same request id.
    Request = 0,
    /// The answer to a request.
    Response = 1,
    /// A call that expects no response (fire and forget).
    Oneway = 2,
    /// A heartbeat; the receiver answers with a pong of the same request id.
    Ping = 3,
    /// The answer to a ping.
    Pong = 4,
    /// The client gave up on the request with this request id; the server
    /// should stop its handler. No response is sent for a cancelled call.
    Cancel = 5,
}

impl MessageType {
    /// Every message type, in wire-number order.
    pub const ALL: [MessageType; 6] = [
        MessageType::Request,
        MessageType::Response,
        MessageType::Oneway,
        MessageType::Ping,
        MessageType::Pong,
        MessageType::Cancel,
    ];

    /// The header byte.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// The message type a header byte names, if any.
    pub const fn from_u8(value: u8) -> Option<MessageType> {
        match value {
            0 => Some(MessageType::Request),
            1 => Some(MessageType::Response),
            2 => Some(MessageType::Oneway),
            3 => Some(MessageType::Ping),
            4 => Some(MessageType::Pong),
            5 => Some(MessageType::Cancel),
            _ => None,
        }
    }

    /// A short lowercase name.
    pub const fn name(self) -> &'static str {
        match self {
            MessageType::Request => "request",
            MessageType::Response => "response",
            MessageType::Oneway => "oneway",
            MessageType::Ping => "ping",
            MessageType::Pong => "pong",
            MessageType::Cancel => "cancel",
        }
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}
