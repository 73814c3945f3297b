//! Tests of the rpcx adapter: requests written, replies read back.

use std::time::Duration;

use bytes::Bytes;

use super::reader::RpcxReader;
use super::*;
use rpc_codec::Codec;
use rpc_core::Metadata;
use rpc_core::frame::{Inbound, Response};
use rpc_core::rpcx::{CODE_KEY, ERROR_KEY, RpcxCodec, RpcxLimits, RpcxMessage};
use tokio_util::codec::Decoder;

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
                Inbound::Refused(refusal) => Some((refusal.request_id, refusal.status().code())),
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
    let policy = compression_policy(CompressionPolicy::new(Compression::Zstd).with_threshold(10));
    assert_eq!(
        (policy.compression, policy.threshold),
        (Compression::Gzip, 1025)
    );
    assert_eq!(
        compression_policy(CompressionPolicy::NONE),
        CompressionPolicy::NONE
    );
}

#[test]
fn a_malformed_reply_body_fails_its_call_alone() {
    // A service path that is not UTF-8 (its first byte, after the header
    // and the field's length prefix).
    let mut not_utf8 = reply(3, RpcxStatus::Normal, &[]);
    not_utf8[HEADER_LEN + 4] = 0xff;
    // A byte left after the payload, inside the declared length.
    let mut trailing = reply(4, RpcxStatus::Normal, &[]);
    let body_len = u32::from_be_bytes(trailing[12..16].try_into().unwrap()) + 1;
    trailing[12..16].copy_from_slice(&body_len.to_be_bytes());
    trailing.extend_from_slice(b"x");
    // More metadata entries than the limit (one).
    let too_many = reply(5, RpcxStatus::Normal, &[("a", "1"), ("b", "2")]);
    let mut stream = BytesMut::new();
    for part in [&not_utf8, &trailing, &too_many] {
        stream.extend_from_slice(part);
    }
    stream.extend_from_slice(&reply(6, RpcxStatus::Normal, &[("a", "1")]));
    let limits = RpcxLimits::new(u32::MAX, rpc_core::frame::MetadataLimits::new(1, 1024));
    let mut reader = RpcxReader::new(limits);
    for id in [3, 4, 5] {
        match reader.decode(&mut stream).unwrap() {
            Some(Inbound::Refused(refusal)) => {
                assert_eq!(
                    (refusal.request_id, refusal.status().code()),
                    (id, Code::BadRequest)
                );
            }
            other => panic!("reply {id} not refused: {other:?}"),
        }
    }
    let (id, ok) = response(reader.decode(&mut stream).unwrap());
    assert_eq!(
        (id, ok.code, ok.metadata.get("a")),
        (6, Code::Ok, Some("1"))
    );
    assert_eq!(&ok.payload[..], b"\x81\xa1C\x38");
    assert!(stream.is_empty());
}

#[test]
fn an_error_without_the_status_bit_is_an_error_only_without_a_payload() {
    let mut reader = RpcxReader::new(RpcxLimits::default());
    let error = &[("k", "v"), (ERROR_KEY, "rpcx: can't find method X")][..];
    let (_, failed) = response(
        reader
            .decode(&mut reply_with(8, RpcxStatus::Normal, error, b""))
            .unwrap(),
    );
    assert_eq!(failed.code, Code::MethodNotFound);
    assert_eq!(&failed.message[..], "rpcx: can't find method X");
    assert_eq!(failed.metadata.iter().collect::<Vec<_>>(), [("k", "v")]);
    let (_, ok) = response(
        reader
            .decode(&mut reply(8, RpcxStatus::Normal, error))
            .unwrap(),
    );
    assert_eq!(ok.code, Code::Ok);
    assert_eq!(
        ok.metadata.get(ERROR_KEY),
        Some("rpcx: can't find method X")
    );
}
