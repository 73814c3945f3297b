//! etcd restarted with a wiped data dir after its store had history: the
//! revisions start again below the last one discovery saw. Discovery notices
//! (new cluster id, or a revision that went backwards), reads afresh and
//! follows later adds and removes.

#![cfg(feature = "etcd")]

mod support;

use std::time::Duration;

use rpc_registry::etcd::{EtcdConfig, EtcdDiscovery, EtcdRegistry};
use rpc_registry::{Discovery, Endpoint, Registry};
use support::{Etcd, eventually};

const TTL: Duration = Duration::from_secs(2);

/// How long a change may take to reach discovery after the wipe.
const PROMPTLY: Duration = Duration::from_secs(5);

async fn discovery_follows_changes_after_a_wipe(same_cluster_id: bool) {
    support::init_tracing();
    let mut etcd = Etcd::start().await;
    let config = EtcdConfig::builder(etcd.endpoints())
        .ttl(TTL)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    // History: the old store's revision is far above where a new one starts.
    let mut client = etcd.client().await;
    for i in 0..300 {
        client
            .put(format!("/unrelated/{i}"), "x", None)
            .await
            .unwrap();
    }
    let registry = EtcdRegistry::connect(config.clone()).await.unwrap();
    let a = Endpoint::tcp("127.0.0.1:1");
    registry.register("Arith", &a).await.unwrap();
    let discovery = EtcdDiscovery::connect(config).await.unwrap();
    let view = discovery.watch("Arith").await.unwrap();
    assert_eq!(view.current().len(), 1);

    if same_cluster_id {
        etcd.restart_wiped().await;
    } else {
        etcd.restart_empty().await;
    }
    let rewritten = eventually(TTL * 5, || async {
        etcd.value("/rpc/Arith/tcp@127.0.0.1:1").await.is_some()
    })
    .await;
    assert!(rewritten.is_some(), "the registry wrote its key again");

    // A later add is seen...
    let b = Endpoint::tcp("127.0.0.1:2");
    registry.register("Arith", &b).await.unwrap();
    let added = eventually(PROMPTLY, || {
        let current = view.current();
        async move { current.contains_key("tcp@127.0.0.1:2") }
    })
    .await;
    println!("add seen after {added:?}");
    assert!(added.is_some(), "discovery saw the add after the wipe");
    // ...and a later remove.
    registry.deregister("Arith", &a).await.unwrap();
    let removed = eventually(PROMPTLY, || {
        let current = view.current();
        async move { !current.contains_key("tcp@127.0.0.1:1") }
    })
    .await;
    println!("remove seen after {removed:?}");
    assert!(removed.is_some(), "discovery saw the remove after the wipe");
    assert_eq!(view.current().len(), 1);
}

#[tokio::test]
async fn discovery_follows_a_wiped_etcd_that_comes_back_as_a_new_cluster() {
    discovery_follows_changes_after_a_wipe(false).await;
}

#[tokio::test]
async fn discovery_follows_a_wiped_etcd_with_the_same_cluster_id() {
    discovery_follows_changes_after_a_wipe(true).await;
}
