//! The built-in `rpc.Health` service over the real protocol, and the
//! XClient's health checks: an endpoint whose server says the service is
//! not serving is skipped until it says serving again.

mod cluster;

use std::time::{Duration, Instant};

use cluster::{Cluster, First, whoami};
use rpc_client::{CallOptions, Client, FailMode, XClient, XClientConfig};
use rpc_core::server::{HealthCheckReply, HealthCheckRequest, HealthStatus};

async fn check(client: &Client, service: &str, codec: rpc_codec::Codec) -> HealthStatus {
    let request = HealthCheckRequest {
        service: service.to_owned(),
    };
    let options = CallOptions::new().codec(codec);
    rpc_client::typed::call_dynamic::<_, _, HealthCheckReply>(
        client,
        "rpc.Health",
        "Check",
        &request,
        options,
    )
    .await
    .unwrap()
    .value
    .status
}

#[tokio::test]
async fn health_answers_per_service_in_json_and_msgpack() {
    let cluster = Cluster::start(&[1]).await;
    let node = &cluster.nodes[0];
    let client = Client::new(node.handle.local_addr().unwrap().to_string());
    for codec in [rpc_codec::Codec::Json, rpc_codec::Codec::MsgPack] {
        assert_eq!(check(&client, "Node", codec).await, HealthStatus::Serving);
        assert_eq!(check(&client, "", codec).await, HealthStatus::Serving);
        assert_eq!(
            check(&client, "Nope", codec).await,
            HealthStatus::ServiceUnknown
        );
    }
    node.handle.health().set_serving("Node", false);
    assert_eq!(
        check(&client, "Node", rpc_codec::Codec::MsgPack).await,
        HealthStatus::NotServing
    );
}

/// Calls until `node` answers, or fails after 10 s.
async fn until_answered_by(x: &XClient, node: &str) {
    let start = Instant::now();
    while whoami(x, "k", CallOptions::new()).await.unwrap() != node {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "calls never went to {node}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_xclient_skips_an_endpoint_that_reports_not_serving() {
    let cluster = Cluster::start(&[1, 1]).await;
    let mut order: Vec<usize> = (0..2).collect();
    order.sort_by_key(|&i| cluster.nodes[i].endpoint.id());
    let (first, second) = (&cluster.nodes[order[0]], &cluster.nodes[order[1]]);
    let x = XClient::builder("Node", cluster.registry.clone())
        .config(
            XClientConfig::builder()
                .health_check(Duration::from_millis(50))
                .build()
                .unwrap(),
        )
        .selector(First)
        .fail_mode(FailMode::Failfast)
        .build()
        .await
        .unwrap();
    // `First` always takes the first endpoint while it is available.
    for _ in 0..5 {
        assert_eq!(
            whoami(&x, "k", CallOptions::new()).await.unwrap(),
            first.name
        );
    }

    first.handle.health().set_serving("Node", false);
    until_answered_by(&x, &second.name).await;
    let calls_before = first.calls();
    for _ in 0..20 {
        assert_eq!(
            whoami(&x, "k", CallOptions::new()).await.unwrap(),
            second.name
        );
    }
    assert_eq!(
        first.calls(),
        calls_before,
        "a not-serving endpoint got calls"
    );

    first.handle.health().set_serving("Node", true);
    until_answered_by(&x, &first.name).await;
}
