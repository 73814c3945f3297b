//! A server whose registry's etcd is frozen (SIGSTOP) serves at once: it
//! accepts connections while its announcement waits for etcd, and the key
//! appears once etcd resumes.

#![cfg(feature = "etcd")]

mod support;

use std::time::Duration;

use rpc_core::server::Server;
use rpc_registry::Registration;
use rpc_registry::etcd::{EtcdConfig, EtcdRegistry};
use support::who::Who;
use support::{Etcd, eventually};

#[tokio::test]
async fn a_server_serves_while_etcd_is_frozen_and_is_announced_when_it_resumes() {
    support::init_tracing();
    let etcd = Etcd::start().await;
    let config = EtcdConfig::builder(etcd.endpoints())
        .ttl(Duration::from_secs(2))
        // etcd's requests wait long: an announcement that blocks serving would
        // block it for all of this.
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let registry = EtcdRegistry::connect(config).await.unwrap();
    etcd.freeze(0);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let starting = tokio::spawn({
        let address = address.clone();
        async move {
            Server::builder()
                .service(Who("frozen"))
                .registry(Registration::new(registry))
                .bind(address)
                .await
                .unwrap()
        }
    });

    // A plain call is answered while etcd is still frozen.
    let client = rpc_client::Client::new(address.clone());
    let answered = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let options = rpc_client::CallOptions::new().timeout(Duration::from_secs(1));
            match client
                .call_bytes("Who", "name", Default::default(), options)
                .await
            {
                Ok(reply) => return reply.payload,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    })
    .await;
    let still_frozen = !starting.is_finished();
    etcd.thaw(0);
    let reply = answered.expect("the server answered while etcd was frozen");
    assert_eq!(&reply[..], b"frozen");
    println!("answered while etcd was frozen (bind still announcing: {still_frozen})");

    let key = format!("/rpc/Who/tcp@{address}");
    let announced = eventually(Duration::from_secs(10), || async {
        etcd.value(&key).await.is_some()
    })
    .await;
    assert!(announced.is_some(), "announced once etcd resumed");
    let server = starting.await.unwrap();
    server.shutdown_and_wait().await;
    assert_eq!(etcd.value(&key).await, None, "withdrawn on shutdown");
}
