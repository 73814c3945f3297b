//! Each server limit, configured small, holds: beyond it calls get
//! `overloaded` or connections are closed, never an unbounded queue.

mod support;

use std::time::Duration;

use futures_util::future::join_all;
use rpc_client::{CallOptions, ClientConfig};
use rpc_core::Code;
use rpc_core::server::Server;
use support::Counters;

/// Starts `n` sleeps of 60 s on `client` in the background and waits until
/// the server runs `expected` handlers.
async fn occupy(client: &rpc_client::Client, n: usize, counters: &Counters, expected: usize) {
    for _ in 0..n {
        let client = client.clone();
        tokio::spawn(async move {
            let _ = client
                .call_with::<u64, u64>(
                    "Test",
                    "sleep",
                    &60_000,
                    CallOptions::new().timeout(Duration::from_secs(60)),
                )
                .await;
        });
    }
    for _ in 0..1000 {
        if Counters::get(&counters.started) == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the server never ran {expected} handlers");
}

#[tokio::test]
async fn calls_beyond_the_per_connection_limit_are_overloaded() {
    let (server, counters) = support::start(Server::builder().max_calls_per_connection(2)).await;
    let client = support::client(&server, ClientConfig::default());
    occupy(&client, 2, &counters, 2).await;
    let status = client
        .call::<u64, u64>("Test", "sleep", &0)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Overloaded, "{status}");
    assert!(status.is_retryable());
    // Another connection has its own allowance.
    let other = support::client(&server, ClientConfig::default());
    assert_eq!(
        other.call::<u64, u64>("Test", "sleep", &0).await.unwrap(),
        0
    );
    server.shutdown();
}

#[tokio::test]
async fn calls_beyond_the_server_wide_limit_are_overloaded() {
    let (server, counters) = support::start(Server::builder().max_calls(3)).await;
    let first = support::client(&server, ClientConfig::default());
    let second = support::client(&server, ClientConfig::default());
    occupy(&first, 2, &counters, 2).await;
    occupy(&second, 1, &counters, 3).await;
    for client in [&first, &second] {
        let status = client
            .call::<u64, u64>("Test", "sleep", &0)
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Overloaded, "{status}");
    }
    server.shutdown();
}

#[tokio::test]
async fn connections_beyond_the_limit_are_closed() {
    let (server, _) = support::start(Server::builder().max_connections(1)).await;
    let first = support::client(&server, ClientConfig::default());
    assert_eq!(
        first.call::<u64, u64>("Test", "sleep", &0).await.unwrap(),
        0
    );
    let mut second = support::raw(&server).await;
    assert!(support::closed_by_server(&mut second).await);
    let status = support::client(&server, ClientConfig::default())
        .call::<u64, u64>("Test", "sleep", &0)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    assert_eq!(
        first.call::<u64, u64>("Test", "sleep", &1).await.unwrap(),
        1
    );
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn frames_above_the_max_frame_size_fail_their_call_alone() {
    let (server, _) = support::start(Server::builder().max_frame_size(1024)).await;
    let client = support::client(&server, ClientConfig::default());
    let small: Vec<u8> = vec![1; 100];
    let echoed: Vec<u8> = client.call("Test", "echo", &small).await.unwrap();
    assert_eq!(echoed, small);
    let big: Vec<u8> = vec![1; 4096];
    let status = client
        .call::<Vec<u8>, Vec<u8>>("Test", "echo", &big)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PayloadTooLarge, "{status}");
    // The connection stayed.
    assert!(client.is_connected());
    let echoed: Vec<u8> = client.call("Test", "echo", &small).await.unwrap();
    assert_eq!(echoed, small);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn an_idle_connection_is_closed() {
    let (server, _) =
        support::start(Server::builder().idle_timeout(Duration::from_millis(100))).await;
    let mut idle = support::raw(&server).await;
    assert!(support::closed_by_server(&mut idle).await);
    // Heartbeats keep a client's connection from idling out.
    let config = ClientConfig::builder()
        .heartbeat_interval(Duration::from_millis(20))
        .build()
        .unwrap();
    let client = support::client(&server, config);
    client.connect().await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(client.is_connected());
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn the_handler_timeout_caps_every_call() {
    let (server, counters) =
        support::start(Server::builder().handler_timeout(Duration::from_millis(50))).await;
    let client = support::client(&server, ClientConfig::default());
    let status = client
        .call_with::<u64, u64>(
            "Test",
            "sleep",
            &60_000,
            CallOptions::new().timeout(Duration::from_secs(60)),
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");
    assert_eq!(Counters::get(&counters.abandoned), 1);
    // Calls within the limit are unaffected.
    let results = join_all((0..10u64).map(|_| client.call::<u64, u64>("Test", "sleep", &1))).await;
    assert!(results.into_iter().all(|r| r == Ok(1)));
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn the_client_refuses_to_send_a_frame_above_its_own_limit() {
    let (server, _) = support::start(Server::builder()).await;
    let config = ClientConfig::builder()
        .max_frame_size(1024)
        .build()
        .unwrap();
    let client = support::client(&server, config);
    let big: Vec<u8> = vec![1; 4096];
    let status = client
        .call::<Vec<u8>, Vec<u8>>("Test", "echo", &big)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PayloadTooLarge, "{status}");
    assert!(!status.is_retryable());
    // Nothing was sent, and the connection is fine.
    assert_eq!(
        client.call::<u64, u64>("Test", "sleep", &4).await.unwrap(),
        4
    );
    server.shutdown_and_wait().await;
}

/// A service whose wire name no frame can carry.
struct Unnamed;

impl rpc_core::RpcService for Unnamed {
    fn name(&self) -> &'static str {
        ""
    }

    fn methods(&self) -> &'static [&'static str] {
        &[]
    }

    fn call(
        &self,
        call: rpc_core::ServiceCall,
    ) -> rpc_core::BoxFuture<Result<rpc_core::ServiceReply, rpc_core::Status>> {
        rpc_core::dispatch::unknown_method(&call)
    }
}

#[tokio::test]
async fn a_service_with_an_empty_name_is_refused_at_bind() {
    let error = Server::builder()
        .service(Unnamed)
        .bind("127.0.0.1:0")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{error}");
}

/// A `Test.sleep` request whose JSON argument `millis` is padded with
/// whitespace to `len` bytes (JSON allows it): a big request that waits.
fn padded_sleep(id: u32, millis: u64, len: usize) -> rpc_core::frame::Frame {
    let digits = millis.to_string();
    let mut payload = vec![b' '; len - digits.len()];
    payload.extend_from_slice(digits.as_bytes());
    let mut frame = support::request(id, "sleep", b"0");
    if let rpc_core::frame::Message::Request(request) = &mut frame.message {
        request.payload = payload.into();
    }
    frame
}

#[tokio::test]
async fn request_bytes_held_in_flight_are_bounded_server_wide() {
    let (server, _) = support::start(Server::builder().max_inflight_bytes(100_000)).await;
    let mut first = support::raw(&server).await;
    let mut second = support::raw(&server).await;
    support::write_frame(&mut first, &padded_sleep(1, 300, 60_000)).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    // 60 kB are held by the sleeping call: another 60 kB would exceed 100 kB.
    support::write_frame(&mut second, &padded_sleep(2, 0, 60_000)).await;
    let refused = support::read_frame(&mut second).await.expect("an answer");
    assert!(
        matches!(&refused.message, rpc_core::frame::Message::Response(r) if r.code == Code::Overloaded),
        "{refused:?}"
    );
    let done = support::read_frame(&mut first).await.expect("an answer");
    assert!(matches!(&done.message, rpc_core::frame::Message::Response(r) if r.code == Code::Ok));
    // Given back when the call ended.
    support::write_frame(&mut second, &padded_sleep(3, 0, 60_000)).await;
    let fine = support::read_frame(&mut second).await.expect("an answer");
    assert!(matches!(&fine.message, rpc_core::frame::Message::Response(r) if r.code == Code::Ok));
    server.shutdown_and_wait().await;
}
