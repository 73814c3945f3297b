//! "No more retry" travels up a call chain: a middle tier whose own calls
//! gave up after their retries answers with the mark, and its caller does
//! not retry it either.

mod cluster;

use cluster::relay::{relay_whoami, start_relays};
use cluster::{Behaviour, Cluster};
use rpc_client::{BreakerConfig, FailMode, XClient};
use rpc_core::Code;

fn no_breaking() -> BreakerConfig {
    BreakerConfig::builder().failures(0).build().unwrap()
}

#[tokio::test]
async fn a_middle_tier_that_exhausted_its_retries_is_not_retried() {
    // Bottom: two nodes, always overloaded.
    let bottom = Cluster::start(&[1, 1]).await;
    for node in &bottom.nodes {
        node.set(Behaviour::Overloaded);
    }
    let downstream = XClient::builder("Node", bottom.registry.clone())
        .fail_mode(FailMode::Failover { retries: 2 })
        .breaker(no_breaking())
        .build()
        .await
        .unwrap();
    // Middle: two relays calling the bottom with failover.
    let registry = rpc_registry::MemoryRegistry::new();
    let relays = start_relays(2, &registry, &downstream).await;
    // Top: failover over the relays.
    let top = XClient::builder("Relay", registry.clone())
        .fail_mode(FailMode::Failover { retries: 2 })
        .breaker(no_breaking())
        .build()
        .await
        .unwrap();

    let status = relay_whoami(&top, "k").await.unwrap_err();
    assert_eq!(status.code(), Code::Overloaded);
    let relay_calls: usize = relays.iter().map(|relay| relay.calls()).sum();
    assert_eq!(relay_calls, 1, "the top did not retry the middle tier");
    assert_eq!(
        bottom.calls().iter().sum::<usize>(),
        3,
        "the middle tier tried once and retried twice"
    );
}
