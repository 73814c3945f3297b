//! Metrics through an installed recorder: calls that succeed, fail, are
//! retried on another endpoint, open a breaker, and have their retry refused
//! by the budget are counted on the server, the endpoint clients and the
//! XClient, with the documented names and labels.
//!
//! One test in this file: the recorder is process-wide.

mod cluster;

use std::collections::HashMap;
use std::time::Duration;

use cluster::{Behaviour, Cluster, First, whoami};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use metrics_util::{CompositeKey, MetricKind};
use rpc_client::{BreakerConfig, CallOptions, FailMode, RetryBudgetConfig, XClient};
use rpc_core::Code;

/// Every series of a snapshot: (kind, name, sorted labels) → value.
type Series = HashMap<(MetricKind, String, Vec<(String, String)>), DebugValue>;

fn key(composite: &CompositeKey) -> (MetricKind, String, Vec<(String, String)>) {
    let mut labels: Vec<(String, String)> = composite
        .key()
        .labels()
        .map(|label| (label.key().to_owned(), label.value().to_owned()))
        .collect();
    labels.sort();
    (composite.kind(), composite.key().name().to_owned(), labels)
}

fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut labels: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    labels.sort();
    labels
}

fn counter(series: &Series, name: &str, pairs: &[(&str, &str)]) -> u64 {
    match series.get(&(MetricKind::Counter, name.to_owned(), labels(pairs))) {
        Some(DebugValue::Counter(value)) => *value,
        None => 0,
        Some(other) => panic!("{name} is not a counter: {other:?}"),
    }
}

fn gauge(series: &Series, name: &str, pairs: &[(&str, &str)]) -> f64 {
    match series.get(&(MetricKind::Gauge, name.to_owned(), labels(pairs))) {
        Some(DebugValue::Gauge(value)) => value.into_inner(),
        other => panic!("{name}{pairs:?}: {other:?}"),
    }
}

fn histogram_count(series: &Series, name: &str, pairs: &[(&str, &str)]) -> usize {
    match series.get(&(MetricKind::Histogram, name.to_owned(), labels(pairs))) {
        Some(DebugValue::Histogram(samples)) => samples.len(),
        other => panic!("{name}{pairs:?}: {other:?}"),
    }
}

async fn xclient(cluster: &Cluster, budget: RetryBudgetConfig) -> XClient {
    XClient::builder("Node", cluster.registry.clone())
        .selector(First)
        .fail_mode(FailMode::Failover { retries: 1 })
        .breaker(
            BreakerConfig::builder()
                .failures(2)
                .failure_ratio(None)
                .open_for(Duration::from_secs(60))
                .build()
                .unwrap(),
        )
        .retry_budget(budget)
        .build()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_retries_breakers_and_refusals_are_counted() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder
        .install()
        .expect("the only recorder of this test binary");

    let cluster = Cluster::start(&[1, 1]).await;
    // `First` picks endpoints in address order.
    let mut order: Vec<usize> = (0..2).collect();
    order.sort_by_key(|&i| cluster.nodes[i].endpoint.id());
    let (first, second) = (&cluster.nodes[order[0]], &cluster.nodes[order[1]]);
    let x = xclient(&cluster, RetryBudgetConfig::default()).await;
    let call = || whoami(&x, "k", CallOptions::new());

    // ok on the first endpoint.
    assert_eq!(call().await.unwrap(), first.name);
    // An application error: final, no retry.
    first.set(Behaviour::Fail);
    assert_eq!(call().await.unwrap_err().code(), Code::Application);
    // Overloaded twice: each call retried on the second endpoint; the
    // second failure in a row opens the first endpoint's breaker.
    first.set(Behaviour::Overloaded);
    assert_eq!(call().await.unwrap(), second.name);
    assert_eq!(call().await.unwrap(), second.name);
    // The breaker is open: straight to the second endpoint.
    assert_eq!(call().await.unwrap(), second.name);
    // A client with no retry budget: its retry is refused.
    let stingy = xclient(
        &cluster,
        RetryBudgetConfig::builder()
            .ratio(0.0)
            .min_retries(0)
            .build()
            .unwrap(),
    )
    .await;
    let refused = whoami(&stingy, "k", CallOptions::new()).await.unwrap_err();
    assert_eq!(refused.code(), Code::Overloaded);

    let series: Series = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(composite, _, _, value)| (key(&composite), value))
        .collect();
    let node = [("service", "Node"), ("method", "whoami")];
    let with_code = |code: &'static str| {
        let mut pairs = node.to_vec();
        pairs.push(("code", code));
        pairs
    };
    // Server side, both servers together (same labels).
    assert_eq!(
        counter(&series, "rpc_server_calls_total", &with_code("ok")),
        4
    );
    assert_eq!(
        counter(&series, "rpc_server_calls_total", &with_code("application")),
        1
    );
    assert_eq!(
        counter(&series, "rpc_server_calls_total", &with_code("overloaded")),
        3
    );
    assert_eq!(
        histogram_count(&series, "rpc_server_call_duration_seconds", &node),
        8
    );
    assert_eq!(gauge(&series, "rpc_server_in_flight", &node), 0.0);
    assert!(counter(&series, "rpc_server_request_bytes_total", &node) >= 8);
    assert!(counter(&series, "rpc_server_reply_bytes_total", &node) >= 4);
    assert!(counter(&series, "rpc_server_connections_accepted_total", &[]) >= 2);
    assert!(gauge(&series, "rpc_server_connections_open", &[]) >= 2.0);

    // Endpoint clients: the first endpoint's overloaded answers (two from
    // the first XClient's client, one from the second's).
    let first_id = first.endpoint.id();
    assert_eq!(
        counter(
            &series,
            "rpc_client_calls_total",
            &[("endpoint", &first_id), ("code", "overloaded")]
        ),
        3
    );
    assert_eq!(
        histogram_count(
            &series,
            "rpc_client_call_duration_seconds",
            &[("endpoint", &first_id)]
        ),
        5
    );

    // XClient.
    let service = [("service", "Node")];
    let xcode = |code: &'static str| [("service", "Node"), ("code", code)];
    assert_eq!(counter(&series, "rpc_xclient_calls_total", &xcode("ok")), 4);
    assert_eq!(
        counter(&series, "rpc_xclient_calls_total", &xcode("application")),
        1
    );
    assert_eq!(
        counter(&series, "rpc_xclient_calls_total", &xcode("overloaded")),
        1
    );
    assert_eq!(counter(&series, "rpc_xclient_retries_total", &service), 2);
    assert_eq!(
        counter(&series, "rpc_xclient_retries_refused_total", &service),
        1
    );
    assert_eq!(
        counter(
            &series,
            "rpc_xclient_breaker_transitions_total",
            &[
                ("service", "Node"),
                ("endpoint", &first_id),
                ("state", "open")
            ]
        ),
        1
    );
    assert_eq!(gauge(&series, "rpc_xclient_endpoints", &service), 2.0);
}
