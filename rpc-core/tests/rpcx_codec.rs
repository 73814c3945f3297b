//! The rpcx frame codec: Go rpcx's own test vector decodes field by field and
//! re-encodes byte-exact, and every bad input gets its typed error without a
//! panic or an allocation the limits do not allow.

use bytes::{BufMut, Bytes, BytesMut};
use rpc_codec::CompressionError;
use rpc_core::Compression;
use rpc_core::frame::MetadataLimits;
use rpc_core::rpcx::{
    HEADER_LEN, RpcxCodec, RpcxCompression, RpcxError, RpcxHeader, RpcxLimits, RpcxMessage,
    RpcxMessageType, RpcxStatus, SerializeType,
};
use tokio_util::codec::Decoder;

/// The payload of Go rpcx's `TestMessage` (protocol/message_test.go), a Go
/// raw string literal spanning several lines: 26 bytes.
const GO_PAYLOAD: &[u8] = b"{\n\t\t\"A\": 1,\n\t\t\"B\": 2,\n\t}\n\t";
const GO_ID: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c9";

/// The bytes Go rpcx's `TestMessage` writes, laid out by hand from the
/// format description of protocol/message.go.
fn go_test_vector() -> Vec<u8> {
    let mut v = vec![
        0x08, // magic
        0x00, // version 0
        0x00, // request, no heartbeat, not oneway, compress none, status normal
        0x10, // serialize type 1 (JSON) in the high nibble
        0x00, 0x00, 0x00, 0x00, 0x49, 0x96, 0x02, 0xd2, // seq 1234567890
        0x00, 0x00, 0x00, 0x62, // 98 bytes follow
        0x00, 0x00, 0x00, 0x05, // service path length
    ];
    v.extend_from_slice(b"Arith");
    v.extend_from_slice(&[0x00, 0x00, 0x00, 0x03]);
    v.extend_from_slice(b"Add");
    v.extend_from_slice(&[0x00, 0x00, 0x00, 0x30]); // metadata block: 4+4+4+36
    v.extend_from_slice(&[0x00, 0x00, 0x00, 0x04]);
    v.extend_from_slice(b"__ID");
    v.extend_from_slice(&[0x00, 0x00, 0x00, 0x24]);
    v.extend_from_slice(GO_ID.as_bytes());
    v.extend_from_slice(&[0x00, 0x00, 0x00, 0x1a]); // payload length 26
    v.extend_from_slice(GO_PAYLOAD);
    v
}

fn request(service: &str, method: &str, payload: &[u8]) -> RpcxMessage {
    RpcxMessage {
        header: RpcxHeader {
            version: 0,
            message_type: RpcxMessageType::Request,
            heartbeat: false,
            oneway: false,
            compression: RpcxCompression::None,
            status: RpcxStatus::Normal,
            serialize_type: SerializeType::Json,
            seq: 7,
        },
        service_path: service.to_owned(),
        service_method: method.to_owned(),
        metadata: Vec::new(),
        payload: Bytes::copy_from_slice(payload),
    }
}

fn encode(message: &RpcxMessage) -> BytesMut {
    let mut buf = BytesMut::new();
    RpcxCodec::default()
        .encode_message(message, &mut buf)
        .expect("encodes");
    buf
}

fn decode_all(bytes: &[u8]) -> Result<Option<RpcxMessage>, RpcxError> {
    RpcxCodec::default().decode(&mut BytesMut::from(bytes))
}

/// A header (magic, version 0, request, JSON) declaring `body_len` bytes.
fn header(body_len: u32) -> BytesMut {
    let mut buf = BytesMut::new();
    buf.put_slice(&[0x08, 0x00, 0x00, 0x10]);
    buf.put_u64(1);
    buf.put_u32(body_len);
    buf
}

/// A message of exactly `body` after a header declaring its length.
fn with_body(body: &[u8]) -> BytesMut {
    let mut buf = header(body.len() as u32);
    buf.put_slice(body);
    buf
}

fn field(buf: &mut BytesMut, bytes: &[u8]) {
    buf.put_u32(bytes.len() as u32);
    buf.put_slice(bytes);
}

#[test]
fn go_test_message_decodes_field_by_field_and_re_encodes_byte_exact() {
    assert_eq!(GO_PAYLOAD.len(), 26);
    let wire = go_test_vector();
    assert_eq!(wire.len(), HEADER_LEN + 0x62);
    let mut buf = BytesMut::from(&wire[..]);
    let message = RpcxCodec::default()
        .decode(&mut buf)
        .expect("decodes")
        .expect("complete");
    assert!(buf.is_empty());
    let h = message.header;
    assert_eq!(h.version, 0);
    assert_eq!(h.message_type, RpcxMessageType::Request);
    assert!(!h.heartbeat);
    assert!(!h.oneway);
    assert_eq!(h.compression, RpcxCompression::None);
    assert_eq!(h.status, RpcxStatus::Normal);
    assert_eq!(h.serialize_type, SerializeType::Json);
    assert_eq!(h.serialize_type.codec(), Some(rpc_core::Codec::Json));
    assert_eq!(h.seq, 1_234_567_890);
    assert_eq!(message.service_path, "Arith");
    assert_eq!(message.service_method, "Add");
    assert_eq!(
        message.metadata,
        vec![("__ID".to_owned(), GO_ID.to_owned())]
    );
    assert_eq!(message.metadata_value("__ID"), Some(GO_ID));
    assert_eq!(&message.payload[..], GO_PAYLOAD);
    assert_eq!(&encode(&message)[..], &wire[..]);
}

#[test]
fn the_brief_compact_payload_round_trips_too() {
    let mut message = request("Arith", "Add", br#"{"A":1,"B":2}"#);
    message.header.seq = 1_234_567_890;
    message.metadata.push(("__ID".to_owned(), GO_ID.to_owned()));
    let wire = encode(&message);
    assert_eq!(&wire[..4], &[0x08, 0x00, 0x00, 0x10]);
    assert_eq!(&wire[12..16], &(98u32 - 26 + 13).to_be_bytes());
    assert_eq!(decode_all(&wire).unwrap().unwrap(), message);
}

#[test]
fn every_header_flag_round_trips() {
    let mut message = request("S", "M", b"x");
    message.header = RpcxHeader {
        version: 3,
        message_type: RpcxMessageType::Response,
        heartbeat: true,
        oneway: true,
        compression: RpcxCompression::Gzip,
        status: RpcxStatus::Error,
        serialize_type: SerializeType::MsgPack,
        seq: u64::MAX,
    };
    let wire = encode(&message);
    assert_eq!(
        &wire[..4],
        &[0x08, 3, 0x80 | 0x40 | 0x20 | 0x04 | 0x01, 0x30]
    );
    assert_eq!(decode_all(&wire).unwrap().unwrap(), message);
}

#[test]
fn wrong_magic_is_refused_on_the_first_byte() {
    assert!(matches!(decode_all(b"G"), Err(RpcxError::BadMagic(b'G'))));
    let native = [0x8f, 0x52, 0x50, 0x43];
    assert!(matches!(
        decode_all(&native),
        Err(RpcxError::BadMagic(0x8f))
    ));
    assert!(matches!(decode_all(&[0x08]), Ok(None)));
}

#[test]
fn unknown_bits_are_refused() {
    let mut buf = header(0);
    buf[2] = 2 << 2;
    assert!(matches!(
        decode_all(&buf),
        Err(RpcxError::UnknownCompression(2))
    ));
    let mut buf = header(0);
    buf[2] = 2;
    assert!(matches!(decode_all(&buf), Err(RpcxError::UnknownStatus(2))));
    let mut buf = header(0);
    buf[3] = 0x50;
    assert!(matches!(
        decode_all(&buf),
        Err(RpcxError::UnknownSerializeType(5))
    ));
    let mut buf = header(0);
    buf[3] = 0x11;
    assert!(matches!(decode_all(&buf), Err(RpcxError::ReservedBits(1))));
}

#[test]
fn a_4_gib_length_is_refused_from_16_bytes_without_reserving() {
    let mut codec = RpcxCodec::new(RpcxLimits::new(64 * 1024, MetadataLimits::default()));
    let mut buf = header(u32::MAX);
    let capacity = buf.capacity();
    let err = codec.decode(&mut buf).unwrap_err();
    assert!(
        matches!(err, RpcxError::TooLarge { length, max: 65536 } if length == u64::from(u32::MAX) + 16),
        "{err}"
    );
    assert_eq!(buf.capacity(), capacity, "nothing was reserved");
    assert!(err.ends_stream());
    // One byte over the limit is refused too, the limit itself is not.
    let mut buf = header(64 * 1024 - 16 + 1);
    assert!(matches!(
        codec.decode(&mut buf),
        Err(RpcxError::TooLarge { .. })
    ));
    let mut buf = header(64 * 1024 - 16);
    assert!(matches!(codec.decode(&mut buf), Ok(None)));
}

#[test]
fn inner_lengths_past_the_end_are_refused() {
    let mut body = BytesMut::new();
    body.put_u32(100);
    body.put_slice(b"Arith");
    let err = decode_all(&with_body(&body)).unwrap_err();
    assert!(
        matches!(
            err,
            RpcxError::FieldOverrun {
                field: "service path",
                length: 100,
                remaining: 5
            }
        ),
        "{err}"
    );
    // A metadata key whose prefix points past the metadata block.
    let mut body = BytesMut::new();
    field(&mut body, b"A");
    field(&mut body, b"B");
    let mut meta = BytesMut::new();
    meta.put_u32(9);
    meta.put_slice(b"key");
    field(&mut body, &meta);
    field(&mut body, b"");
    let err = decode_all(&with_body(&body)).unwrap_err();
    assert!(
        matches!(
            err,
            RpcxError::FieldOverrun {
                field: "metadata key",
                ..
            }
        ),
        "{err}"
    );
    // The payload prefix missing altogether.
    let mut body = BytesMut::new();
    field(&mut body, b"A");
    field(&mut body, b"B");
    field(&mut body, b"");
    let err = decode_all(&with_body(&body)).unwrap_err();
    assert!(
        matches!(
            err,
            RpcxError::FieldOverrun {
                field: "payload",
                length: 4,
                remaining: 0
            }
        ),
        "{err}"
    );
}

#[test]
fn bytes_after_the_payload_are_refused() {
    let mut wire = BytesMut::from(&encode(&request("A", "B", b"p"))[..]);
    wire.put_slice(b"xyz");
    let len = (wire.len() - HEADER_LEN) as u32;
    wire[12..16].copy_from_slice(&len.to_be_bytes());
    assert!(matches!(
        decode_all(&wire),
        Err(RpcxError::TrailingBytes(3))
    ));
}

#[test]
fn a_truncated_message_is_partial_until_complete() {
    let wire = encode(&request("Arith", "Mul", br#"{"A":7,"B":8}"#));
    let mut codec = RpcxCodec::default();
    for cut in 0..wire.len() {
        let mut buf = BytesMut::from(&wire[..cut]);
        assert!(matches!(codec.decode(&mut buf), Ok(None)), "cut at {cut}");
        assert_eq!(buf.len(), cut, "nothing consumed at {cut}");
    }
}

#[test]
fn a_message_fed_byte_by_byte_decodes_once() {
    let message = request("Arith", "Mul", br#"{"A":7,"B":8}"#);
    let wire = encode(&message);
    let mut codec = RpcxCodec::default();
    let mut buf = BytesMut::new();
    let mut decoded = Vec::new();
    for &byte in wire.iter() {
        buf.put_u8(byte);
        if let Some(m) = codec.decode(&mut buf).expect("no error") {
            decoded.push(m);
        }
    }
    assert_eq!(decoded, vec![message]);
    assert!(buf.is_empty());
}

#[test]
fn two_messages_in_one_buffer_decode_in_order() {
    let first = request("Arith", "Mul", b"1");
    let mut second = request("Arith", "Add", b"22");
    second.header.seq = 8;
    let mut buf = encode(&first);
    buf.extend_from_slice(&encode(&second));
    let mut codec = RpcxCodec::default();
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(first));
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(second));
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
}

#[test]
fn metadata_over_the_limits_is_refused_and_the_message_skipped() {
    let limits = MetadataLimits::new(2, 10);
    let mut codec = RpcxCodec::new(RpcxLimits::new(64 * 1024, limits));
    let mut many = request("A", "B", b"");
    for key in ["a", "b", "c"] {
        many.metadata.push((key.to_owned(), "v".to_owned()));
    }
    let mut big = request("A", "B", b"");
    big.metadata.push(("key".to_owned(), "12345678".to_owned()));
    let fine = request("A", "B", b"ok");
    let mut buf = encode(&many);
    buf.extend_from_slice(&encode(&big));
    buf.extend_from_slice(&encode(&fine));
    let err = codec.decode(&mut buf).unwrap_err();
    assert!(
        matches!(
            err,
            RpcxError::MetadataLimit {
                what: "entries",
                found: 3,
                max: 2
            }
        ),
        "{err}"
    );
    let err = codec.decode(&mut buf).unwrap_err();
    assert!(
        matches!(
            err,
            RpcxError::MetadataLimit {
                what: "bytes",
                found: 11,
                max: 10
            }
        ),
        "{err}"
    );
    assert!(!err.ends_stream());
    // Each refused message was consumed whole: the stream stays aligned.
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(fine));
}

/// Service path, method, metadata key, value, and the field expected to fail.
type Utf8Case = (
    &'static [u8],
    &'static [u8],
    &'static [u8],
    &'static [u8],
    &'static str,
);

#[test]
fn names_and_metadata_that_are_not_utf8_are_refused() {
    let cases: [Utf8Case; 4] = [
        (b"\xff", b"M", b"k", b"v", "service path"),
        (b"S", b"\xc3\x28", b"k", b"v", "service method"),
        (b"S", b"M", b"\x80", b"v", "metadata key"),
        (b"S", b"M", b"k", b"\xed\xa0\x80", "metadata value"),
    ];
    for (path, method, key, value, expected) in cases {
        let mut body = BytesMut::new();
        field(&mut body, path);
        field(&mut body, method);
        let mut meta = BytesMut::new();
        field(&mut meta, key);
        field(&mut meta, value);
        field(&mut body, &meta);
        field(&mut body, b"");
        let err = decode_all(&with_body(&body)).unwrap_err();
        assert!(
            matches!(err, RpcxError::NotUtf8(f) if f == expected),
            "{expected}: {err}"
        );
    }
}

#[test]
fn gzip_payload_round_trips() {
    let plain: Vec<u8> = br#"{"A":7,"B":8}"#.repeat(200);
    let mut message = request("Arith", "Mul", b"");
    message.header.compression = RpcxCompression::Gzip;
    message.payload = Compression::Gzip.compress(&plain).unwrap();
    assert!(message.payload.len() < plain.len());
    let decoded = decode_all(&encode(&message)).unwrap().unwrap();
    assert_eq!(decoded, message);
    assert_eq!(
        &decoded.decompressed_payload(plain.len()).unwrap()[..],
        &plain[..]
    );
}

#[test]
fn a_gzip_bomb_is_refused_at_the_payload_limit() {
    let inflated = vec![0u8; 8 * 1024 * 1024];
    let mut message = request("Arith", "Mul", b"");
    message.header.compression = RpcxCompression::Gzip;
    message.payload = Compression::Gzip.compress(&inflated).unwrap();
    assert!(message.payload.len() < 64 * 1024, "small on the wire");
    let decoded = decode_all(&encode(&message)).unwrap().unwrap();
    let err = decoded.decompressed_payload(1024 * 1024).unwrap_err();
    assert!(
        matches!(err, CompressionError::TooLarge { limit: 1_048_576 }),
        "{err}"
    );
}

#[test]
fn a_heartbeat_decodes_and_its_reply_header_sets_the_response_bit() {
    let mut wire = header(16);
    wire[2] = 0x40;
    wire.put_bytes(0, 16); // four empty fields
    let message = decode_all(&wire).unwrap().unwrap();
    assert!(message.header.heartbeat);
    assert_eq!(message.header.message_type, RpcxMessageType::Request);
    assert!(message.service_path.is_empty() && message.service_method.is_empty());
    assert!(message.metadata.is_empty() && message.payload.is_empty());
    assert_eq!(&encode(&message)[..], &wire[..]);
    let reply = message.reply_header();
    assert!(reply.heartbeat);
    assert_eq!(reply.message_type, RpcxMessageType::Response);
    assert_eq!(reply.seq, message.header.seq);
    assert_eq!(reply.to_bytes(16)[2], 0xc0);
}

#[test]
fn encoding_refuses_a_message_over_the_maximum_without_writing() {
    let codec = RpcxCodec::new(RpcxLimits::new(64, MetadataLimits::default()));
    let mut buf = BytesMut::new();
    let err = codec
        .encode_message(&request("A", "B", &[0u8; 100]), &mut buf)
        .unwrap_err();
    assert!(matches!(err, RpcxError::TooLarge { max: 64, .. }), "{err}");
    assert!(buf.is_empty());
}

#[test]
fn random_bytes_never_panic() {
    // A deterministic sweep: every single-byte corruption of the Go vector
    // either decodes, waits for more, or fails with a typed error.
    let wire = go_test_vector();
    for at in 0..wire.len() {
        for value in [0x00, 0x01, 0x7f, 0x80, 0xff] {
            let mut bad = wire.clone();
            bad[at] = value;
            let mut buf = BytesMut::from(&bad[..]);
            let _ = RpcxCodec::default().decode(&mut buf);
        }
    }
}
