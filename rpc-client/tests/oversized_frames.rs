//! A frame larger than its receiver accepts fails its own call alone: the
//! receiver answers from the header and discards the body unbuffered, and
//! every other call multiplexed on the connection goes on.

mod support;

use std::time::Duration;

use bytes::Bytes;
use rpc_client::{CallOptions, ClientConfig};
use rpc_core::Code;
use rpc_core::server::Server;

const SMALL: u32 = 64 * 1024;

#[tokio::test]
async fn an_oversized_request_fails_alone_and_the_connection_serves_on() {
    let (server, _) = support::start(Server::builder().max_frame_size(SMALL)).await;
    // The client accepts larger frames than the server: it cannot know the
    // server's limit, so only the server can refuse.
    let client = support::client(&server, ClientConfig::default());
    client.connect().await.unwrap();

    let others: Vec<_> = (0..50u64)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .call::<u64, u64>("Test", "sleep", &(20 + i % 5))
                    .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let poison = client
        .call_bytes(
            "Test",
            "echo",
            Bytes::from(vec![7u8; 4 * SMALL as usize]),
            CallOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(poison.code(), Code::PayloadTooLarge, "{poison}");
    assert!(
        !poison.is_retryable(),
        "about the request, not the endpoint"
    );

    let mut failed = 0;
    for other in others {
        if other.await.unwrap().is_err() {
            failed += 1;
        }
    }
    assert_eq!(
        failed, 0,
        "calls sharing the connection with the oversized one"
    );
    let after = client
        .call_bytes(
            "Test",
            "echo",
            Bytes::from_static(b"fits"),
            CallOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(&after.payload[..], b"fits");
    assert!(client.is_connected());
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn an_oversized_reply_fails_its_call_alone_on_the_client() {
    let (server, _) = support::start(Server::builder()).await;
    let client = support::client(
        &server,
        ClientConfig::builder()
            .max_frame_size(SMALL)
            .build()
            .unwrap(),
    );
    let others: Vec<_> = (0..20u64)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.call::<u64, u64>("Test", "sleep", &30).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let refused = client
        .call_bytes(
            "Test",
            "fill",
            Bytes::from((2 * SMALL).to_string()),
            CallOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::PayloadTooLarge, "{refused}");
    for other in others {
        assert_eq!(other.await.unwrap().unwrap(), 30);
    }
    assert!(client.is_connected());
    server.shutdown_and_wait().await;
}
