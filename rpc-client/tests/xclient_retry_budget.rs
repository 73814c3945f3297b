//! The retry budget against real servers: when every endpoint refuses,
//! retries stay near a tenth of the calls instead of multiplying them.

mod cluster;

use cluster::{Behaviour, Cluster, whoami};
use rpc_client::{BreakerConfig, CallOptions, FailMode, XClient};
use rpc_core::Code;

const CALLS: usize = 300;

#[tokio::test]
async fn an_overloaded_cluster_gets_about_a_tenth_more_tries_not_three_times_the_calls() {
    let cluster = Cluster::start(&[1, 1, 1]).await;
    for node in &cluster.nodes {
        node.set(Behaviour::Overloaded);
    }
    let x = XClient::builder("Node", cluster.registry.clone())
        .fail_mode(FailMode::Failover { retries: 2 })
        // Breakers would stop the calls before the servers: out of the way.
        .breaker(
            BreakerConfig::builder()
                .failures(0)
                .failure_ratio(None)
                .build()
                .unwrap(),
        )
        .build()
        .await
        .unwrap();
    for i in 0..CALLS {
        let status = whoami(&x, &i.to_string(), CallOptions::new())
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Overloaded, "the original error");
        assert!(
            status.is_no_retry(),
            "retries spent or refused: callers up the chain must not retry"
        );
    }
    let tries: usize = cluster.calls().iter().sum();
    let retries: usize = cluster.nodes.iter().map(|node| node.retries()).sum();
    assert_eq!(tries - retries, CALLS, "every call tried once");
    // 10 % of the calls, plus the budget's minimum for a quiet client.
    let allowed = CALLS / 10 + x.config().retry_budget().min_retries() as usize;
    assert!(
        retries <= allowed,
        "{retries} retries for {CALLS} calls (at most {allowed} allowed)"
    );
    assert!(
        retries >= CALLS / 10,
        "{retries} retries: the budget is used"
    );
}
