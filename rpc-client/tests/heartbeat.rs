//! Heartbeats: the server answers pings, and a client whose server has gone
//! silent fails its calls with `unavailable` at once, not at their timeouts.

mod support;

use std::time::Duration;

use rpc_client::{CallOptions, Client, ClientConfig, Target};
use rpc_core::Code;
use rpc_core::frame::{Frame, Message};
use rpc_core::server::Server;
use tokio::io::AsyncReadExt;

#[tokio::test]
async fn the_server_answers_a_ping_with_a_pong_of_the_same_id() {
    let (server, _) = support::start(Server::builder()).await;
    let mut raw = support::raw(&server).await;
    support::write_frame(&mut raw, &Frame::control(0xDEAD_BEEF, Message::Ping)).await;
    let pong = support::read_frame(&mut raw).await.expect("a pong");
    assert_eq!(
        (pong.request_id, pong.message),
        (0xDEAD_BEEF, Message::Pong)
    );
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_silent_server_is_detected_and_in_flight_calls_fail_at_once() {
    // A "server" that accepts, reads everything, and never writes a byte.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut sink = [0u8; 4096];
        while let Ok(n) = socket.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    });
    let config = ClientConfig::builder()
        .heartbeat_interval(Duration::from_millis(50))
        .heartbeat_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let client = Client::with_config(Target::Tcp(addr.to_string()), config);
    // The call's own timeout is a minute: only the heartbeat can end it early.
    let options = CallOptions::new().timeout(Duration::from_secs(60));
    let started = std::time::Instant::now();
    let status = client
        .call_with::<u64, u64>("Test", "sleep", &0, options)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    assert!(status.is_retryable());
    assert!(status.message().contains("heartbeat"), "{status}");
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(!client.is_connected());
}
