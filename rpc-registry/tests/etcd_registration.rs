//! Registration in a real etcd: the key layout and value of DESIGN.md,
//! deregistration, and the server wiring (real bound port, withdrawn on
//! graceful shutdown).

#![cfg(feature = "etcd")]

mod support;

use std::time::Duration;

use rpc_core::server::Server;
use rpc_registry::etcd::{EtcdConfig, EtcdRegistry};
use rpc_registry::{Endpoint, EndpointMetadata, Registration, Registry};
use support::Etcd;

#[tokio::test]
async fn register_writes_the_key_and_deregister_removes_it() {
    let etcd = Etcd::start().await;
    let registry = EtcdRegistry::connect(EtcdConfig::new(etcd.endpoints()))
        .await
        .unwrap();
    let endpoint = Endpoint::tcp("127.0.0.1:8972").with_metadata(
        EndpointMetadata::new()
            .with("weight", "10")
            .with("group", "blue")
            .with("state", "active"),
    );
    registry.register("Arith", &endpoint).await.unwrap();
    let key = "/rpc/Arith/tcp@127.0.0.1:8972";
    assert_eq!(
        etcd.value(key).await.as_deref(),
        Some("group=blue&state=active&weight=10")
    );
    // The key is under a lease (it would expire without keep-alives).
    let mut client = etcd.client().await;
    let kv = client.get(key, None).await.unwrap().kvs()[0].clone();
    assert_ne!(kv.lease(), 0);
    assert_eq!(Some(kv.lease()), registry.lease().await);

    // Re-registering updates the metadata in place.
    let lighter = endpoint
        .clone()
        .with_metadata(EndpointMetadata::new().with("weight", "1"));
    registry.register("Arith", &lighter).await.unwrap();
    assert_eq!(etcd.value(key).await.as_deref(), Some("weight=1"));

    registry.deregister("Arith", &endpoint).await.unwrap();
    assert_eq!(etcd.value(key).await, None);
    assert_eq!(
        registry.lease().await,
        None,
        "the lease is revoked with the last key"
    );
}

#[tokio::test]
async fn a_server_registers_its_real_port_and_withdraws_on_shutdown() {
    let etcd = Etcd::start().await;
    let config = EtcdConfig::builder(etcd.endpoints())
        .base("/services")
        .build()
        .unwrap();
    let registry = EtcdRegistry::connect(config).await.unwrap();
    let server = Server::builder()
        .service(Echo)
        .registry(
            Registration::new(registry).metadata(EndpointMetadata::new().with("version", "1.2")),
        )
        .grace_period(Duration::from_millis(100))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    assert_ne!(addr.port(), 0);
    let key = format!("/services/Echo/tcp@{addr}");
    assert_eq!(etcd.value(&key).await.as_deref(), Some("version=1.2"));
    server.shutdown_and_wait().await;
    assert_eq!(
        etcd.value(&key).await,
        None,
        "deregistered before the listener closed"
    );
}

#[tokio::test]
async fn a_wildcard_bind_needs_an_advertised_address() {
    let etcd = Etcd::start().await;
    let registry = EtcdRegistry::connect(EtcdConfig::new(etcd.endpoints()))
        .await
        .unwrap();
    let server = Server::builder()
        .service(Echo)
        .registry(Registration::new(registry.clone()).advertise("10.1.2.3:9000"))
        .bind("0.0.0.0:0")
        .await
        .unwrap();
    assert_eq!(
        etcd.value("/rpc/Echo/tcp@10.1.2.3:9000").await.as_deref(),
        Some("")
    );
    server.shutdown_and_wait().await;
    assert_eq!(etcd.value("/rpc/Echo/tcp@10.1.2.3:9000").await, None);
}

/// A service with no methods: only its name matters here.
struct Echo;

impl rpc_core::RpcService for Echo {
    fn name(&self) -> &'static str {
        "Echo"
    }
    fn methods(&self) -> &'static [&'static str] {
        &[]
    }
    fn call(
        &self,
        call: rpc_core::ServiceCall,
    ) -> rpc_core::BoxFuture<Result<rpc_core::ServiceReply, rpc_core::Status>> {
        rpc_core::dispatch::unknown_method(&call)
    }
}
