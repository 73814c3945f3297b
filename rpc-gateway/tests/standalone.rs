//! The standalone gateway over discovery (an in-process registry here; the
//! CLI's tests run it against a real etcd): calls routed through XClients,
//! unknown services, and the bound on service names looked up.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rpc::registry::{Discovery, EndpointWatch, RegistryError, RegistryFuture};
use rpc::{Endpoint, MemoryRegistry, Registry as _, Server};
use rpc_gateway::{Gateway, GatewayConfig, XClientBackend};
use support::{ArithServer, Calculator, post};
use tokio_util::sync::CancellationToken;

async fn arith_server() -> rpc::ServerHandle {
    Server::builder()
        .service(ArithServer::new(Calculator))
        .bind("127.0.0.1:0")
        .await
        .unwrap()
}

/// A standalone gateway over `backend` on a free port: its address, the
/// token that stops it, and its task.
async fn start_gateway(
    backend: XClientBackend,
) -> (SocketAddr, CancellationToken, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let gateway = Gateway::new(GatewayConfig::default());
    let serving = tokio::spawn({
        let shutdown = shutdown.clone();
        async move { gateway.serve(listener, Arc::new(backend), shutdown).await }
    });
    (addr, shutdown, serving)
}

#[tokio::test]
async fn calls_are_routed_through_discovery_and_names_looked_up_are_bounded() {
    let server = arith_server().await;
    let registry = MemoryRegistry::new();
    let endpoint = Endpoint::tcp(server.local_addr().unwrap().to_string());
    registry.register("Arith", &endpoint).await.unwrap();

    let backend = XClientBackend::with_config(Arc::new(registry), Default::default(), 2);
    let (addr, shutdown, serving) = start_gateway(backend).await;

    let answer = post(addr, "/Arith/Mul", r#"{"a":3,"b":4}"#).await;
    assert_eq!((answer.status, answer.json()), (200, serde_json::json!(12)));
    // No endpoint: not found, and asking again costs no new lookup slot.
    for _ in 0..3 {
        let missing = post(addr, "/Ghost/Mul", "{}").await;
        assert_eq!(missing.status, 404, "{:?}", missing.body);
    }
    // Two names looked up (Arith, Ghost): a third is refused.
    let third = post(addr, "/Other/Mul", "{}").await;
    assert_eq!(third.status, 429, "{:?}", third.body);
    assert_eq!(third.json()["code"], "overloaded");
    // Known names still work.
    assert_eq!(
        post(addr, "/Arith/Mul", r#"{"a":5,"b":5}"#).await.json(),
        25
    );

    shutdown.cancel();
    serving.await.unwrap();
    server.shutdown_and_wait().await;
}

/// Discovery that counts the watches asked of it (each one an etcd read and
/// watch with `EtcdDiscovery`).
struct CountingDiscovery {
    inner: MemoryRegistry,
    watches: AtomicUsize,
}

impl Discovery for CountingDiscovery {
    fn watch<'a>(
        &'a self,
        service: &'a str,
    ) -> RegistryFuture<'a, Result<EndpointWatch, RegistryError>> {
        self.watches.fetch_add(1, Ordering::Relaxed);
        self.inner.watch(service)
    }
}

#[tokio::test]
async fn a_name_without_endpoints_is_looked_up_once_and_served_when_one_appears() {
    let server = arith_server().await;
    let registry = MemoryRegistry::new();
    let discovery = Arc::new(CountingDiscovery {
        inner: registry.clone(),
        watches: AtomicUsize::new(0),
    });
    let backend = XClientBackend::with_config(discovery.clone(), Default::default(), 4);
    let (addr, shutdown, serving) = start_gateway(backend).await;

    // No endpoint yet: not found, however often asked, from one lookup.
    for _ in 0..5 {
        let missing = post(addr, "/Arith/Mul", r#"{"a":3,"b":4}"#).await;
        assert_eq!(missing.status, 404, "{:?}", missing.body);
    }
    assert_eq!(discovery.watches.load(Ordering::Relaxed), 1, "one lookup");

    // The endpoint appears: the kept watch sees it, no new lookup.
    let endpoint = Endpoint::tcp(server.local_addr().unwrap().to_string());
    registry.register("Arith", &endpoint).await.unwrap();
    let mut answer = post(addr, "/Arith/Mul", r#"{"a":3,"b":4}"#).await;
    for _ in 0..200 {
        if answer.status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        answer = post(addr, "/Arith/Mul", r#"{"a":3,"b":4}"#).await;
    }
    assert_eq!((answer.status, answer.json()), (200, serde_json::json!(12)));
    assert_eq!(
        discovery.watches.load(Ordering::Relaxed),
        1,
        "still one lookup"
    );

    shutdown.cancel();
    serving.await.unwrap();
    server.shutdown_and_wait().await;
}
