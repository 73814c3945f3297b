//! Statuses about the request rather than the endpoint (here
//! `payload_too_large`, returned by a real server) are never retried, by any
//! fail mode: another endpoint would refuse the same request again.

mod cluster;

use std::time::Duration;

use cluster::{Behaviour, Cluster, whoami};
use rpc_client::xclient::BackupDelay;
use rpc_client::{CallOptions, FailMode, XClient};
use rpc_core::Code;

#[tokio::test]
async fn payload_too_large_is_tried_once_in_every_fail_mode() {
    let modes = [
        FailMode::Failfast,
        FailMode::Failtry { retries: 3 },
        FailMode::Failover { retries: 3 },
        FailMode::Failbackup {
            delay: BackupDelay::Fixed(Duration::from_secs(5)),
        },
        FailMode::failbackup(),
    ];
    for mode in modes {
        let cluster = Cluster::start(&[1, 1, 1]).await;
        for node in &cluster.nodes {
            node.set(Behaviour::TooLarge);
        }
        let x = XClient::builder("Node", cluster.registry.clone())
            .fail_mode(mode)
            .build()
            .await
            .unwrap();
        for i in 0..5 {
            let status = whoami(&x, &i.to_string(), CallOptions::new())
                .await
                .unwrap_err();
            assert_eq!(status.code(), Code::PayloadTooLarge, "{mode:?}");
        }
        assert_eq!(
            cluster.calls().iter().sum::<usize>(),
            5,
            "{mode:?}: one try per call"
        );
    }
}
