//! Bytes from a peer are hostile: every bad header and body gets its own typed
//! error, random and truncated input never panics, and no claimed length makes
//! the decoder reserve more than the maximum frame size.

mod support;

use bytes::{BufMut, BytesMut};
use proptest::prelude::*;
use rpc_core::frame::{
    Frame, FrameCodec, FrameError, HEADER_LEN, MAGIC, Message, MessageType, Request, VERSION,
};
use rpc_core::{Codec, Compression};
use tokio_util::codec::Decoder;

/// A header with the given fields and a correct magic and version.
fn header(length: u32, message_type: u8, codec: u8, compression: u8) -> BytesMut {
    let mut buf = BytesMut::new();
    buf.put_slice(&MAGIC);
    buf.put_u8(VERSION);
    buf.put_u32(length);
    buf.put_u8(message_type);
    buf.put_u8(codec);
    buf.put_u8(compression);
    buf.put_u32(42);
    buf
}

/// A frame of `message_type` with exactly `body` after the header.
fn frame_with_body(message_type: MessageType, body: &[u8]) -> BytesMut {
    let mut buf = header((HEADER_LEN + body.len()) as u32, message_type.as_u8(), 1, 0);
    buf.put_slice(body);
    buf
}

fn decode(mut buf: BytesMut) -> Result<Option<Frame>, FrameError> {
    FrameCodec::new().decode(&mut buf)
}

#[test]
fn wrong_protocol_is_refused_on_its_first_byte() {
    let err = decode(BytesMut::from(&b"G"[..])).unwrap_err();
    assert!(
        matches!(err, FrameError::BadMagic([b'G', 0, 0, 0])),
        "{err}"
    );
    let err = decode(BytesMut::from(&b"GET / HTTP/1.1\r\n\r\n"[..])).unwrap_err();
    assert!(
        matches!(err, FrameError::BadMagic(m) if &m == b"GET "),
        "{err}"
    );
    // A correct prefix of the magic is just a partial frame.
    assert!(decode(BytesMut::from(&MAGIC[..3])).unwrap().is_none());
}

#[test]
fn unsupported_version_is_refused() {
    let mut buf = header(16, 3, 0, 0);
    buf[4] = 2;
    assert!(matches!(
        decode(buf).unwrap_err(),
        FrameError::UnsupportedVersion(2)
    ));
}

#[test]
fn length_smaller_than_the_header_is_refused() {
    for length in [0, 1, 15] {
        let err = decode(header(length, 3, 0, 0)).unwrap_err();
        assert!(
            matches!(err, FrameError::LengthTooSmall(l) if l == length),
            "{err}"
        );
    }
}

#[test]
fn oversized_length_is_refused_before_any_body_arrives_or_is_reserved() {
    let mut codec = FrameCodec::with_max_frame_size(1024);
    let mut buf = header(u32::MAX, 0, 1, 0);
    let capacity = buf.capacity();
    let err = codec.decode(&mut buf).unwrap_err();
    assert!(
        matches!(err, FrameError::TooLarge { length, max: 1024 } if length == u64::from(u32::MAX)),
        "{err}"
    );
    assert_eq!(buf.capacity(), capacity);

    let mut at_limit = header(1024, 0, 1, 0);
    assert!(codec.decode(&mut at_limit).unwrap().is_none());
    let mut over = header(1025, 0, 1, 0);
    assert!(matches!(
        codec.decode(&mut over),
        Err(FrameError::TooLarge { .. })
    ));
}

#[test]
fn unknown_message_type_codec_and_compression_are_refused_from_the_header_alone() {
    let err = decode(header(1000, 6, 0, 0)).unwrap_err();
    assert!(matches!(err, FrameError::UnknownMessageType(6)), "{err}");
    let err = decode(header(1000, 0, 4, 0)).unwrap_err();
    assert!(matches!(err, FrameError::UnknownCodec(4)), "{err}");
    let err = decode(header(1000, 0, 1, 4)).unwrap_err();
    assert!(matches!(err, FrameError::UnknownCompression(4)), "{err}");
}

fn assert_malformed(buf: BytesMut, expected_type: MessageType, expected_reason: &str) {
    match decode(buf) {
        Err(FrameError::MalformedBody {
            message_type,
            reason,
        }) => {
            assert_eq!(message_type, expected_type);
            assert!(
                reason.contains(expected_reason),
                "reason {reason:?} lacks {expected_reason:?}"
            );
        }
        other => panic!("expected a malformed {expected_type} body, got {other:?}"),
    }
}

#[test]
fn malformed_bodies_are_refused_with_the_field_that_is_wrong() {
    use MessageType::*;
    assert_malformed(frame_with_body(Request, &[]), Request, "flags");
    assert_malformed(frame_with_body(Request, &[0, 0, 0]), Request, "deadline");
    assert_malformed(
        frame_with_body(Oneway, &[0, 0, 0, 0, 0]),
        Oneway,
        "service name length",
    );
    // Service name claims 10 bytes, 3 follow.
    assert_malformed(
        frame_with_body(Request, &[0, 0, 0, 0, 0, 10, b'a', b'b', b'c']),
        Request,
        "service name",
    );
    // Method name is not UTF-8.
    assert_malformed(
        frame_with_body(Request, &[0, 0, 0, 0, 0, 1, b'S', 2, 0xff, 0xfe, 0, 0]),
        Request,
        "method name",
    );
    // Metadata claims 65,535 entries and has none: an error, and no giant reservation.
    assert_malformed(
        frame_with_body(Request, &[0, 0, 0, 0, 0, 1, b'S', 1, b'M', 0xff, 0xff]),
        Request,
        "metadata key length",
    );
    assert_malformed(
        frame_with_body(
            Request,
            &[
                0, 0, 0, 0, 0, 1, b'S', 1, b'M', 0, 1, 0, 1, b'k', 0, 5, b'v',
            ],
        ),
        Request,
        "metadata value",
    );
    assert_malformed(
        frame_with_body(Response, &[0, 0]),
        Response,
        "status message length",
    );
    assert_malformed(
        frame_with_body(Response, &[0, 0, 4, b'o', b'k']),
        Response,
        "status message",
    );
    for control in [Ping, Pong, Cancel] {
        assert_malformed(frame_with_body(control, &[0]), control, "empty body");
    }
}

#[test]
fn every_prefix_of_a_valid_frame_is_incomplete_not_an_error() {
    let frame = Frame {
        request_id: 7,
        codec: Codec::Json,
        compression: Compression::None,
        message: Message::Request(Request {
            service: "Arith".into(),
            method: "Mul".into(),
            metadata: [("k", "v")].into_iter().collect(),
            payload: r#"{"a":7,"b":8}"#.into(),
            ..Request::default()
        }),
    };
    let bytes = support::encode(&frame);
    for cut in 0..bytes.len() {
        let mut partial = BytesMut::from(&bytes[..cut]);
        assert_eq!(
            FrameCodec::new().decode(&mut partial).unwrap(),
            None,
            "cut at {cut}"
        );
        assert_eq!(
            partial.len(),
            cut,
            "a partial frame must stay in the buffer"
        );
    }
    assert_eq!(decode(bytes).unwrap(), Some(frame));
}

#[test]
fn encoding_refuses_fields_that_overflow_their_prefix_and_oversized_frames() {
    let long_service = Frame {
        request_id: 1,
        codec: Codec::Raw,
        compression: Compression::None,
        message: Message::Request(Request {
            service: "s".repeat(256).into(),
            ..Request::default()
        }),
    };
    let mut buf = BytesMut::new();
    let err = FrameCodec::new()
        .encode_frame(&long_service, &mut buf)
        .unwrap_err();
    assert!(matches!(
        err,
        FrameError::FieldTooLong {
            field: "service name",
            length: 256,
            max: 255
        }
    ));
    assert!(buf.is_empty());

    let big = Frame {
        message: Message::Request(Request {
            payload: vec![0; 2000].into(),
            ..Request::default()
        }),
        ..long_service
    };
    let err = FrameCodec::with_max_frame_size(1000)
        .encode_frame(&big, &mut buf)
        .unwrap_err();
    assert!(
        matches!(err, FrameError::TooLarge { max: 1000, .. }),
        "{err}"
    );
    assert!(buf.is_empty());
}

proptest! {
    #[test]
    fn random_bytes_give_errors_or_nothing_and_bounded_reservations(
        data in proptest::collection::vec(any::<u8>(), 0..2048),
        keep_magic in any::<bool>(),
    ) {
        let mut buf = BytesMut::from(&data[..]);
        if keep_magic && buf.len() >= 5 {
            buf[..4].copy_from_slice(&MAGIC);
            buf[4] = VERSION;
        }
        let max = 4096;
        let mut codec = FrameCodec::with_max_frame_size(max);
        while let Ok(Some(_)) = codec.decode(&mut buf) {}
        prop_assert!(buf.capacity() <= (max as usize).max(data.len()) + 64);
    }

    #[test]
    fn corrupting_one_byte_of_a_valid_frame_never_panics(
        frame in support::frame(),
        position in any::<prop::sample::Index>(),
        value in any::<u8>(),
    ) {
        let mut bytes = support::encode(&frame);
        let i = position.index(bytes.len());
        bytes[i] = value;
        let _ = decode(bytes);
    }
}
