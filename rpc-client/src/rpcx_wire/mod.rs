//! The rpcx adapter of a client connection: the connection's native frames
//! written as Go rpcx messages, and rpcx messages read back as native
//! frames, so the waiting table, timeouts, heartbeats and reconnects are the
//! same for both protocols; only the bytes on the wire differ.
//!
//! Outgoing (`docs/PROTOCOL.md` §13.5 has the table):
//! - a request or oneway frame becomes an rpcx request (oneway bit for a
//!   oneway) with seq = the request id, the service and method as the
//!   service path and method, the codec as the serialize type, the
//!   metadata, the deadline budget as `__ServerTimeout` (milliseconds,
//!   rounded up) and `authorization: Bearer <token>` as `__AUTH = <token>`;
//! - a ping becomes a heartbeat with seq = 2^32 + the ping's id: heartbeat
//!   sequence numbers never collide with a call's (ids are u32);
//! - cancels (and pongs) have no rpcx counterpart and are not sent.
//!
//! Incoming:
//! - a response with a call's sequence number completes that call: the
//!   status bit "error" becomes a failed response whose message is
//!   `__rpcx_error__` and whose code is `__rpc_code__` when it names one,
//!   else `service_not_found` / `method_not_found` for Go rpcx's own "can't
//!   find service/method" messages, else `application`;
//! - a heartbeat reply, any reply in the heartbeat range (an implementation
//!   that answers heartbeats as plain replies) and any request the server
//!   sends (Go servers may push messages; heartbeats are not asked of
//!   clients) count as "the server is alive" and nothing else;
//! - a reply longer than the maximum frame size fails its call alone with
//!   `payload_too_large` (its bytes are skipped as they arrive); a reply
//!   whose body is malformed fails its call alone with `bad_request`;
//!   anything wrong in a header closes the connection.

use bytes::{BufMut, BytesMut};
use rpc_codec::{Compression, CompressionPolicy};
use rpc_core::frame::{Frame, Message, Request};
use rpc_core::rpcx::{
    AUTH_KEY, COMPRESSION_THRESHOLD, HEADER_LEN, RpcxCompression, RpcxHeader, RpcxMessageType,
    RpcxStatus, SERVER_TIMEOUT_KEY, SerializeType,
};
use rpc_core::server::{AUTHORIZATION_KEY, BEARER_PREFIX};
use rpc_core::{Code, Status};

/// Heartbeat sequence numbers start here: above every call's (u32) id.
const HEARTBEAT_SEQ: u64 = 1 << 32;

/// The compression an rpcx request may use: gzip (rpcx's only algorithm)
/// for any algorithm the policy names, and only above rpcx's 1 KiB
/// threshold (or the policy's own, if larger).
pub(crate) fn compression_policy(policy: CompressionPolicy) -> CompressionPolicy {
    if policy.compression == Compression::None {
        return CompressionPolicy::NONE;
    }
    CompressionPolicy::new(Compression::Gzip)
        .with_threshold(policy.threshold.max(COMPRESSION_THRESHOLD + 1))
}

/// The metadata of a request as rpcx entries, but for `__ServerTimeout`:
/// `authorization: Bearer <token>` becomes `__AUTH: <token>`.
fn entries(request: &Request) -> impl Iterator<Item = (&str, &str)> {
    request.metadata.iter().map(|(key, value)| {
        if key == AUTHORIZATION_KEY {
            (AUTH_KEY, value.strip_prefix(BEARER_PREFIX).unwrap_or(value))
        } else {
            (key, value)
        }
    })
}

/// A budget in whole milliseconds, rounded up (a budget under 1 ms is not
/// sent as 0, which rpcx reads as already spent), as decimal digits.
fn budget_millis(request: &Request) -> Option<Digits> {
    request
        .deadline
        .map(|budget| Digits::new(budget.as_nanos().div_ceil(1_000_000)))
}

/// A number's decimal digits, without an allocation.
struct Digits {
    bytes: [u8; 40],
    start: usize,
}

impl Digits {
    fn new(mut number: u128) -> Digits {
        let mut bytes = [0u8; 40];
        let mut start = bytes.len();
        loop {
            start -= 1;
            bytes[start] = b'0' + (number % 10) as u8;
            number /= 10;
            if number == 0 {
                return Digits { bytes, start };
            }
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[self.start..]
    }
}

/// The sizes of a request's rpcx message: (metadata block, whole message).
fn sizes(request: &Request, timeout: Option<&Digits>) -> (u64, u64) {
    let timeout = timeout.map_or(0, |millis| {
        8 + SERVER_TIMEOUT_KEY.len() as u64 + millis.as_bytes().len() as u64
    });
    let metadata: u64 = entries(request)
        .map(|(key, value)| 8 + key.len() as u64 + value.len() as u64)
        .sum::<u64>()
        + timeout;
    let length = HEADER_LEN as u64
        + 16
        + request.service.len() as u64
        + request.method.len() as u64
        + metadata
        + request.payload.len() as u64;
    (metadata, length)
}

/// Checks that `frame` can be written as an rpcx message within
/// `max_message_size`: its codec has a serialize type, its compression is
/// none or gzip, and the whole message fits.
pub(crate) fn check(frame: &Frame, max_message_size: u32) -> Result<(), Status> {
    let (Message::Request(request) | Message::Oneway(request)) = &frame.message else {
        return Ok(());
    };
    if SerializeType::from_codec(frame.codec).is_none() {
        return Err(Status::new(
            Code::UnsupportedCodec,
            format!("codec {} has no rpcx serialize type", frame.codec),
        ));
    }
    if !matches!(frame.compression, Compression::None | Compression::Gzip) {
        return Err(Status::bad_request(format!(
            "rpcx cannot carry {} compression",
            frame.compression
        )));
    }
    let (_, length) = sizes(request, budget_millis(request).as_ref());
    if length > u64::from(max_message_size) {
        return Err(Status::new(
            Code::PayloadTooLarge,
            format!(
                "the rpcx request is {length} bytes, more than the maximum of {max_message_size}"
            ),
        ));
    }
    Ok(())
}

/// The header of an outgoing frame's rpcx message; `None` for frames rpcx
/// has no counterpart for (cancel, pong) and for frames [`check`] refuses.
fn header_of(frame: &Frame) -> Option<RpcxHeader> {
    let mut header = RpcxHeader {
        version: 0,
        message_type: RpcxMessageType::Request,
        heartbeat: false,
        oneway: false,
        compression: RpcxCompression::None,
        status: RpcxStatus::Normal,
        serialize_type: SerializeType::Raw,
        seq: u64::from(frame.request_id),
    };
    match &frame.message {
        Message::Request(_) => {}
        Message::Oneway(_) => header.oneway = true,
        Message::Ping => {
            header.heartbeat = true;
            header.seq = HEARTBEAT_SEQ + u64::from(frame.request_id);
            return Some(header);
        }
        _ => return None,
    }
    header.serialize_type = SerializeType::from_codec(frame.codec)?;
    header.compression = match frame.compression {
        Compression::None => RpcxCompression::None,
        Compression::Gzip => RpcxCompression::Gzip,
        _ => return None,
    };
    Some(header)
}

fn put_field(buf: &mut BytesMut, bytes: &[u8]) {
    buf.put_u32(bytes.len() as u32);
    buf.put_slice(bytes);
}

/// Appends `frame` as an rpcx message to `buf`, written straight from the
/// frame (nothing for frames rpcx has no counterpart for; a frame over
/// `max_message_size`, which [`check`] refused before it was queued, is
/// logged and dropped).
pub(crate) fn encode(max_message_size: u32, frame: &Frame, buf: &mut BytesMut) {
    let Some(header) = header_of(frame) else {
        return;
    };
    let (Message::Request(request) | Message::Oneway(request)) = &frame.message else {
        // A heartbeat: empty names, metadata and payload.
        buf.put_slice(&header.to_bytes(16));
        buf.put_bytes(0, 16);
        return;
    };
    let timeout = budget_millis(request);
    let (metadata_len, length) = sizes(request, timeout.as_ref());
    if length > u64::from(max_message_size) {
        tracing::error!(
            length,
            "a checked rpcx message is over the maximum; dropped"
        );
        return;
    }
    buf.reserve(length as usize);
    buf.put_slice(&header.to_bytes((length - HEADER_LEN as u64) as u32));
    put_field(buf, request.service.as_bytes());
    put_field(buf, request.method.as_bytes());
    buf.put_u32(metadata_len as u32);
    for (key, value) in entries(request) {
        put_field(buf, key.as_bytes());
        put_field(buf, value.as_bytes());
    }
    if let Some(millis) = &timeout {
        put_field(buf, SERVER_TIMEOUT_KEY.as_bytes());
        put_field(buf, millis.as_bytes());
    }
    put_field(buf, &request.payload);
}

mod reader;
mod reply;
#[cfg(test)]
mod tests;

pub(crate) use reader::RpcxReader;
