//! End to end through a real etcd: servers announce themselves, an XClient
//! discovers them, balances over them, and follows them coming and going.

#![cfg(feature = "etcd")]

mod support;

use std::time::Duration;

use rpc_client::{CallOptions, FailMode, SelectMode, XClient};
use rpc_core::server::{Server, ServerHandle};
use rpc_registry::etcd::{EtcdConfig, EtcdDiscovery, EtcdRegistry};
use rpc_registry::{EndpointMetadata, Registration};
use support::who::Who;
use support::{Etcd, eventually};

async fn start(etcd: &Etcd, name: &'static str, weight: u32) -> ServerHandle {
    let registry = EtcdRegistry::connect(EtcdConfig::new(etcd.endpoints()))
        .await
        .unwrap();
    Server::builder()
        .service(Who(name))
        .registry(
            Registration::new(registry)
                .metadata(EndpointMetadata::new().with("weight", weight.to_string())),
        )
        .grace_period(Duration::from_millis(200))
        .bind("127.0.0.1:0")
        .await
        .unwrap()
}

async fn who(x: &XClient) -> String {
    let reply = x
        .call_bytes("name", CallOptions::new())
        .await
        .expect("a call through the XClient");
    String::from_utf8(reply.to_vec()).unwrap()
}

trait CallBytes {
    async fn call_bytes(
        &self,
        method: &str,
        options: CallOptions,
    ) -> Result<rpc_core::bytes::Bytes, rpc_core::Status>;
}

impl CallBytes for XClient {
    async fn call_bytes(
        &self,
        method: &str,
        options: CallOptions,
    ) -> Result<rpc_core::bytes::Bytes, rpc_core::Status> {
        use rpc_client::Channel;
        self.call_raw(rpc_client::RawRequest {
            service: "Who".into(),
            method: method.into(),
            codec: rpc_core::Codec::Raw,
            payload: rpc_core::bytes::Bytes::new(),
            options,
        })
        .await
        .map(|reply| reply.payload)
    }
}

#[tokio::test]
async fn an_xclient_over_etcd_balances_and_follows_servers() {
    let etcd = Etcd::start().await;
    let one = start(&etcd, "one", 1).await;
    let three = start(&etcd, "three", 3).await;
    let discovery = EtcdDiscovery::connect(EtcdConfig::new(etcd.endpoints()))
        .await
        .unwrap();
    let x = XClient::builder("Who", discovery)
        .select_mode(SelectMode::WeightedRoundRobin)
        .fail_mode(FailMode::Failover { retries: 2 })
        .build()
        .await
        .unwrap();
    let mut counts = std::collections::HashMap::new();
    for _ in 0..400 {
        *counts.entry(who(&x).await).or_insert(0) += 1;
    }
    assert_eq!(
        (counts["one"], counts["three"]),
        (100, 300),
        "weights from etcd metadata"
    );

    // A new server is announced: it starts receiving calls.
    let two = start(&etcd, "two", 2).await;
    let joined = eventually(Duration::from_secs(10), || async {
        x.endpoints().len() == 3
    })
    .await;
    assert!(joined.is_some());
    let mut seen_two = false;
    for _ in 0..12 {
        seen_two |= who(&x).await == "two";
    }
    assert!(seen_two);

    // A server shuts down gracefully: it leaves etcd first, no call fails.
    one.shutdown_and_wait().await;
    let left = eventually(Duration::from_secs(10), || async {
        x.endpoints().len() == 2
    })
    .await;
    assert!(left.is_some());
    for _ in 0..50 {
        assert_ne!(who(&x).await, "one");
    }
    two.shutdown_and_wait().await;
    three.shutdown_and_wait().await;
}
