//! A three-member etcd cluster on loopback: registration and discovery keep
//! working when the leader is killed.

#![cfg(feature = "etcd")]

mod support;

use std::time::Duration;

use rpc_registry::etcd::{EtcdConfig, EtcdDiscovery, EtcdRegistry};
use rpc_registry::{Discovery, Endpoint, Registry};
use support::{Etcd, eventually};

const TTL: Duration = Duration::from_secs(2);

#[tokio::test]
async fn registration_and_discovery_survive_losing_the_leader() {
    support::init_tracing();
    let mut etcd = Etcd::start_cluster(3).await;
    let config = EtcdConfig::builder(etcd.endpoints())
        .ttl(TTL)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let registry = EtcdRegistry::connect(config.clone()).await.unwrap();
    let discovery = EtcdDiscovery::connect(config).await.unwrap();

    let a = Endpoint::tcp("127.0.0.1:1");
    registry.register("Arith", &a).await.unwrap();
    let view = discovery.watch("Arith").await.unwrap();
    assert_eq!(view.current().len(), 1);

    let leader = etcd.leader().await;
    etcd.kill(leader);
    println!("killed the leader, member {leader}");

    // A new registration goes through the surviving members (the first
    // attempt may hit the dead one; the registry retries on its own).
    let b = Endpoint::tcp("127.0.0.1:2");
    if let Err(error) = registry.register("Arith", &b).await {
        println!("first attempt after the kill failed: {error}");
    }
    let seen = eventually(Duration::from_secs(30), || {
        let current = view.current();
        async move { current.contains_key("tcp@127.0.0.1:2") }
    })
    .await;
    println!("discovery saw the new endpoint after {seen:?}");
    assert!(
        seen.is_some(),
        "discovery follows registrations after the leader died"
    );

    // Both keys outlive several TTLs: keep-alives reach the new leader, and
    // the registry's own check restores a key that a late write displaced.
    tokio::time::sleep(TTL * 3).await;
    let both = eventually(TTL * 5, || async {
        etcd.value("/rpc/Arith/tcp@127.0.0.1:1").await.is_some()
            && etcd.value("/rpc/Arith/tcp@127.0.0.1:2").await.is_some()
    })
    .await;
    assert!(both.is_some(), "both registrations are in etcd");
    let in_view = eventually(TTL * 5, || {
        let current = view.current();
        async move { current.len() == 2 }
    })
    .await;
    assert!(in_view.is_some(), "and in discovery");
}
