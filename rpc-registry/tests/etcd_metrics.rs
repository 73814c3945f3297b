//! The etcd registry's metrics through an installed recorder: keep-alives
//! answered, a lost lease, and the keys written again under a new lease.
//!
//! One test in this file: the recorder is process-wide.

#![cfg(feature = "etcd")]

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use rpc_registry::etcd::{EtcdConfig, EtcdRegistry};
use rpc_registry::{Endpoint, Registry};
use support::Etcd;

const KEY: &str = "/rpc/Arith/tcp@127.0.0.1:1";

/// Counter totals: each snapshot of the debugging recorder drains its
/// counters, so the totals are added up here.
struct Totals {
    snapshotter: Snapshotter,
    sums: HashMap<(String, Vec<(String, String)>), u64>,
}

impl Totals {
    fn counter(&mut self, name: &str, label: Option<(&str, &str)>) -> u64 {
        for (key, _, _, value) in self.snapshotter.snapshot().into_vec() {
            if let DebugValue::Counter(n) = value {
                let labels = key
                    .key()
                    .labels()
                    .map(|l| (l.key().to_owned(), l.value().to_owned()))
                    .collect();
                *self
                    .sums
                    .entry((key.key().name().to_owned(), labels))
                    .or_default() += n;
            }
        }
        self.sums
            .iter()
            .filter(|((n, labels), _)| {
                n == name
                    && label.is_none_or(|(k, v)| labels.iter().any(|(lk, lv)| lk == k && lv == v))
            })
            .map(|(_, n)| n)
            .sum()
    }
}

async fn lease_of_key(client: &mut etcd_client::Client) -> Option<i64> {
    let response = client.get(KEY, None).await.unwrap();
    response.kvs().first().map(|kv| kv.lease())
}

#[tokio::test]
async fn renewals_lost_leases_and_registrations_are_counted() {
    support::init_tracing();
    let recorder = DebuggingRecorder::new();
    let mut totals = Totals {
        snapshotter: recorder.snapshotter(),
        sums: HashMap::new(),
    };
    recorder.install().unwrap();
    let etcd = Etcd::start().await;
    let config = EtcdConfig::builder(etcd.endpoints())
        .ttl(Duration::from_secs(2))
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let registry = EtcdRegistry::connect(config).await.unwrap();
    registry
        .register("Arith", &Endpoint::tcp("127.0.0.1:1"))
        .await
        .unwrap();

    // Keep-alives go every TTL / 3: wait for two answered ones.
    let start = Instant::now();
    while totals.counter("rpc_registry_lease_renewals_total", Some(("result", "ok"))) < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no keep-alive counted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut client = etcd.client().await;
    let lease = lease_of_key(&mut client).await.expect("registered");
    client.lease_revoke(lease).await.unwrap();
    // The keys come back under a new lease (counted once they all are).
    let start = Instant::now();
    let new_lease = Some(("reason", "new_lease"));
    while totals.counter("rpc_registry_registrations_total", new_lease) < 1 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "never registered again"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_ne!(lease_of_key(&mut client).await, Some(lease));
    assert_eq!(totals.counter("rpc_registry_leases_lost_total", None), 1);
    assert_eq!(
        totals.counter("rpc_registry_registrations_total", new_lease),
        1
    );
    assert_eq!(
        totals.counter(
            "rpc_registry_registrations_total",
            Some(("reason", "register"))
        ),
        1
    );
}
