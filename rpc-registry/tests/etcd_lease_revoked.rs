//! Leases revoked one after another: each costs only a short absence from
//! etcd. The re-registration backoff is for an etcd that does not answer;
//! it starts over once a lease is healthy again, so it does not grow with
//! every loss in a server's life.

#![cfg(feature = "etcd")]

mod support;

use std::time::{Duration, Instant};

use rpc_registry::etcd::{EtcdConfig, EtcdRegistry};
use rpc_registry::{Endpoint, Registry};
use support::Etcd;

const TTL: Duration = Duration::from_secs(2);
/// The registry's longest pause between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3);
const KEY: &str = "/rpc/Arith/tcp@127.0.0.1:1";

/// The lease `KEY` is under, if it is there.
async fn lease_of_key(client: &mut etcd_client::Client) -> Option<i64> {
    let response = client.get(KEY, None).await.unwrap();
    response.kvs().first().map(|kv| kv.lease())
}

#[tokio::test]
async fn every_revoked_lease_costs_a_short_absence() {
    support::init_tracing();
    let etcd = Etcd::start().await;
    let config = EtcdConfig::builder(etcd.endpoints())
        .ttl(TTL)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let registry = EtcdRegistry::connect(config).await.unwrap();
    registry
        .register("Arith", &Endpoint::tcp("127.0.0.1:1"))
        .await
        .unwrap();
    let mut client = etcd.client().await;
    let mut absences = Vec::new();
    for _ in 0..7 {
        let lease = lease_of_key(&mut client).await.expect("the key is there");
        client.lease_revoke(lease).await.unwrap();
        let revoked = Instant::now();
        // Poll until the key is back under a new lease, for at most well
        // beyond the max backoff. (The registry may write it again before
        // this first read: that is the promptness under test.)
        loop {
            if lease_of_key(&mut client)
                .await
                .is_some_and(|current| current != lease)
            {
                break;
            }
            assert!(
                revoked.elapsed() < MAX_BACKOFF * 4,
                "the key did not come back; absences so far {absences:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        absences.push(revoked.elapsed());
        // A healthy stretch between losses.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!("absences after each revocation: {absences:?}");
    assert_eq!(registry.leases_granted(), 8, "one new lease per revocation");
    assert!(
        absences.iter().all(|absence| *absence < MAX_BACKOFF),
        "every absence stays below the max backoff: {absences:?}"
    );
}
