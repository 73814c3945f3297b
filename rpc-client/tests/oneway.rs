//! Oneway calls run on the server and get no reply.

mod support;

use std::time::Duration;

use rpc_client::{CallOptions, ClientConfig};
use rpc_core::frame::{Frame, Message};
use rpc_core::server::Server;
use support::Counters;

#[tokio::test]
async fn oneway_calls_run_and_are_not_answered() {
    let (server, counters) = support::start(Server::builder()).await;
    let client = support::client(&server, ClientConfig::default());
    for _ in 0..5 {
        client
            .oneway("Test", "record", &(), CallOptions::new())
            .await
            .unwrap();
    }
    for _ in 0..500 {
        if Counters::get(&counters.oneway) == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(Counters::get(&counters.oneway), 5);

    // On the wire: after a oneway frame and a ping, the next frame is the pong.
    let mut raw = support::raw(&server).await;
    let mut oneway = support::request(0, "record", b"null");
    if let Message::Request(request) = oneway.message {
        oneway.message = Message::Oneway(request);
    }
    support::write_frame(&mut raw, &oneway).await;
    support::write_frame(&mut raw, &Frame::control(77, Message::Ping)).await;
    let next = support::read_frame(&mut raw).await.expect("a frame");
    assert_eq!(next.message, Message::Pong);
    assert_eq!(next.request_id, 77);
    server.shutdown_and_wait().await;
}
