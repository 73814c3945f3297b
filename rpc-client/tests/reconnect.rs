//! A connection that dies fails its calls with `unavailable` at once, and
//! the next call connects again, also to a restarted server.

mod support;

use std::time::Duration;

use rpc_client::{CallOptions, Client, ClientConfig, Target};
use rpc_core::Code;
use rpc_core::server::Server;

#[tokio::test]
async fn the_client_reconnects_after_a_server_restart() {
    let (server, _) =
        support::start(Server::builder().grace_period(Duration::from_millis(100))).await;
    let addr = server.local_addr().unwrap();
    let client = support::client(&server, ClientConfig::default());
    let one: u64 = client.call("Test", "sleep", &1u64).await.unwrap();
    assert_eq!(one, 1);

    server.shutdown_and_wait().await;
    let status = client
        .call::<u64, u64>("Test", "sleep", &1)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status}");

    // Same address, new server process state.
    let restarted = Server::builder()
        .service(support::TestService::default())
        .bind(addr)
        .await
        .expect("rebind the same port");
    let mut answer = None;
    for _ in 0..100 {
        match client.call::<u64, u64>("Test", "sleep", &2).await {
            Ok(value) => {
                answer = Some(value);
                break;
            }
            // Backing off between connect attempts: wait and try again.
            Err(status) if status.code() == Code::Unavailable => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(status) => panic!("{status}"),
        }
    }
    assert_eq!(answer, Some(2));
    restarted.shutdown_and_wait().await;
}

#[tokio::test]
async fn calls_in_flight_fail_at_once_when_the_connection_drops() {
    // A server that accepts, waits for the request bytes, then hangs up.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 64];
        let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buf).await;
        drop(socket);
    });
    let client = Client::with_config(Target::Tcp(addr.to_string()), ClientConfig::default());
    let options = CallOptions::new().timeout(Duration::from_secs(60));
    let status = client
        .call_with::<u64, u64>("Test", "sleep", &0, options)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    assert!(status.message().contains("closed"), "{status}");
}

#[tokio::test]
async fn connecting_to_nothing_backs_off() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let config = ClientConfig::builder()
        .reconnect_backoff(Duration::from_secs(30))
        .build()
        .unwrap();
    let client = Client::with_config(Target::Tcp(addr.to_string()), config);
    let first = client
        .call::<u64, u64>("Test", "sleep", &0)
        .await
        .unwrap_err();
    assert_eq!(first.code(), Code::Unavailable);
    // Within the backoff window the client does not even try.
    let second = client
        .call::<u64, u64>("Test", "sleep", &0)
        .await
        .unwrap_err();
    assert_eq!(second.code(), Code::Unavailable);
    assert!(second.message().contains("next attempt"), "{second}");
}
