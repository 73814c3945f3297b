//! A three-member etcd cluster losing one member at a time (SIGKILL): a
//! keep-alive or key check that went to the dead member is a failed request,
//! not a lost lease. The registry keeps its one lease throughout.

#![cfg(feature = "etcd")]

mod support;

use std::time::Duration;

use rpc_registry::etcd::{EtcdConfig, EtcdRegistry};
use rpc_registry::{Endpoint, Registry};
use support::Etcd;

/// Long enough to outlast a leader election on a loaded 2-core machine (a
/// killed leader's successor needs 1-3 s here): with 2 s the lease could
/// truly run out unanswered, and a new one is then the right response.
const TTL: Duration = Duration::from_secs(4);
const KEY: &str = "/rpc/Arith/tcp@127.0.0.1:1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_one_member_at_a_time_keeps_the_lease() {
    support::init_tracing();
    let mut etcd = Etcd::start_cluster(3).await;
    let config = EtcdConfig::builder(etcd.endpoints())
        .ttl(TTL)
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let registry = EtcdRegistry::connect(config).await.unwrap();
    registry
        .register("Arith", &Endpoint::tcp("127.0.0.1:1"))
        .await
        .unwrap();
    let lease = registry.lease().await.expect("a lease");

    for member in 0..3 {
        etcd.kill(member);
        println!("killed member {member}");
        // Several keep-alives and a key check happen meanwhile.
        tokio::time::sleep(TTL * 2).await;
        let mut client = etcd.client().await;
        let kv = client.get(KEY, None).await.unwrap().kvs().first().cloned();
        let under = kv.map(|kv| kv.lease());
        assert_eq!(
            under,
            Some(lease),
            "the key stays under its first lease after member {member} died"
        );
        etcd.restart_member(member).await;
        tokio::time::sleep(TTL).await;
    }
    assert_eq!(
        registry.lease().await,
        Some(lease),
        "no new lease was needed"
    );
    assert_eq!(registry.leases_granted(), 1, "no lease was granted again");
}
