//! etcd frozen (SIGSTOP) for longer than the lease TTL, under load: on
//! resume etcd expires every lease at once, yet no call fails. Servers
//! register again at once, and discovery does not publish "every endpoint
//! gone at once" for the hold period (self-preservation).

#![cfg(feature = "etcd")]

mod support;

use std::time::Duration;

use rpc_client::{FailMode, SelectMode, XClient};
use rpc_registry::etcd::{EtcdConfig, EtcdDiscovery};
use support::who::{Load, start_who};
use support::{Etcd, eventually};

const TTL: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_call_fails_while_etcd_is_frozen_past_the_ttl_and_resumes() {
    support::init_tracing();
    let etcd = Etcd::start().await;
    let config = EtcdConfig::builder(etcd.endpoints())
        .ttl(TTL)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let servers = [
        start_who(&config, "a").await,
        start_who(&config, "b").await,
        start_who(&config, "c").await,
    ];
    let discovery = EtcdDiscovery::connect(config.clone()).await.unwrap();
    let x = XClient::builder("Who", discovery)
        .select_mode(SelectMode::RoundRobin)
        .fail_mode(FailMode::Failover { retries: 2 })
        .timeout(Duration::from_secs(2))
        .build()
        .await
        .unwrap();
    assert_eq!(x.endpoints().len(), 3);

    let load = Load::start(&x, 4);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before_freeze = load.ok();

    etcd.freeze(0);
    tokio::time::sleep(TTL * 3).await;
    etcd.thaw(0);
    let thawed = std::time::Instant::now();

    // The servers are back in etcd under new leases (the old ones expired
    // while etcd was frozen)...
    let keys: Vec<String> = servers
        .iter()
        .map(|s| format!("/rpc/Who/tcp@{}", s.local_addr().unwrap()))
        .collect();
    let back = eventually(TTL * 5, || async {
        let mut all = true;
        for key in &keys {
            all &= etcd.value(key).await.is_some();
        }
        all
    })
    .await;
    println!("every key back in etcd {back:?} after the thaw");
    assert!(back.is_some(), "the servers registered again");
    // ...and the load runs on past the hold period.
    tokio::time::sleep((TTL * 3).saturating_sub(thawed.elapsed())).await;
    let (ok, failed, errors) = load.stop().await;
    println!(
        "{ok} calls succeeded ({before_freeze} before the freeze), {failed} failed: {errors:?}"
    );
    assert!(
        ok > before_freeze,
        "calls went on during and after the freeze"
    );
    assert_eq!(failed, 0, "no call failed; first failures: {errors:?}");
    assert_eq!(x.endpoints().len(), 3);
    for server in servers {
        server.shutdown_and_wait().await;
    }
}
