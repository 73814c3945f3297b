//! A caller that gives up sends a cancel frame, and the server stops that
//! call's handler long before its deadline.

mod support;

use std::time::Duration;

use rpc_client::{CallOptions, ClientConfig};
use rpc_core::frame::{Frame, Message};
use rpc_core::server::Server;
use support::Counters;

#[tokio::test]
async fn dropping_a_call_cancels_its_handler() {
    let (server, counters) = support::start(Server::builder()).await;
    let client = support::client(&server, ClientConfig::default());
    // A 60 s budget: only the cancel frame can stop this handler soon.
    let options = CallOptions::new().timeout(Duration::from_secs(60));
    let call = client.call_with::<u64, u64>("Test", "sleep", &60_000, options);
    let gave_up = tokio::time::timeout(Duration::from_millis(200), call).await;
    assert!(gave_up.is_err(), "the call was still running");
    for _ in 0..500 {
        if Counters::get(&counters.abandoned) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(Counters::get(&counters.started), 1);
    assert_eq!(
        Counters::get(&counters.abandoned),
        1,
        "the handler was cancelled"
    );
    // The connection is still good for other calls.
    let zero: u64 = client.call("Test", "sleep", &0u64).await.unwrap();
    assert_eq!(zero, 0);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_cancelled_call_gets_no_response() {
    let (server, counters) = support::start(Server::builder()).await;
    let mut raw = support::raw(&server).await;
    support::write_frame(&mut raw, &support::request(3, "sleep", b"60000")).await;
    for _ in 0..500 {
        if Counters::get(&counters.started) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    support::write_frame(&mut raw, &Frame::control(3, Message::Cancel)).await;
    support::write_frame(&mut raw, &Frame::control(4, Message::Ping)).await;
    let next = support::read_frame(&mut raw).await.expect("a frame");
    assert_eq!((next.request_id, next.message), (4, Message::Pong));
    server.shutdown_and_wait().await;
}
