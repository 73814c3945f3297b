//! Circuit breakers against real servers: a half-open probe whose future is
//! dropped does not shut the endpoint out, only one probe runs at a time
//! however many callers race for it, and a breaker also opens on a failure
//! ratio when failures never come in a row.

mod cluster;

use std::collections::HashMap;
use std::time::Duration;

use cluster::{Behaviour, Cluster, First, whoami};
use rpc_client::xclient::BreakerState;
use rpc_client::{BreakerConfig, CallOptions, FailMode, XClient};

const OPEN_FOR: Duration = Duration::from_millis(300);

/// Node indexes in the order the `First` selector sees them (by address).
fn by_address(cluster: &Cluster) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cluster.nodes.len()).collect();
    order.sort_by_key(|&i| cluster.nodes[i].endpoint.id());
    order
}

/// Failfast through the `First` selector: every call goes to the first
/// endpoint by address whose breaker lets it, else to the next.
async fn xclient(cluster: &Cluster, breaker: BreakerConfig) -> XClient {
    XClient::builder("Node", cluster.registry.clone())
        .selector(First)
        .fail_mode(FailMode::Failfast)
        .breaker(breaker)
        .build()
        .await
        .unwrap()
}

fn state_of(x: &XClient, cluster: &Cluster, node: usize) -> BreakerState {
    let states: HashMap<String, BreakerState> = x.breaker_states().into_iter().collect();
    states[&cluster.nodes[node].endpoint.id()]
}

/// Opens `node`'s breaker (one failure opens it) and waits until it is
/// half-open.
async fn open_then_half_open(x: &XClient, cluster: &Cluster, node: usize) {
    cluster.nodes[node].set(Behaviour::Overloaded);
    let status = whoami(x, "k", CallOptions::new()).await.unwrap_err();
    assert_eq!(status.code(), rpc_core::Code::Overloaded);
    assert!(matches!(
        state_of(x, cluster, node),
        BreakerState::Open { .. }
    ));
    tokio::time::sleep(OPEN_FOR + Duration::from_millis(50)).await;
    assert_eq!(
        state_of(x, cluster, node),
        BreakerState::HalfOpen { probing: false }
    );
}

fn one_failure_opens() -> BreakerConfig {
    BreakerConfig::builder()
        .failures(1)
        .open_for(OPEN_FOR)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_dropped_probe_leaves_the_endpoint_to_be_probed_again() {
    let cluster = Cluster::start(&[1, 1]).await;
    let order = by_address(&cluster);
    let (sick, healthy) = (order[0], order[1]);
    let x = xclient(&cluster, one_failure_opens()).await;
    open_then_half_open(&x, &cluster, sick).await;

    // The probe goes to the sick node, which hangs; the caller gives up and
    // drops the call's future mid-probe.
    cluster.nodes[sick].set(Behaviour::Hang);
    let options = CallOptions::new().timeout(Duration::from_secs(30));
    let probe = tokio::time::timeout(Duration::from_millis(100), whoami(&x, "k", options)).await;
    assert!(probe.is_err(), "the probe hung until dropped");
    assert_eq!(cluster.nodes[sick].calls(), 2);

    // The node recovers. Within another open period a probe reaches it
    // and closes its breaker.
    cluster.nodes[sick].set(Behaviour::Answer);
    tokio::time::sleep(OPEN_FOR + Duration::from_millis(50)).await;
    let mut answered = Vec::new();
    for _ in 0..5 {
        answered.push(whoami(&x, "k", CallOptions::new()).await.unwrap());
    }
    assert_eq!(
        answered[0], cluster.nodes[sick].name,
        "the endpoint is probed again: {answered:?} (healthy node is {})",
        cluster.nodes[healthy].name
    );
    assert_eq!(
        state_of(&x, &cluster, sick),
        BreakerState::Closed { failures: 0 }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_one_probe_at_a_time_under_concurrent_callers() {
    let cluster = Cluster::start(&[1, 1]).await;
    let order = by_address(&cluster);
    let (sick, healthy) = (order[0], order[1]);
    let x = xclient(&cluster, one_failure_opens()).await;
    // Connect to both nodes first so that no caller waits on a connect.
    whoami(&x, "k", CallOptions::new()).await.unwrap();
    open_then_half_open(&x, &cluster, sick).await;
    let sick_calls_before = cluster.nodes[sick].calls();

    // The probe is slow: every caller racing for the half-open endpoint
    // meanwhile must go to the healthy one.
    cluster.nodes[sick].set(Behaviour::Sleep(Duration::from_millis(500)));
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(64));
    let callers: Vec<_> = (0..64)
        .map(|_| {
            let x = x.clone();
            let barrier = std::sync::Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                whoami(&x, "k", CallOptions::new()).await
            })
        })
        .collect();
    let mut answers: HashMap<String, usize> = HashMap::new();
    for caller in callers {
        *answers.entry(caller.await.unwrap().unwrap()).or_default() += 1;
    }
    assert_eq!(
        cluster.nodes[sick].calls() - sick_calls_before,
        1,
        "one probe: {answers:?}"
    );
    assert_eq!(answers[&cluster.nodes[sick].name], 1);
    assert_eq!(answers[&cluster.nodes[healthy].name], 63);
    assert_eq!(
        state_of(&x, &cluster, sick),
        BreakerState::Closed { failures: 0 },
        "the probe succeeded"
    );
}

#[tokio::test]
async fn a_failure_ratio_opens_a_breaker_that_never_sees_failures_in_a_row() {
    let cluster = Cluster::start(&[1, 1]).await;
    let order = by_address(&cluster);
    let (flaky, healthy) = (order[0], order[1]);
    cluster.nodes[flaky].set(Behaviour::Flaky);
    let x = xclient(
        &cluster,
        BreakerConfig::builder()
            .failures(3)
            .failure_ratio(0.5)
            .min_calls(10)
            .window(Duration::from_secs(30))
            .open_for(Duration::from_secs(30))
            .build()
            .unwrap(),
    )
    .await;
    // Failure, success, failure…: never two in a row, half of them failed.
    let mut failed = 0;
    for _ in 0..10 {
        if whoami(&x, "k", CallOptions::new()).await.is_err() {
            failed += 1;
        }
    }
    assert_eq!((cluster.nodes[flaky].calls(), failed), (10, 5));
    assert!(matches!(
        state_of(&x, &cluster, flaky),
        BreakerState::Open { .. }
    ));
    for _ in 0..10 {
        assert_eq!(
            whoami(&x, "k", CallOptions::new()).await.unwrap(),
            cluster.nodes[healthy].name
        );
    }
    assert_eq!(cluster.nodes[flaky].calls(), 10, "out while open");
}
