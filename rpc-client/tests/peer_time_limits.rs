//! A server's time limits on its peers: a frame must arrive whole in time
//! once started (slowloris), a new connection must send its first frame in
//! time, and silent connections are closed; live clients are not.

mod support;

use std::time::Duration;

use rpc_client::ClientConfig;
use rpc_core::frame::{Frame, Message};
use rpc_core::server::{Server, ServerBuilder};
use tokio::io::AsyncWriteExt;

fn strict() -> ServerBuilder {
    Server::builder()
        .frame_timeout(Duration::from_millis(400))
        .first_frame_timeout(Duration::from_millis(400))
        .idle_timeout(Duration::from_millis(800))
}

#[tokio::test]
async fn a_frame_trickling_in_is_cut_off() {
    let (server, _) = support::start(strict()).await;
    let mut frame = bytes::BytesMut::new();
    rpc_core::frame::FrameCodec::new()
        .encode_frame(&support::request(1, "sleep", b"0"), &mut frame)
        .unwrap();
    let mut slow = support::raw(&server).await;
    // One byte every 100 ms: the 43-byte frame would need 4 s.
    let trickle = async {
        for byte in frame.iter() {
            if slow.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    // The writes start failing once the server has closed the connection,
    // long before the whole frame could have been sent.
    tokio::time::timeout(Duration::from_secs(3), trickle)
        .await
        .expect("the server closed the connection before the frame was whole");
    assert!(support::closed_by_server(&mut slow).await);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_connection_that_never_speaks_is_closed() {
    let (server, _) = support::start(strict()).await;
    let mut silent = support::raw(&server).await;
    assert!(support::closed_by_server(&mut silent).await);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_peer_that_falls_silent_is_closed() {
    let (server, _) = support::start(strict()).await;
    let mut quiet = support::raw(&server).await;
    support::write_frame(&mut quiet, &Frame::control(5, Message::Ping)).await;
    let pong = support::read_frame(&mut quiet).await.expect("a pong");
    assert_eq!((pong.request_id, pong.message), (5, Message::Pong));
    assert!(support::closed_by_server(&mut quiet).await);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_client_with_heartbeats_keeps_its_connection() {
    let (server, _) = support::start(strict()).await;
    let client = support::client(
        &server,
        ClientConfig::builder()
            .heartbeat_interval(Duration::from_millis(100))
            .build()
            .unwrap(),
    );
    // Connected, then silent past every limit of the server: the client's
    // first ping and its heartbeats keep the connection.
    client.connect().await.unwrap();
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert!(client.is_connected());
    let reply: u64 = client.call("Test", "sleep", &1u64).await.unwrap();
    assert_eq!(reply, 1);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_long_call_is_not_idle() {
    let (server, _) = support::start(strict()).await;
    let client = support::client(
        &server,
        // No heartbeat within the call: only the running call keeps it open.
        ClientConfig::builder()
            .heartbeat_interval(Duration::from_secs(60))
            .heartbeat_timeout(Duration::from_secs(120))
            .build()
            .unwrap(),
    );
    let reply: u64 = client.call("Test", "sleep", &1500u64).await.unwrap();
    assert_eq!(reply, 1500);
    server.shutdown_and_wait().await;
}
