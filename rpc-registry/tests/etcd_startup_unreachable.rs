//! A server whose etcd is not running at startup: with
//! `OnRegistryFailure::FailStartup` its `bind` fails with the typed
//! `AnnounceError`; by default it serves unregistered, says so at WARN, and
//! is announced (INFO) once etcd starts, and ready (`/ready`) only from
//! then on. Both against a real etcd process
//! that is started late.

#![cfg(feature = "etcd")]

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rpc_core::server::{AnnounceError, OnRegistryFailure, Server};
use rpc_registry::etcd::{EtcdConfig, EtcdRegistry};
use rpc_registry::{Registration, RegistryError};
use support::who::Who;
use support::{Etcd, eventually};

/// Everything logged while the guard lives (the tests run on one thread,
/// so the thread's default subscriber sees the server's tasks too).
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    fn capture(&self) -> tracing::subscriber::DefaultGuard {
        let logs = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || logs.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    fn has_line(&self, level: &str, message: &str) -> bool {
        self.text()
            .lines()
            .any(|line| line.contains(level) && line.contains(message))
    }
}

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A free port on a loopback address of its own (Linux routes all of
/// 127.0.0.0/8 to `lo`): nothing else in the test binary binds there, so a
/// port freed by a failed `bind` cannot be taken by the other test's server
/// or etcd before the "listener is closed again" check connects to it.
fn free_address(loopback: &str) -> String {
    let listener = std::net::TcpListener::bind((loopback, 0)).unwrap();
    listener.local_addr().unwrap().to_string()
}

async fn registry_of(etcd: &Etcd) -> EtcdRegistry {
    let config = EtcdConfig::builder(etcd.endpoints())
        .ttl(Duration::from_secs(2))
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    // Connecting is lazy: it succeeds with nothing listening.
    EtcdRegistry::connect(config).await.unwrap()
}

#[tokio::test]
async fn fail_startup_makes_bind_fail_with_the_registry_error() {
    let logs = Logs::default();
    let _guard = logs.capture();
    let etcd = Etcd::unstarted();
    let registry = registry_of(&etcd).await;
    let address = free_address("127.0.0.77");

    let error = Server::builder()
        .service(Who("strict"))
        .registry(Registration::new(registry))
        .on_registry_failure(OnRegistryFailure::FailStartup)
        .bind(&address)
        .await
        .expect_err("bind fails while etcd is down");

    let announce = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<AnnounceError>())
        .unwrap_or_else(|| panic!("not an AnnounceError: {error:?}"));
    let mut cause = std::error::Error::source(announce);
    let mut registry_error = None;
    while let Some(error) = cause {
        registry_error = registry_error.or(error.downcast_ref::<RegistryError>());
        cause = error.source();
    }
    assert!(
        matches!(registry_error, Some(RegistryError::Backend(_))),
        "the etcd error is in the source chain: {announce}"
    );
    assert!(error.to_string().contains("Who"), "{error}");
    // The listener is closed again.
    assert!(tokio::net::TcpStream::connect(&address).await.is_err());
    assert!(
        logs.has_line("WARN", "not announced to the registry: startup fails"),
        "{}",
        logs.text()
    );
}

#[tokio::test]
async fn by_default_a_server_serves_unregistered_and_is_announced_once_etcd_starts() {
    let logs = Logs::default();
    let _guard = logs.capture();
    let mut etcd = Etcd::unstarted();
    let registry = registry_of(&etcd).await;
    let address = free_address("127.0.0.1");

    let server = Server::builder()
        .service(Who("patient"))
        .registry(Registration::new(registry))
        .bind(&address)
        .await
        .expect("bind succeeds while etcd is down");
    assert!(
        logs.has_line("WARN", "serving unregistered, retrying in the background"),
        "{}",
        logs.text()
    );
    let reply = rpc_client::Client::new(address.clone())
        .call_bytes("Who", "name", Default::default(), Default::default())
        .await
        .expect("served while unregistered");
    assert_eq!(&reply.payload[..], b"patient");
    assert!(
        !server.health().is_ready(),
        "not ready (`/ready` 503) while unannounced"
    );

    etcd.launch().await;
    let key = format!("/rpc/Who/tcp@{address}");
    let announced = eventually(Duration::from_secs(30), || async {
        logs.has_line("INFO", "announced to the registry after all")
            && etcd.value(&key).await.is_some()
    })
    .await;
    assert!(
        announced.is_some(),
        "announced once etcd started:\n{}",
        logs.text()
    );
    assert!(server.health().is_ready(), "ready once announced");

    server.shutdown_and_wait().await;
    assert_eq!(etcd.value(&key).await, None, "withdrawn on shutdown");
}
