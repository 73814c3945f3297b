//! Hostile bytes close only their own connection (the server keeps serving
//! others), and bad calls in good frames are answered with the right status.

mod support;

use std::time::Duration;

use rpc_client::{CallOptions, ClientConfig};
use rpc_codec::{Codec, Compression};
use rpc_core::Code;
use rpc_core::frame::{Frame, Message, Request};
use rpc_core::server::Server;
use tokio::io::AsyncWriteExt;

#[tokio::test]
async fn garbage_and_oversized_frames_close_only_their_connection() {
    support::init_tracing();
    let (server, _) = support::start(
        Server::builder()
            .max_frame_size(64 * 1024)
            .frame_timeout(Duration::from_millis(500)),
    )
    .await;
    let client = support::client(&server, ClientConfig::default());
    let before: u64 = client.call("Test", "sleep", &1u64).await.unwrap();
    assert_eq!(before, 1);

    let mut http = support::raw(&server).await;
    http.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert!(support::closed_by_server(&mut http).await);

    // A request announcing 1 GiB: refused from its header alone with
    // `payload_too_large` for its id; the server then discards the body as
    // it comes, and the frame time limit closes a peer that never sends it.
    let mut oversized = support::raw(&server).await;
    let mut header = vec![0x8f, b'R', b'P', b'C', 1];
    header.extend_from_slice(&(1u32 << 30).to_be_bytes());
    header.extend_from_slice(&[0, 1, 0, 0, 0, 0, 1]);
    oversized.write_all(&header).await.unwrap();
    assert_eq!(response_code(&mut oversized).await, Code::PayloadTooLarge);
    assert!(support::closed_by_server(&mut oversized).await);

    // A ping announcing a body cannot be skipped: closed at once.
    let mut oversized_ping = support::raw(&server).await;
    let mut header = vec![0x8f, b'R', b'P', b'C', 1];
    header.extend_from_slice(&(1u32 << 30).to_be_bytes());
    header.extend_from_slice(&[3, 0, 0, 0, 0, 0, 1]);
    oversized_ping.write_all(&header).await.unwrap();
    assert!(support::closed_by_server(&mut oversized_ping).await);

    let mut truncated = support::raw(&server).await;
    let mut frame = bytes::BytesMut::new();
    rpc_core::frame::FrameCodec::new()
        .encode_frame(&support::request(1, "sleep", b"1"), &mut frame)
        .unwrap();
    truncated
        .write_all(&frame[..frame.len() - 1])
        .await
        .unwrap();
    drop(truncated);

    let after: u64 = client.call("Test", "sleep", &2u64).await.unwrap();
    assert_eq!(after, 2, "the well-behaved connection kept working");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn bad_calls_get_their_own_status() {
    let (server, _) = support::start(Server::builder()).await;
    let client = support::client(&server, ClientConfig::default());

    let status = client.call::<(), ()>("Nope", "x", &()).await.unwrap_err();
    assert_eq!(status.code(), Code::ServiceNotFound, "{status}");
    let status = client
        .call::<(), ()>("Test", "nope", &())
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::MethodNotFound, "{status}");
    let status = client
        .call::<(), ()>("Test", "fail", &())
        .await
        .unwrap_err();
    assert_eq!(
        (status.code(), status.message()),
        (Code::Application, "boom")
    );
    let status = client
        .call::<(), ()>("Test", "panic", &())
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Internal, "{status}");
    assert!(status.message().contains("fell over"), "{status}");

    // A JSON payload announced as msgpack, and a codec the types lack.
    let mut raw = support::raw(&server).await;
    let mut wrong_codec = support::request(1, "sleep", b"\"not msgpack\"");
    wrong_codec.codec = Codec::MsgPack;
    support::write_frame(&mut raw, &wrong_codec).await;
    assert_eq!(response_code(&mut raw).await, Code::BadRequest);
    let mut raw_codec = support::request(2, "sleep", b"12");
    raw_codec.codec = Codec::Raw;
    support::write_frame(&mut raw, &raw_codec).await;
    assert_eq!(response_code(&mut raw).await, Code::UnsupportedCodec);
    // Through the client, an explicit codec the types do not support is
    // refused before anything is sent (dynamic calls are serde-only).
    let status = client
        .call_with::<u64, u64>(
            "Test",
            "sleep",
            &1,
            CallOptions::new().codec(Codec::Protobuf),
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::UnsupportedCodec, "{status}");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_with_payload_too_large() {
    let (server, _) = support::start(Server::builder().max_payload_size(1 << 20)).await;
    let bomb = Compression::Zstd.compress(&vec![b' '; 64 << 20]).unwrap();
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    let mut raw = support::raw(&server).await;
    let frame = Frame {
        request_id: 1,
        codec: Codec::Json,
        compression: Compression::Zstd,
        message: Message::Request(Request {
            service: "Test".into(),
            method: "echo".into(),
            payload: bomb,
            ..Default::default()
        }),
    };
    support::write_frame(&mut raw, &frame).await;
    assert_eq!(response_code(&mut raw).await, Code::PayloadTooLarge);
    // The connection survives a refused call.
    support::write_frame(&mut raw, &support::request(2, "sleep", b"0")).await;
    assert_eq!(response_code(&mut raw).await, Code::Ok);
    server.shutdown_and_wait().await;
}

async fn response_code(raw: &mut tokio::net::TcpStream) -> Code {
    let frame = tokio::time::timeout(Duration::from_secs(10), support::read_frame(raw))
        .await
        .expect("answered")
        .expect("a frame");
    match frame.message {
        Message::Response(response) => response.code,
        other => panic!("expected a response, got {other:?}"),
    }
}
