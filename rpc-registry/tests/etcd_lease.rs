//! Leases: keys of a dead process expire after the TTL, and a registry whose
//! lease is lost (etcd wiped and restarted) writes its keys again.

#![cfg(feature = "etcd")]

mod support;

use std::time::Duration;

use rpc_registry::etcd::{EtcdConfig, EtcdRegistry};
use rpc_registry::{Endpoint, Registry};
use support::{Etcd, eventually};

const TTL: Duration = Duration::from_secs(2);

fn config(etcd: &Etcd) -> EtcdConfig {
    EtcdConfig::builder(etcd.endpoints())
        .ttl(TTL)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

#[tokio::test]
async fn keys_are_kept_alive_past_the_ttl_and_expire_when_the_process_is_gone() {
    let etcd = Etcd::start().await;
    let registry = EtcdRegistry::connect(config(&etcd)).await.unwrap();
    registry
        .register("Arith", &Endpoint::tcp("127.0.0.1:1"))
        .await
        .unwrap();
    let key = "/rpc/Arith/tcp@127.0.0.1:1";
    // Alive across three TTLs: the keep-alives work.
    tokio::time::sleep(TTL * 3).await;
    assert!(etcd.value(key).await.is_some(), "kept alive");

    // The process "dies": no deregistration, no more keep-alives.
    drop(registry);
    let gone = eventually(TTL * 5, || async { etcd.value(key).await.is_none() }).await;
    let took = gone.expect("the key expired with its lease");
    println!("key expired {took:?} after the registry stopped (TTL {TTL:?})");
}

#[tokio::test]
async fn keys_are_written_again_after_etcd_loses_everything() {
    support::init_tracing();
    let mut etcd = Etcd::start().await;
    let registry = EtcdRegistry::connect(config(&etcd)).await.unwrap();
    registry
        .register("Arith", &Endpoint::tcp("127.0.0.1:1"))
        .await
        .unwrap();
    registry
        .register("Log", &Endpoint::tcp("127.0.0.1:2"))
        .await
        .unwrap();
    let first_lease = registry.lease().await.unwrap();

    etcd.restart_empty().await;

    let back = eventually(TTL * 10, || async {
        etcd.value("/rpc/Arith/tcp@127.0.0.1:1").await.is_some()
            && etcd.value("/rpc/Log/tcp@127.0.0.1:2").await.is_some()
    })
    .await;
    let took = back.expect("both keys were written again");
    println!("keys back {took:?} after etcd restarted empty (TTL {TTL:?})");
    // The old lease died with etcd's data: the keys are under a new one.
    let new_lease = registry.lease().await.unwrap();
    assert_ne!(new_lease, first_lease, "under a new lease");
    let mut client = etcd.client().await;
    let kv = client
        .get("/rpc/Arith/tcp@127.0.0.1:1", None)
        .await
        .unwrap()
        .kvs()[0]
        .clone();
    assert_eq!(kv.lease(), new_lease);
    // And the new lease is kept alive too.
    tokio::time::sleep(TTL * 2).await;
    assert!(etcd.value("/rpc/Log/tcp@127.0.0.1:2").await.is_some());
}

#[tokio::test]
async fn a_registry_started_while_etcd_is_down_registers_once_it_is_up() {
    let mut etcd = Etcd::start().await;
    let registry = EtcdRegistry::connect(config(&etcd)).await.unwrap();
    etcd.kill(0);
    let result = registry
        .register("Arith", &Endpoint::tcp("127.0.0.1:3"))
        .await;
    assert!(result.is_err(), "etcd is down: the write fails now");
    etcd.restart().await;
    let written = eventually(TTL * 10, || async {
        etcd.value("/rpc/Arith/tcp@127.0.0.1:3").await.is_some()
    })
    .await;
    assert!(
        written.is_some(),
        "the registry wrote the key once etcd was back"
    );
}
