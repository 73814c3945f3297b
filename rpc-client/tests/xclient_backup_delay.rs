//! Failbackup's default delay follows the endpoints' observed p99 latency,
//! within its floor and cap: the floor while they answer fast, longer once they
//! slow down, short again when they recover.

mod cluster;

use std::time::Duration;

use cluster::{Behaviour, Cluster, whoami};
use rpc_client::xclient::BackupDelay;
use rpc_client::{CallOptions, FailMode, XClient};

const FLOOR: Duration = Duration::from_millis(20);
const CAP: Duration = Duration::from_secs(2);
const SLOW: Duration = Duration::from_millis(60);

async fn calls(x: &XClient, count: usize) {
    for i in 0..count {
        whoami(x, &i.to_string(), CallOptions::new()).await.unwrap();
    }
}

#[tokio::test]
async fn the_backup_delay_moves_with_the_observed_latency() {
    let cluster = Cluster::start(&[1, 1]).await;
    let x = XClient::builder("Node", cluster.registry.clone())
        .fail_mode(FailMode::Failbackup {
            delay: BackupDelay::Observed {
                floor: FLOOR,
                cap: CAP,
            },
        })
        .build()
        .await
        .unwrap();
    assert_eq!(x.backup_delay(), Some(CAP), "nothing observed yet");

    // Loopback answers take well under the floor (the slowest of them, the
    // two that opened connections, are under 1 %).
    calls(&x, 300).await;
    let fast = x.backup_delay().unwrap();
    assert_eq!(fast, FLOOR, "fast endpoints: the floor");

    // Every answer now takes 60 ms: the delay follows, below the cap.
    for node in &cluster.nodes {
        node.set(Behaviour::Sleep(SLOW));
    }
    calls(&x, 30).await;
    let slow = x.backup_delay().unwrap();
    assert!(slow >= SLOW && slow < CAP, "slow endpoints: {slow:?}");
    // A backup goes out only when the first try is slower than that: with
    // both endpoints equally slow, almost none were sent.
    let total: usize = cluster.calls().iter().sum();
    assert!(total <= 300 + 30 + 10, "{total} tries for 330 calls");

    // Fast again: the slow answers fade out of the estimate.
    for node in &cluster.nodes {
        node.set(Behaviour::Answer);
    }
    calls(&x, 2_000).await;
    assert_eq!(x.backup_delay().unwrap(), FLOOR, "recovered endpoints");
}

#[tokio::test]
async fn a_fixed_delay_stays_fixed() {
    let cluster = Cluster::start(&[1]).await;
    let delay = Duration::from_millis(70);
    let x = XClient::builder("Node", cluster.registry.clone())
        .fail_mode(FailMode::Failbackup {
            delay: BackupDelay::Fixed(delay),
        })
        .build()
        .await
        .unwrap();
    calls(&x, 50).await;
    assert_eq!(x.backup_delay(), Some(delay));
}
