//! Metadata beyond the server's limits (entries, bytes, empty keys) is
//! refused for its call alone, before it is parsed entry by entry.

mod support;

use std::time::Duration;

use bytes::BytesMut;
use rpc_client::{CallOptions, ClientConfig};
use rpc_core::frame::{Frame, FrameCodec, Message, MetadataLimits};
use rpc_core::server::Server;
use rpc_core::{Code, Metadata};
use tokio::io::AsyncWriteExt;

fn request_with(id: u32, metadata: Metadata) -> Frame {
    let mut frame = support::request(id, "sleep", b"0");
    if let Message::Request(request) = &mut frame.message {
        request.metadata = metadata;
    }
    frame
}

async fn answer(raw: &mut tokio::net::TcpStream) -> (u32, Code) {
    let frame = tokio::time::timeout(Duration::from_secs(10), support::read_frame(raw))
        .await
        .expect("answered in time")
        .expect("a frame, not a closed connection");
    match frame.message {
        Message::Response(response) => (frame.request_id, response.code),
        other => panic!("expected a response, got {other:?}"),
    }
}

#[tokio::test]
async fn too_many_entries_too_many_bytes_and_empty_keys_are_refused_per_call() {
    let (server, _) = support::start(Server::builder()).await;
    let mut raw = support::raw(&server).await;

    let flood: Metadata = (0..u16::MAX).map(|_| ("k", "")).collect();
    support::write_frame(&mut raw, &request_with(1, flood)).await;
    assert_eq!(answer(&mut raw).await, (1, Code::BadRequest));

    let heavy: Metadata = (0..4)
        .map(|i| (format!("k{i}"), "v".repeat(8 * 1024)))
        .collect();
    support::write_frame(&mut raw, &request_with(2, heavy)).await;
    assert_eq!(answer(&mut raw).await, (2, Code::BadRequest));

    // No encoder writes an empty key: cut the one-byte key "x" out by hand.
    let one_key: Metadata = [("x", "v")].into_iter().collect();
    let mut frame = BytesMut::new();
    FrameCodec::new()
        .encode_frame(&request_with(3, one_key), &mut frame)
        .unwrap();
    let entry = frame
        .windows(6)
        .position(|w| w == [0, 1, b'x', 0, 1, b'v'])
        .unwrap();
    let mut empty_key = frame[..entry].to_vec();
    empty_key.extend_from_slice(&[0, 0, 0, 1, b'v']);
    empty_key.extend_from_slice(&frame[entry + 6..]);
    let length = (empty_key.len() as u32).to_be_bytes();
    empty_key[5..9].copy_from_slice(&length);
    raw.write_all(&empty_key).await.unwrap();
    assert_eq!(answer(&mut raw).await, (3, Code::BadRequest));

    // Within the limits, on the same connection.
    let fine: Metadata = (0..128).map(|i| (format!("k{i}"), "v")).collect();
    support::write_frame(&mut raw, &request_with(4, fine)).await;
    assert_eq!(answer(&mut raw).await, (4, Code::Ok));
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn limits_are_the_servers_to_set() {
    let limits = MetadataLimits::new(2, 64);
    let (server, _) = support::start(Server::builder().metadata_limits(limits)).await;
    let client = support::client(&server, ClientConfig::default());
    let three = CallOptions::new()
        .metadata("a", "1")
        .metadata("b", "2")
        .metadata("c", "3");
    let status = client
        .call_with::<u64, u64>("Test", "sleep", &0, three)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::BadRequest, "{status}");
    assert!(status.message().contains("entries"), "{status}");
    let two = CallOptions::new().metadata("a", "1").metadata("b", "2");
    let reply = client.call_with::<u64, u64>("Test", "sleep", &0, two).await;
    assert_eq!(reply.unwrap().value, 0);
    server.shutdown_and_wait().await;
}
