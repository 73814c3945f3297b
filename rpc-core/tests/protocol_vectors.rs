//! The hex test vectors of `docs/PROTOCOL.md` decode to the frames they
//! describe and re-encode to the same bytes, and the document shows exactly
//! the vectors stored under `tests/vectors`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::BytesMut;
use rpc_core::frame::{Frame, FrameCodec, Message, Request, Response};
use rpc_core::{Code, Codec, Compression, Metadata};
use tokio_util::codec::Decoder;

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// The bytes of a vector file: hex pairs, `#` starts a comment.
fn parse_hex(text: &str) -> Vec<u8> {
    let digits: String = text
        .lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .flat_map(|line| line.split_whitespace())
        .collect();
    assert!(digits.len().is_multiple_of(2), "odd number of hex digits");
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn read_vector(name: &str) -> Vec<u8> {
    let path = vectors_dir().join(format!("{name}.hex"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_hex(&text)
}

fn check(name: &str, expected: Frame) {
    let bytes = read_vector(name);
    let mut buf = BytesMut::from(&bytes[..]);
    let decoded = FrameCodec::new().decode(&mut buf).unwrap();
    assert_eq!(decoded.as_ref(), Some(&expected), "{name}: decoded frame");
    assert!(buf.is_empty(), "{name}: bytes left after the frame");
    let mut encoded = BytesMut::new();
    FrameCodec::new()
        .encode_frame(&expected, &mut encoded)
        .unwrap();
    assert_eq!(&encoded[..], &bytes[..], "{name}: re-encoded bytes");
}

#[test]
fn json_request_with_metadata() {
    let mut metadata = Metadata::new();
    metadata.append("trace-id", "7f3a9c");
    metadata.append("auth", "Bearer t0k3n");
    check(
        "json-request",
        Frame {
            request_id: 1,
            codec: Codec::Json,
            compression: Compression::None,
            message: Message::Request(Request {
                service: "Arith".into(),
                method: "Mul".into(),
                deadline: Some(Duration::from_millis(500)),
                retry: false,
                metadata,
                payload: r#"{"a":7,"b":8}"#.into(),
            }),
        },
    );
}

#[test]
fn msgpack_response() {
    check(
        "msgpack-response",
        Frame {
            request_id: 1,
            codec: Codec::MsgPack,
            compression: Compression::None,
            message: Message::Response(Response::ok(vec![0x81, 0xa1, b'c', 0x38].into())),
        },
    );
}

#[test]
fn error_response() {
    let status = rpc_core::Status::method_not_found("Arith", "Div");
    assert_eq!(status.code(), Code::MethodNotFound);
    check(
        "error-response",
        Frame {
            request_id: 2,
            codec: Codec::MsgPack,
            compression: Compression::None,
            // The vector is the frame without the origin mark (§4.2): what
            // a server sends for a status of its application.
            message: Message::Response(Response::from_status(status.into_application())),
        },
    );
}

#[test]
fn retried_oneway() {
    check(
        "retried-oneway",
        Frame {
            request_id: 3,
            codec: Codec::Protobuf,
            compression: Compression::None,
            message: Message::Oneway(Request {
                service: "Log".into(),
                method: "Write".into(),
                deadline: None,
                retry: true,
                metadata: Metadata::new(),
                payload: vec![0x0a, 0x02, b'h', b'i'].into(),
            }),
        },
    );
}

#[test]
fn no_retry_response() {
    let mut metadata = Metadata::new();
    metadata.append(rpc_core::NO_RETRY_KEY, "1");
    let response = Response {
        code: Code::Overloaded,
        message: "retries exhausted".into(),
        metadata,
        payload: Default::default(),
    };
    let status = response.clone().into_result().unwrap_err();
    // Unmarked by the origin mark (§4.2): the peer application's failure, not
    // retried whatever its code; the no-retry mark is read all the same.
    assert!(
        status.code().is_retryable() && status.is_no_retry(),
        "{status:?}"
    );
    assert!(!status.is_retryable(), "{status:?}");
    check(
        "no-retry-response",
        Frame {
            request_id: 4,
            codec: Codec::Json,
            compression: Compression::None,
            message: Message::Response(response),
        },
    );
}

#[test]
fn ping() {
    check("ping", Frame::control(9, Message::Ping));
}

#[test]
fn protocol_md_shows_exactly_the_stored_vectors() {
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/PROTOCOL.md");
    let doc = std::fs::read_to_string(&doc_path).expect("docs/PROTOCOL.md");
    let mut stored: Vec<String> = std::fs::read_dir(vectors_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "hex"))
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    stored.sort();
    let mut shown: Vec<String> = doc
        .split("```")
        .filter(|block| block.starts_with("text\n# vector: "))
        .map(|block| block["text\n".len()..].to_owned())
        .collect();
    shown.sort();
    assert_eq!(shown, stored, "docs/PROTOCOL.md and tests/vectors disagree");
    assert!(stored.len() >= 5);
}
