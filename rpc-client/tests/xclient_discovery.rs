//! The XClient follows discovery: an endpoint killed under load costs no
//! call with failover, an added endpoint starts receiving calls, inactive
//! endpoints and other groups are skipped, and circuit breakers take a
//! failing endpoint out and let it back.

mod cluster;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cluster::{Behaviour, Cluster, whoami};
use rpc_client::xclient::BreakerState;
use rpc_client::{BreakerConfig, CallOptions, FailMode, SelectMode, XClient};
use rpc_registry::{EndpointMetadata, Registry};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_killed_under_load_costs_no_call_with_failover() {
    let cluster = Cluster::start(&[1, 1, 1]).await;
    let x = XClient::builder("Node", cluster.registry.clone())
        .select_mode(SelectMode::RoundRobin)
        .fail_mode(FailMode::Failover { retries: 2 })
        .build()
        .await
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let callers: Vec<_> = (0..20)
        .map(|_| {
            let x = x.clone();
            let stop = Arc::clone(&stop);
            tokio::spawn(async move {
                let (mut ok, mut failed) = (0usize, Vec::new());
                while !stop.load(Ordering::Relaxed) {
                    match whoami(&x, "k", CallOptions::new()).await {
                        Ok(_) => ok += 1,
                        Err(status) => failed.push(status),
                    }
                }
                (ok, failed)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Crash-like: the server goes away while it is still registered.
    cluster.nodes[1].handle.shutdown_and_wait().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut total_ok = 0;
    for caller in callers {
        let (ok, failed) = caller.await.unwrap();
        assert!(failed.is_empty(), "failed calls: {failed:?}");
        total_ok += ok;
    }
    assert!(total_ok > 100, "{total_ok} calls made");
    let calls_after = cluster.nodes[1].calls();
    let more = whoami(&x, "k", CallOptions::new()).await;
    assert!(more.is_ok());
    assert_eq!(
        cluster.nodes[1].calls(),
        calls_after,
        "the dead node gets nothing more"
    );
}

#[tokio::test]
async fn an_added_endpoint_starts_receiving_calls_and_a_removed_one_stops() {
    let mut cluster = Cluster::start(&[1, 1]).await;
    let x = XClient::builder("Node", cluster.registry.clone())
        .select_mode(SelectMode::RoundRobin)
        .build()
        .await
        .unwrap();
    assert_eq!(x.endpoints().len(), 2);
    cluster.add(EndpointMetadata::new()).await;
    for _ in 0..100 {
        if x.endpoints().len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for _ in 0..30 {
        whoami(&x, "k", CallOptions::new()).await.unwrap();
    }
    assert!(cluster.nodes[2].calls() >= 9, "{:?}", cluster.calls());

    let removed = cluster.nodes[0].endpoint.clone();
    cluster.registry.deregister("Node", &removed).await.unwrap();
    for _ in 0..100 {
        if x.endpoints().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before = cluster.nodes[0].calls();
    for _ in 0..30 {
        whoami(&x, "k", CallOptions::new()).await.unwrap();
    }
    assert_eq!(cluster.nodes[0].calls(), before);
}

#[tokio::test]
async fn inactive_endpoints_and_other_groups_are_skipped() {
    let mut cluster = Cluster::start(&[]).await;
    cluster
        .add(EndpointMetadata::new().with("group", "blue"))
        .await;
    cluster
        .add(
            EndpointMetadata::new()
                .with("group", "blue")
                .with("state", "inactive"),
        )
        .await;
    cluster
        .add(EndpointMetadata::new().with("group", "green"))
        .await;
    let blue = XClient::builder("Node", cluster.registry.clone())
        .group("blue")
        .build()
        .await
        .unwrap();
    assert_eq!(blue.endpoints(), [cluster.nodes[0].endpoint.id()]);
    let all = XClient::builder("Node", cluster.registry.clone())
        .build()
        .await
        .unwrap();
    assert_eq!(all.endpoints().len(), 2, "the inactive one is skipped");
    for _ in 0..10 {
        assert_eq!(whoami(&blue, "k", CallOptions::new()).await.unwrap(), "n0");
    }
}

#[tokio::test]
async fn a_circuit_breaker_opens_half_opens_and_closes() {
    let cluster = Cluster::start(&[1, 1]).await;
    let x = XClient::builder("Node", cluster.registry.clone())
        .select_mode(SelectMode::RoundRobin)
        .fail_mode(FailMode::Failfast)
        .breaker(
            BreakerConfig::builder()
                .failures(2)
                .open_for(Duration::from_millis(300))
                .build()
                .unwrap(),
        )
        .build()
        .await
        .unwrap();
    let sick = &cluster.nodes[0];
    sick.set(Behaviour::Overloaded);
    for _ in 0..4 {
        let _ = whoami(&x, "k", CallOptions::new()).await;
    }
    let states: HashMap<String, BreakerState> = x.breaker_states().into_iter().collect();
    assert!(
        matches!(states[&sick.endpoint.id()], BreakerState::Open { .. }),
        "{states:?}"
    );
    // While open, every call goes to the healthy node.
    let before = sick.calls();
    for _ in 0..20 {
        assert_eq!(whoami(&x, "k", CallOptions::new()).await.unwrap(), "n1");
    }
    assert_eq!(sick.calls(), before);

    // After the open period one probe goes through; it succeeds, the breaker closes.
    sick.set(Behaviour::Answer);
    tokio::time::sleep(Duration::from_millis(350)).await;
    let states: HashMap<String, BreakerState> = x.breaker_states().into_iter().collect();
    assert_eq!(
        states[&sick.endpoint.id()],
        BreakerState::HalfOpen { probing: false }
    );
    let mut answered = Vec::new();
    for _ in 0..10 {
        answered.push(whoami(&x, "k", CallOptions::new()).await.unwrap());
    }
    assert!(answered.iter().any(|name| name == "n0"), "{answered:?}");
    let states: HashMap<String, BreakerState> = x.breaker_states().into_iter().collect();
    assert_eq!(
        states[&sick.endpoint.id()],
        BreakerState::Closed { failures: 0 }
    );
}

#[tokio::test]
async fn tower_layers_stack_on_an_xclient() {
    use tower::{Service, ServiceBuilder, ServiceExt};
    let cluster = Cluster::start(&[1, 1]).await;
    let x = XClient::builder("Node", cluster.registry.clone())
        .build()
        .await
        .unwrap();
    let mut service = ServiceBuilder::new()
        .concurrency_limit(4)
        .map_err(|status: rpc_core::Status| status.to_string())
        .service(x);
    let request = rpc_client::RawRequest {
        service: "Node".into(),
        method: "whoami".into(),
        codec: rpc_codec::Codec::Json,
        payload: "\"k\"".into(),
        options: CallOptions::new(),
    };
    let mut answers = Vec::new();
    for _ in 0..4 {
        let reply = service
            .ready()
            .await
            .unwrap()
            .call(request.clone())
            .await
            .unwrap();
        answers.push(String::from_utf8(reply.payload.to_vec()).unwrap());
    }
    answers.sort();
    assert_eq!(answers, ["\"n0\"", "\"n0\"", "\"n1\"", "\"n1\""]);
}
