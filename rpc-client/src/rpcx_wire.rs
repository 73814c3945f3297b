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

use std::io;

use bytes::{Buf, BufMut, BytesMut};
use bytestring::ByteString;
use rpc_codec::{Codec, Compression, CompressionPolicy};
use rpc_core::frame::{
    Frame, FrameError, Inbound, Message, MessageType, Refusal, Request, Response,
};
use rpc_core::rpcx::{
    AUTH_KEY, CODE_KEY, COMPRESSION_THRESHOLD, ERROR_KEY, HEADER_LEN, RpcxCodec, RpcxCompression,
    RpcxError, RpcxHeader, RpcxInbound, RpcxLimits, RpcxMessage, RpcxMessageType, RpcxStatus,
    SERVER_TIMEOUT_KEY, SerializeType,
};
use rpc_core::server::{AUTHORIZATION_KEY, BEARER_PREFIX};
use rpc_core::{Code, Metadata, Status};
use tokio_util::codec::Decoder;

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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;

    use super::*;

    fn request(metadata: Metadata, deadline: Option<Duration>) -> Frame {
        Frame {
            request_id: 7,
            codec: Codec::Json,
            compression: Compression::None,
            message: Message::Request(Request {
                service: "Arith".into(),
                method: "Mul".into(),
                deadline,
                retry: true,
                metadata,
                payload: Bytes::from_static(br#"{"A":7,"B":8}"#),
            }),
        }
    }

    fn encoded(frame: &Frame) -> BytesMut {
        let mut buf = BytesMut::new();
        encode(u32::MAX, frame, &mut buf);
        buf
    }

    /// What the client wrote, decoded by the rpcx codec.
    fn to_message(frame: &Frame) -> Option<RpcxMessage> {
        let mut buf = encoded(frame);
        let message = RpcxCodec::default().decode(&mut buf).expect("valid rpcx")?;
        assert!(buf.is_empty(), "one message, nothing after it");
        Some(message)
    }

    #[test]
    fn a_request_becomes_an_rpcx_request_and_check_measures_it_exactly() {
        let mut metadata = Metadata::new();
        metadata.insert("trace", "abc");
        metadata.insert(AUTHORIZATION_KEY, "Bearer s3cret");
        let frame = request(metadata, Some(Duration::from_micros(1500)));
        let message = to_message(&frame).expect("a request");
        assert_eq!(message.header.seq, 7);
        assert_eq!(message.header.serialize_type, SerializeType::Json);
        assert!(!message.header.oneway && !message.header.heartbeat);
        assert_eq!(
            (
                message.service_path.as_str(),
                message.service_method.as_str()
            ),
            ("Arith", "Mul")
        );
        assert_eq!(message.metadata_value("trace"), Some("abc"));
        assert_eq!(message.metadata_value(AUTH_KEY), Some("s3cret"));
        assert_eq!(message.metadata_value(AUTHORIZATION_KEY), None);
        assert_eq!(message.metadata_value(SERVER_TIMEOUT_KEY), Some("2"));
        let length = encoded(&frame).len() as u32;
        assert_eq!(check(&frame, length), Ok(()));
        assert_eq!(
            check(&frame, length - 1).map_err(|s| s.code()),
            Err(Code::PayloadTooLarge)
        );
    }

    #[test]
    fn digits_are_decimal() {
        for number in [0u128, 7, 10, 1_000, u128::from(u64::MAX), u128::MAX] {
            assert_eq!(
                Digits::new(number).as_bytes(),
                number.to_string().as_bytes()
            );
        }
    }

    #[test]
    fn pings_are_heartbeats_above_every_call_id_and_cancels_are_not_sent() {
        let ping = to_message(&Frame::control(u32::MAX, Message::Ping)).expect("a heartbeat");
        assert!(ping.header.heartbeat);
        assert_eq!(ping.header.seq, HEARTBEAT_SEQ + u64::from(u32::MAX));
        assert!(to_message(&Frame::control(3, Message::Cancel)).is_none());
        assert!(encoded(&Frame::control(3, Message::Pong)).is_empty());
    }

    fn reply(seq: u64, status: RpcxStatus, metadata: &[(&str, &str)]) -> BytesMut {
        reply_with(seq, status, metadata, b"\x81\xa1C\x38")
    }

    fn reply_with(
        seq: u64,
        status: RpcxStatus,
        metadata: &[(&str, &str)],
        payload: &'static [u8],
    ) -> BytesMut {
        let message = RpcxMessage {
            header: RpcxHeader {
                version: 0,
                message_type: RpcxMessageType::Response,
                heartbeat: false,
                oneway: false,
                compression: RpcxCompression::None,
                status,
                serialize_type: SerializeType::MsgPack,
                seq,
            },
            service_path: "Arith".to_owned(),
            service_method: "Mul".to_owned(),
            metadata: metadata
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            payload: Bytes::from_static(payload),
        };
        let mut buf = BytesMut::new();
        RpcxCodec::default()
            .encode_message(&message, &mut buf)
            .expect("encodes");
        buf
    }

    fn response(inbound: Option<Inbound>) -> (u32, Response) {
        match inbound {
            Some(Inbound::Frame(Frame {
                request_id,
                message: Message::Response(response),
                ..
            })) => (request_id, response),
            other => panic!("not a response: {other:?}"),
        }
    }

    #[test]
    fn error_replies_carry_their_code_or_a_chosen_one() {
        let mut reader = RpcxReader::new(RpcxLimits::default());
        let cases = [
            (
                &[(ERROR_KEY, "no"), (CODE_KEY, "overloaded"), ("k", "v")][..],
                Code::Overloaded,
            ),
            (
                &[(ERROR_KEY, "rpcx: can't find service Nope")][..],
                Code::ServiceNotFound,
            ),
            (
                &[(ERROR_KEY, "rpcx: can't find method Nope")][..],
                Code::MethodNotFound,
            ),
            (
                &[(ERROR_KEY, "boom"), (CODE_KEY, "no such code")][..],
                Code::Application,
            ),
        ];
        for (metadata, code) in cases {
            let (id, response) = response(
                reader
                    .decode(&mut reply(9, RpcxStatus::Error, metadata))
                    .unwrap(),
            );
            assert_eq!((id, response.code), (9, code));
            assert!(response.payload.is_empty());
            assert_eq!(response.metadata.get(ERROR_KEY), None);
            assert_eq!(response.metadata.get(CODE_KEY), None);
        }
        let (_, ok) = response(
            reader
                .decode(&mut reply(9, RpcxStatus::Normal, &[("k", "v")]))
                .unwrap(),
        );
        assert_eq!((ok.code, ok.metadata.get("k")), (Code::Ok, Some("v")));
    }

    #[test]
    fn heartbeat_range_replies_and_server_requests_only_say_alive() {
        let mut reader = RpcxReader::new(RpcxLimits::default());
        for seq in [0, HEARTBEAT_SEQ, u64::MAX] {
            let inbound = reader
                .decode(&mut reply(seq, RpcxStatus::Normal, &[]))
                .unwrap();
            assert!(matches!(
                inbound,
                Some(Inbound::Frame(Frame {
                    message: Message::Pong,
                    ..
                }))
            ));
        }
    }

    #[test]
    fn an_oversized_reply_is_refused_alone_and_skipped() {
        let big = reply(5, RpcxStatus::Normal, &[]);
        let mut reader = RpcxReader::new(RpcxLimits::new(big.len() as u32 - 1, Default::default()));
        let mut stream = big.clone();
        stream.extend_from_slice(&reply(6, RpcxStatus::Normal, &[])[..]);
        match reader.decode(&mut stream).unwrap() {
            Some(Inbound::Refused(refusal)) => {
                assert_eq!(refusal.request_id, 5);
                assert_eq!(refusal.status().code(), Code::PayloadTooLarge);
            }
            other => panic!("not refused: {other:?}"),
        }
        // Reply 6 is as large as reply 5: refused too, and the stream ends aligned.
        assert!(
            matches!(reader.decode(&mut stream).unwrap(), Some(Inbound::Refused(r)) if r.request_id == 6)
        );
        assert_eq!(reader.decode(&mut stream).unwrap().map(|_| ()), None);
        assert!(stream.is_empty(), "the second body was skipped too");
    }

    /// What a reader yields from `stream`, fed `step` bytes at a time:
    /// `(call id, code)` per reply, `None` for "alive".
    fn read_all(stream: &[u8], step: usize, max: u32) -> Vec<Option<(u32, Code)>> {
        let mut reader = RpcxReader::new(RpcxLimits::new(max, Default::default()));
        let mut buffer = BytesMut::new();
        let mut seen = Vec::new();
        for chunk in stream.chunks(step) {
            buffer.extend_from_slice(chunk);
            while let Some(inbound) = reader.decode(&mut buffer).expect("a valid stream") {
                seen.push(match inbound {
                    Inbound::Frame(Frame {
                        request_id,
                        message: Message::Response(response),
                        ..
                    }) => Some((request_id, response.code)),
                    Inbound::Frame(_) => None,
                    Inbound::Refused(refusal) => {
                        Some((refusal.request_id, refusal.status().code()))
                    }
                });
            }
        }
        assert!(buffer.is_empty(), "step {step}: bytes left over");
        seen
    }

    #[test]
    fn a_stream_cut_anywhere_reads_the_same() {
        let small = reply(1, RpcxStatus::Normal, &[]);
        let limit = small.len() as u32;
        let mut stream = small.to_vec();
        stream.extend_from_slice(&reply(
            2,
            RpcxStatus::Error,
            &[(ERROR_KEY, "x"), ("k", "v")],
        ));
        stream.extend_from_slice(&reply(HEARTBEAT_SEQ, RpcxStatus::Normal, &[]));
        stream.extend_from_slice(&reply(4, RpcxStatus::Normal, &[]));
        let whole = read_all(&stream, stream.len(), limit);
        assert_eq!(
            whole,
            [
                Some((1, Code::Ok)),
                Some((2, Code::PayloadTooLarge)),
                None,
                Some((4, Code::Ok)),
            ]
        );
        for step in 1..stream.len() {
            assert_eq!(read_all(&stream, step, limit), whole, "step {step}");
        }
    }

    #[test]
    fn random_bytes_after_the_magic_never_panic_or_over_allocate() {
        // A fixed xorshift sequence: reproducible, no dependency.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..2_000 {
            let len = (next() % 96) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if let Some(first) = bytes.first_mut() {
                *first = rpc_core::rpcx::MAGIC;
            }
            let mut reader = RpcxReader::new(RpcxLimits::new(1024, Default::default()));
            let mut buffer = BytesMut::from(&bytes[..]);
            while let Ok(Some(_)) = reader.decode(&mut buffer) {}
            assert!(buffer.capacity() <= 4096, "{}", buffer.capacity());
        }
    }

    #[test]
    fn a_bad_header_ends_the_stream() {
        let mut bad = reply(5, RpcxStatus::Normal, &[]);
        bad[0] = 0x8f;
        assert!(
            RpcxReader::new(RpcxLimits::default())
                .decode(&mut bad)
                .is_err()
        );
    }

    #[test]
    fn compression_is_gzip_above_one_kib() {
        let policy =
            compression_policy(CompressionPolicy::new(Compression::Zstd).with_threshold(10));
        assert_eq!(
            (policy.compression, policy.threshold),
            (Compression::Gzip, 1025)
        );
        assert_eq!(
            compression_policy(CompressionPolicy::NONE),
            CompressionPolicy::NONE
        );
    }
}
