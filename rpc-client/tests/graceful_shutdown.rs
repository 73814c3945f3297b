//! Graceful shutdown: no new connections; calls in flight finish within the
//! grace period or are answered `cancelled`; none is left without an answer.

mod support;

use std::time::Duration;

use futures_util::future::join_all;
use rpc_client::{CallOptions, ClientConfig};
use rpc_core::Code;
use rpc_core::server::Server;
use support::Counters;

#[tokio::test]
async fn calls_in_flight_are_answered_or_cancelled_then_the_server_stops() {
    let builder = Server::builder().grace_period(Duration::from_millis(500));
    let (server, counters) = support::start(builder).await;
    let client = support::client(&server, ClientConfig::default());
    let long = CallOptions::new().timeout(Duration::from_secs(60));
    let short_calls: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            let options = long.clone();
            tokio::spawn(async move {
                client
                    .call_with::<u64, u64>("Test", "sleep", &200, options)
                    .await
            })
        })
        .collect();
    let long_calls: Vec<_> = (0..5)
        .map(|_| {
            let client = client.clone();
            let options = long.clone();
            tokio::spawn(async move {
                client
                    .call_with::<u64, u64>("Test", "sleep", &60_000, options)
                    .await
            })
        })
        .collect();
    for _ in 0..1000 {
        if Counters::get(&counters.started) == 25 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(Counters::get(&counters.started), 25);

    let addr = server.local_addr().unwrap();
    server.shutdown();
    server.stopped().await;

    for result in join_all(short_calls).await {
        let reply = result.unwrap().expect("finished within the grace period");
        assert_eq!(reply.value, 200);
    }
    for result in join_all(long_calls).await {
        let status = result
            .unwrap()
            .expect_err("cancelled at the end of the grace period");
        assert_eq!(status.code(), Code::Cancelled, "{status}");
    }
    assert_eq!(Counters::get(&counters.finished), 20);
    assert_eq!(Counters::get(&counters.abandoned), 5);
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
}

#[tokio::test]
async fn a_draining_connection_refuses_new_calls_as_unavailable() {
    let builder = Server::builder().grace_period(Duration::from_secs(5));
    let (server, counters) = support::start(builder).await;
    let client = support::client(&server, ClientConfig::default());
    let busy = {
        let client = client.clone();
        tokio::spawn(async move { client.call::<u64, u64>("Test", "sleep", &300).await })
    };
    for _ in 0..1000 {
        if Counters::get(&counters.started) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.shutdown();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let status = client
        .call::<u64, u64>("Test", "sleep", &0)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    assert_eq!(busy.await.unwrap().unwrap(), 300);
    server.stopped().await;
}
