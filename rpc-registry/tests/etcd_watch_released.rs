//! A service's etcd watch lives as long as someone watches the service:
//! dropping its last `EndpointWatch` cancels the watch in etcd (counted by
//! etcd itself, from its `/metrics`), watchers of one service share one
//! etcd watch, and watching a released service again starts afresh.

#![cfg(feature = "etcd")]

mod support;

use std::time::Duration;

use rpc_registry::etcd::{EtcdConfig, EtcdDiscovery, EtcdRegistry};
use rpc_registry::{Change, Discovery, Endpoint, EndpointWatch, Registry, SelfPreservation};
use support::Etcd;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The gauge of watchers etcd holds, read from its Prometheus metrics.
const WATCHERS: &str = "etcd_debugging_mvcc_watcher_total";

/// Fetches `http://{endpoint}/metrics` with a plain HTTP/1.0 GET and returns
/// the value of the [`WATCHERS`] gauge.
async fn etcd_watchers(etcd: &Etcd) -> u64 {
    let address = etcd.endpoint(0);
    let address = address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.expect("connect to etcd");
    let request = format!("GET /metrics HTTP/1.0\r\nHost: {address}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("read metrics");
    let line = response
        .lines()
        .find(|line| line.split_whitespace().next() == Some(WATCHERS))
        .unwrap_or_else(|| panic!("no {WATCHERS} in etcd's metrics:\n{response}"));
    let value = line.split_whitespace().nth(1).expect("a value");
    value.parse::<f64>().expect("a number") as u64
}

/// Waits (10 s at most) for etcd to hold `expected` watchers; panics with
/// what it holds otherwise.
async fn expect_watchers(etcd: &Etcd, expected: u64, what: &str) {
    let reached = support::eventually(Duration::from_secs(10), || async move {
        etcd_watchers(etcd).await == expected
    })
    .await;
    assert!(
        reached.is_some(),
        "{what}: etcd holds {} watchers, expected {expected}",
        etcd_watchers(etcd).await
    );
}

async fn next_changes(view: &mut EndpointWatch) -> Vec<Change> {
    tokio::time::timeout(Duration::from_secs(10), view.changes())
        .await
        .expect("a change within 10 s")
        .expect("discovery still running")
}

fn ids(view: &EndpointWatch) -> Vec<String> {
    view.current().keys().cloned().collect()
}

async fn watches_end_with_their_last_watcher(preservation: SelfPreservation) {
    support::init_tracing();
    let etcd = Etcd::start().await;
    let config = EtcdConfig::builder(etcd.endpoints())
        .self_preservation(preservation)
        .build()
        .unwrap();
    let registry = EtcdRegistry::connect(config.clone()).await.unwrap();
    registry
        .register("A", &Endpoint::tcp("127.0.0.1:1"))
        .await
        .unwrap();
    registry
        .register("B", &Endpoint::tcp("127.0.0.1:2"))
        .await
        .unwrap();
    let discovery = EtcdDiscovery::connect(config).await.unwrap();
    let base = etcd_watchers(&etcd).await;

    let a = discovery.watch("A").await.unwrap();
    let mut b1 = discovery.watch("B").await.unwrap();
    assert_eq!(ids(&a), ["tcp@127.0.0.1:1"]);
    assert_eq!(ids(&b1), ["tcp@127.0.0.1:2"]);
    expect_watchers(&etcd, base + 2, "A and B watched").await;

    // A's only watcher gone: its etcd watch is cancelled.
    drop(a);
    expect_watchers(&etcd, base + 1, "A's watcher dropped").await;

    // Watching A again starts afresh: a fresh read and a new watch.
    registry
        .register("A", &Endpoint::tcp("127.0.0.1:3"))
        .await
        .unwrap();
    let mut a = discovery.watch("A").await.unwrap();
    assert_eq!(ids(&a), ["tcp@127.0.0.1:1", "tcp@127.0.0.1:3"]);
    expect_watchers(&etcd, base + 2, "A watched again").await;
    let a4 = Endpoint::tcp("127.0.0.1:4");
    registry.register("A", &a4).await.unwrap();
    assert_eq!(next_changes(&mut a).await, [Change::Added(a4)]);

    // A second watcher of B shares the first's etcd watch.
    let mut b2 = discovery.watch("B").await.unwrap();
    let b5 = Endpoint::tcp("127.0.0.1:5");
    registry.register("B", &b5).await.unwrap();
    assert_eq!(next_changes(&mut b1).await, [Change::Added(b5.clone())]);
    assert_eq!(next_changes(&mut b2).await, [Change::Added(b5)]);
    assert_eq!(etcd_watchers(&etcd).await, base + 2, "B's watchers share");

    // One of B's watchers gone: B is still watched and updates arrive.
    drop(b1);
    let b6 = Endpoint::tcp("127.0.0.1:6");
    registry.register("B", &b6).await.unwrap();
    assert_eq!(next_changes(&mut b2).await, [Change::Added(b6)]);
    assert_eq!(etcd_watchers(&etcd).await, base + 2, "B still watched");

    // The other gone too: B's watch is cancelled; then A's.
    drop(b2);
    expect_watchers(&etcd, base + 1, "B's last watcher dropped").await;
    drop(a);
    expect_watchers(&etcd, base, "every watcher dropped").await;

    // B, released, is watched afresh too.
    let b = discovery.watch("B").await.unwrap();
    assert_eq!(b.current().len(), 3);
    expect_watchers(&etcd, base + 1, "B watched again").await;
    drop(discovery);
}

#[tokio::test]
async fn watches_end_with_their_last_watcher_under_self_preservation() {
    watches_end_with_their_last_watcher(SelfPreservation::new(Duration::from_secs(20))).await;
}

#[tokio::test]
async fn watches_end_with_their_last_watcher_without_self_preservation() {
    watches_end_with_their_last_watcher(SelfPreservation::off()).await;
}
