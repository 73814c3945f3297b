//! Each fail mode against real servers on loopback that fail on purpose:
//! the right number of tries, on the right endpoints, and no retry where
//! retrying is forbidden.

mod cluster;

use std::time::Duration;

use cluster::{Behaviour, Cluster, First, whoami};
use rpc_client::xclient::BackupDelay;
use rpc_client::{CallOptions, FailMode, XClient, XClientConfig};
use rpc_core::Code;
use rpc_registry::Registry;

async fn xclient(cluster: &Cluster, fail_mode: FailMode) -> XClient {
    XClient::builder("Node", cluster.registry.clone())
        .selector(First)
        .fail_mode(fail_mode)
        .build()
        .await
        .unwrap()
}

/// Node indexes in the order the `First` selector sees them (by address).
fn by_address(cluster: &Cluster) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cluster.nodes.len()).collect();
    order.sort_by_key(|&i| cluster.nodes[i].endpoint.id());
    order
}

#[tokio::test]
async fn failfast_tries_once() {
    let cluster = Cluster::start(&[1, 1]).await;
    let order = by_address(&cluster);
    cluster.nodes[order[0]].set(Behaviour::Overloaded);
    let x = xclient(&cluster, FailMode::Failfast).await;
    let status = whoami(&x, "k", CallOptions::new()).await.unwrap_err();
    assert_eq!(status.code(), Code::Overloaded);
    assert_eq!(cluster.calls().iter().sum::<usize>(), 1);
}

#[tokio::test]
async fn failtry_retries_the_same_endpoint() {
    let cluster = Cluster::start(&[1, 1]).await;
    let order = by_address(&cluster);
    let (first, other) = (&cluster.nodes[order[0]], &cluster.nodes[order[1]]);
    first.set(Behaviour::Overloaded);
    let x = xclient(&cluster, FailMode::Failtry { retries: 3 }).await;
    let status = whoami(&x, "k", CallOptions::new()).await.unwrap_err();
    assert_eq!(status.code(), Code::Overloaded);
    assert_eq!(first.calls(), 4, "1 try + 3 retries");
    assert_eq!(first.retries(), 3, "retries carry the retry flag");
    assert_eq!(other.calls(), 0);

    first.set(Behaviour::Answer);
    assert_eq!(
        whoami(&x, "k", CallOptions::new()).await.unwrap(),
        first.name
    );
}

#[tokio::test]
async fn failover_moves_to_another_endpoint() {
    let cluster = Cluster::start(&[1, 1, 1]).await;
    let order = by_address(&cluster);
    cluster.nodes[order[0]].set(Behaviour::Overloaded);
    cluster.nodes[order[1]].set(Behaviour::Overloaded);
    let x = xclient(&cluster, FailMode::Failover { retries: 2 }).await;
    let name = whoami(&x, "k", CallOptions::new()).await.unwrap();
    assert_eq!(name, cluster.nodes[order[2]].name);
    assert_eq!(
        order
            .iter()
            .map(|&i| cluster.nodes[i].calls())
            .collect::<Vec<_>>(),
        [1, 1, 1],
        "each endpoint tried once"
    );
    assert_eq!(cluster.nodes[order[2]].retries(), 1);
}

#[tokio::test]
async fn failover_skips_an_endpoint_that_refuses_connections() {
    let cluster = Cluster::start(&[1]).await;
    let dead = cluster::refusing_endpoint();
    cluster.registry.register("Node", &dead).await.unwrap();
    let x = XClient::builder("Node", cluster.registry.clone())
        .select_mode(rpc_client::SelectMode::RoundRobin)
        .fail_mode(FailMode::Failover { retries: 1 })
        .build()
        .await
        .unwrap();
    for _ in 0..6 {
        assert_eq!(whoami(&x, "k", CallOptions::new()).await.unwrap(), "n0");
    }
}

#[tokio::test]
async fn no_retry_on_application_errors_or_requests_that_are_retries() {
    let cluster = Cluster::start(&[1, 1]).await;
    let order = by_address(&cluster);
    let x = xclient(&cluster, FailMode::Failover { retries: 5 }).await;

    cluster.nodes[order[0]].set(Behaviour::Fail);
    let status = whoami(&x, "k", CallOptions::new()).await.unwrap_err();
    assert_eq!(status.code(), Code::Application);
    assert_eq!(
        cluster.calls().iter().sum::<usize>(),
        1,
        "application errors are final"
    );

    cluster.nodes[order[0]].set(Behaviour::Overloaded);
    let status = whoami(&x, "k", CallOptions::new().retry(true))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Overloaded);
    assert_eq!(
        cluster.calls().iter().sum::<usize>(),
        2,
        "a retried request is not retried again"
    );
}

#[tokio::test]
async fn no_retry_when_the_remaining_budget_is_too_small() {
    let cluster = Cluster::start(&[1, 1]).await;
    let order = by_address(&cluster);
    cluster.nodes[order[0]].set(Behaviour::Overloaded);
    let config = XClientConfig::builder()
        .fail_mode(FailMode::Failover { retries: 5 })
        .min_retry_budget(Duration::from_secs(30))
        .select_mode(rpc_client::SelectMode::Custom(std::sync::Arc::new(First)))
        .build()
        .unwrap();
    let x = XClient::builder("Node", cluster.registry.clone())
        .config(config)
        .build()
        .await
        .unwrap();
    let options = CallOptions::new().timeout(Duration::from_secs(10));
    let status = whoami(&x, "k", options).await.unwrap_err();
    assert_eq!(status.code(), Code::Overloaded);
    assert_eq!(cluster.calls().iter().sum::<usize>(), 1);
}

#[tokio::test]
async fn failbackup_sends_a_second_request_and_cancels_the_slow_one() {
    let cluster = Cluster::start(&[1, 1]).await;
    let order = by_address(&cluster);
    let (slow, fast) = (&cluster.nodes[order[0]], &cluster.nodes[order[1]]);
    slow.set(Behaviour::Hang);
    let x = xclient(
        &cluster,
        FailMode::Failbackup {
            delay: BackupDelay::Fixed(Duration::from_millis(50)),
        },
    )
    .await;
    let options = CallOptions::new().timeout(Duration::from_secs(30));
    assert_eq!(whoami(&x, "k", options).await.unwrap(), fast.name);
    assert_eq!((slow.calls(), fast.calls()), (1, 1));
    assert_eq!(fast.retries(), 1, "the backup is marked as a retry");
    for _ in 0..500 {
        if slow.cancelled() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        slow.cancelled(),
        1,
        "the losing try was cancelled on its server"
    );

    // A first try that answers in time is the only one.
    slow.set(Behaviour::Answer);
    assert_eq!(
        whoami(&x, "k", CallOptions::new()).await.unwrap(),
        slow.name
    );
    assert_eq!(fast.calls(), 1);
}

#[tokio::test]
async fn broadcast_needs_every_endpoint_and_fork_takes_the_first_success() {
    let cluster = Cluster::start(&[1, 1, 1]).await;
    let x = XClient::builder("Node", cluster.registry.clone())
        .build()
        .await
        .unwrap();

    let mut names: Vec<String> = Vec::new();
    let request = rpc_client::RawRequest {
        service: "Node".into(),
        method: "whoami".into(),
        codec: rpc_codec::Codec::Json,
        payload: "\"k\"".into(),
        options: CallOptions::new(),
    };
    for (_, reply) in x.broadcast_raw(request.clone()).await.unwrap() {
        names.push(serde_json_string(&reply.payload));
    }
    names.sort();
    assert_eq!(names, ["n0", "n1", "n2"]);

    cluster.nodes[1].set(Behaviour::Fail);
    let status = whoami(&x.broadcasting(), "k", CallOptions::new())
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Application);
    assert!(
        status.message().contains(&cluster.nodes[1].endpoint.id()),
        "{status}"
    );

    cluster.nodes[0].set(Behaviour::Hang);
    let options = CallOptions::new().timeout(Duration::from_secs(30));
    assert_eq!(whoami(&x.forking(), "k", options).await.unwrap(), "n2");
}

fn serde_json_string(payload: &[u8]) -> String {
    let text = std::str::from_utf8(payload).unwrap();
    text.trim_matches('"').to_owned()
}
