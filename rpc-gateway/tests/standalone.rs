//! The standalone gateway over discovery (an in-process registry here; the
//! CLI's tests run it against a real etcd): calls routed through XClients,
//! unknown services, and the bound on service names looked up.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;

use rpc::{Endpoint, MemoryRegistry, Registry as _, Server};
use rpc_gateway::{Gateway, GatewayConfig, XClientBackend};
use support::{ArithServer, Calculator, post};
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn calls_are_routed_through_discovery_and_names_looked_up_are_bounded() {
    let server = Server::builder()
        .service(ArithServer::new(Calculator))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let registry = MemoryRegistry::new();
    let endpoint = Endpoint::tcp(server.local_addr().unwrap().to_string());
    registry.register("Arith", &endpoint).await.unwrap();

    let backend = XClientBackend::with_config(Arc::new(registry), Default::default(), 2);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let gateway = Gateway::new(GatewayConfig::default());
    let serving = tokio::spawn({
        let shutdown = shutdown.clone();
        async move { gateway.serve(listener, Arc::new(backend), shutdown).await }
    });

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
