//! Discovery from a real etcd: the watch sees adds, metadata updates and
//! removes in order, and the last known endpoints survive an etcd outage,
//! so clients keep calling them.

#![cfg(feature = "etcd")]

mod support;

use std::time::Duration;

use rpc_registry::etcd::{EtcdConfig, EtcdDiscovery, EtcdRegistry};
use rpc_registry::{Change, Discovery, Endpoint, EndpointMetadata, Registry, SelfPreservation};
use support::Etcd;

async fn next_changes(view: &mut rpc_registry::EndpointWatch) -> Vec<Change> {
    tokio::time::timeout(Duration::from_secs(10), view.changes())
        .await
        .expect("a change within 10 s")
        .expect("discovery still running")
}

#[tokio::test]
async fn the_watch_sees_adds_updates_and_removes_in_order() {
    let etcd = Etcd::start().await;
    let config = EtcdConfig::new(etcd.endpoints());
    let registry = EtcdRegistry::connect(config.clone()).await.unwrap();
    let a = Endpoint::tcp("127.0.0.1:1");
    registry.register("Arith", &a).await.unwrap();

    let discovery = EtcdDiscovery::connect(config).await.unwrap();
    let mut view = discovery.watch("Arith").await.unwrap();
    assert_eq!(
        view.current().keys().collect::<Vec<_>>(),
        ["tcp@127.0.0.1:1"]
    );

    let b = Endpoint::tcp("127.0.0.1:2");
    registry.register("Arith", &b).await.unwrap();
    assert_eq!(next_changes(&mut view).await, [Change::Added(b.clone())]);

    let a_heavy = a
        .clone()
        .with_metadata(EndpointMetadata::new().with("weight", "7"));
    registry.register("Arith", &a_heavy).await.unwrap();
    assert_eq!(next_changes(&mut view).await, [Change::Updated(a_heavy)]);

    registry.deregister("Arith", &b).await.unwrap();
    assert_eq!(next_changes(&mut view).await, [Change::Removed(b.id())]);

    // Other services' keys are not mixed in.
    registry
        .register("Other", &Endpoint::tcp("127.0.0.1:9"))
        .await
        .unwrap();
    registry.register("Arith", &b).await.unwrap();
    assert_eq!(next_changes(&mut view).await, [Change::Added(b)]);
    assert_eq!(view.current().len(), 2);
}

#[tokio::test]
async fn no_change_between_the_first_read_and_the_watch_is_missed() {
    let etcd = Etcd::start().await;
    let config = EtcdConfig::new(etcd.endpoints());
    let registry = EtcdRegistry::connect(config.clone()).await.unwrap();
    let discovery = EtcdDiscovery::connect(config).await.unwrap();
    // Registrations race with the start of the watch.
    let writer = tokio::spawn(async move {
        for port in 1..=50 {
            registry
                .register("Busy", &Endpoint::tcp(format!("127.0.0.1:{port}")))
                .await
                .unwrap();
        }
        registry
    });
    let mut view = discovery.watch("Busy").await.unwrap();
    let _registry = writer.await.unwrap();
    let all = support::eventually(Duration::from_secs(10), || {
        let current = view.current();
        async move { current.len() == 50 }
    })
    .await;
    assert!(all.is_some(), "saw {} of 50", view.current().len());
    let _ = view.changes().await;
}

#[tokio::test]
async fn discovery_keeps_the_last_endpoints_while_etcd_is_down() {
    support::init_tracing();
    let mut etcd = Etcd::start().await;
    let config = EtcdConfig::new(etcd.endpoints());
    let registry = EtcdRegistry::connect(config.clone()).await.unwrap();

    // A real server, announced in etcd.
    let server = rpc_core::server::Server::builder()
        .service(Echo)
        .registry(rpc_registry::Registration::new(registry))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    // The lone endpoint leaving is all of the service at once: discovery
    // still publishes it for the self-preservation hold, kept short here.
    let discovery_config = config
        .to_builder()
        .self_preservation(SelfPreservation::new(Duration::from_secs(2)))
        .build()
        .unwrap();
    let discovery = EtcdDiscovery::connect(discovery_config).await.unwrap();
    let view = discovery.watch("Echo").await.unwrap();
    assert_eq!(view.current().len(), 1);

    etcd.kill(0);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let endpoints = view.current();
    assert_eq!(endpoints.len(), 1, "the last known endpoint is kept");
    // And it is still callable.
    let endpoint = endpoints.values().next().unwrap();
    let client = rpc_client::Client::new(endpoint.address.clone());
    let reply = client
        .call_bytes("Echo", "echo", bytes_of("still here"), Default::default())
        .await
        .unwrap();
    assert_eq!(&reply.payload[..], b"still here");

    // When etcd comes back (with its data), the view follows it again.
    etcd.restart().await;
    server.shutdown_and_wait().await;
    let emptied = support::eventually(Duration::from_secs(20), || {
        let current = view.current();
        async move { current.is_empty() }
    })
    .await;
    assert!(
        emptied.is_some(),
        "the deregistration after the outage was seen"
    );
}

fn bytes_of(text: &'static str) -> rpc_core::bytes::Bytes {
    rpc_core::bytes::Bytes::from_static(text.as_bytes())
}

/// Echoes raw payloads.
struct Echo;

impl rpc_core::RpcService for Echo {
    fn name(&self) -> &'static str {
        "Echo"
    }
    fn methods(&self) -> &'static [&'static str] {
        &["echo"]
    }
    fn call(
        &self,
        call: rpc_core::ServiceCall,
    ) -> rpc_core::BoxFuture<Result<rpc_core::ServiceReply, rpc_core::Status>> {
        Box::pin(async move {
            Ok(rpc_core::ServiceReply {
                payload: call.payload,
                metadata: Default::default(),
            })
        })
    }
}

#[tokio::test]
async fn changes_compacted_away_during_an_outage_are_picked_up_by_a_fresh_read() {
    support::init_tracing();
    let mut etcd = Etcd::start().await;
    let config = EtcdConfig::new(etcd.endpoints());
    let discovery = EtcdDiscovery::connect(config.clone()).await.unwrap();
    let view = discovery.watch("Arith").await.unwrap();
    assert!(view.current().is_empty());

    // The watch breaks and backs off while etcd is down.
    etcd.kill(0);
    tokio::time::sleep(Duration::from_secs(4)).await;
    etcd.restart().await;
    // Before it resumes: changes, then a compaction past them, so resuming
    // from the last revision it saw is impossible.
    let mut client = etcd.client().await;
    for port in 1..=3 {
        client
            .put(format!("/rpc/Arith/tcp@127.0.0.1:{port}"), "weight=2", None)
            .await
            .unwrap();
    }
    client
        .delete("/rpc/Arith/tcp@127.0.0.1:2", None)
        .await
        .unwrap();
    let revision = client
        .get("x", None)
        .await
        .unwrap()
        .header()
        .unwrap()
        .revision();
    client.compact(revision, None).await.unwrap();

    let caught_up = support::eventually(Duration::from_secs(20), || {
        let current = view.current();
        async move {
            current.len() == 2
                && current.contains_key("tcp@127.0.0.1:1")
                && current.contains_key("tcp@127.0.0.1:3")
        }
    })
    .await;
    assert!(
        caught_up.is_some(),
        "saw {:?}",
        view.current().keys().collect::<Vec<_>>()
    );
    assert_eq!(view.current()["tcp@127.0.0.1:3"].metadata.weight(), 2);
}
