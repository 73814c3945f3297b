//! The dispatch path is a tower service: layers wrap it, and the auth hook
//! refuses calls without the right token.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rpc_client::{CallOptions, ClientConfig};
use rpc_core::server::Server;
use rpc_core::{Code, Status};
use support::Counters;

#[tokio::test]
async fn the_auth_hook_refuses_calls_without_the_token() {
    let builder = Server::builder().auth(|ctx| match ctx.metadata().get("authorization") {
        Some("Bearer secret") => Ok(()),
        _ => Err(Status::unauthenticated("missing or wrong token")),
    });
    let (server, counters) = support::start(builder).await;
    let client = support::client(&server, ClientConfig::default());
    let status = client
        .call::<u64, u64>("Test", "sleep", &0)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "{status}");
    let wrong = CallOptions::new().metadata("authorization", "Bearer guess");
    let status = client
        .call_with::<u64, u64>("Test", "sleep", &0, wrong)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(Counters::get(&counters.started), 0);
    let right = CallOptions::new().metadata("authorization", "Bearer secret");
    let reply = client
        .call_with::<u64, u64>("Test", "sleep", &7, right)
        .await
        .unwrap();
    assert_eq!(reply.value, 7);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn tower_layers_wrap_the_dispatch_path() {
    let seen = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&seen);
    let builder = Server::builder()
        .layer(tower::timeout::TimeoutLayer::new(Duration::from_millis(
            100,
        )))
        .layer(tower::layer::layer_fn(move |inner| {
            let counted = Arc::clone(&counted);
            tower::util::MapRequest::new(inner, move |call: rpc_core::ServiceCall| {
                counted.fetch_add(1, Ordering::SeqCst);
                call
            })
        }));
    let (server, _) = support::start(builder).await;
    let client = support::client(&server, ClientConfig::default());
    assert_eq!(
        client.call::<u64, u64>("Test", "sleep", &1).await.unwrap(),
        1
    );
    let status = client
        .call_with::<u64, u64>(
            "Test",
            "sleep",
            &5_000,
            CallOptions::new().timeout(Duration::from_secs(60)),
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");
    assert!(status.message().contains("timeout layer"), "{status}");
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    server.shutdown_and_wait().await;
}

/// A layer that makes calls wait for readiness (a concurrency limit without
/// load shedding) must not stop the connection's reader: while the second
/// call waits for the first to finish, a ping on the same connection is
/// answered at once.
#[tokio::test]
async fn a_layer_waiting_for_readiness_does_not_stall_the_connection() {
    use bytes::BytesMut;
    use rpc_core::frame::{Frame, FrameCodec, Message};
    use tokio::io::AsyncReadExt;
    use tokio_util::codec::Decoder;

    let builder = Server::builder().layer(tower::limit::ConcurrencyLimitLayer::new(1));
    let (server, counters) = support::start(builder).await;
    let mut stream = support::raw(&server).await;
    support::write_frame(&mut stream, &support::request(1, "sleep", b"1500")).await;
    support::write_frame(&mut stream, &support::request(2, "sleep", b"0")).await;
    support::write_frame(&mut stream, &Frame::control(99, Message::Ping)).await;

    let mut codec = FrameCodec::new();
    let mut buf = BytesMut::new();
    let mut order = Vec::new();
    while order.len() < 3 {
        if let Some(frame) = codec.decode(&mut buf).expect("valid frame") {
            order.push((frame.request_id, frame.message.message_type().to_string()));
            continue;
        }
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read_buf(&mut buf))
            .await
            .expect("the server answers within 10 s")
            .expect("read");
        assert!(
            n > 0,
            "the server closed the connection; frames so far: {order:?}"
        );
    }
    // The pong first: the reader went on while call 2 waited for the limit.
    assert_eq!(order[0].0, 99, "frames in arrival order: {order:?}");
    assert_eq!(order[1].0, 1, "frames in arrival order: {order:?}");
    assert_eq!(order[2].0, 2, "frames in arrival order: {order:?}");
    assert_eq!(Counters::get(&counters.finished), 2);
    server.shutdown_and_wait().await;
}
