//! Metadata travels to the handler and back on the reply; the handler sees
//! the peer's address.

mod support;

use rpc_client::{CallOptions, ClientConfig};
use rpc_core::server::Server;

#[tokio::test]
async fn metadata_round_trips_both_ways() {
    let (server, _) = support::start(Server::builder()).await;
    let client = support::client(&server, ClientConfig::default());
    let options = CallOptions::new()
        .metadata("trace-id", "4bf92f35")
        .metadata("user", "ada ✓");
    let reply = client
        .call_with::<(), ()>("Test", "meta", &(), options)
        .await
        .unwrap();
    assert_eq!(reply.metadata.get("trace-id"), Some("4bf92f35"));
    assert_eq!(reply.metadata.get("user"), Some("ada ✓"));
    let peer = reply
        .metadata
        .get("peer")
        .expect("the handler saw the peer");
    assert!(peer.starts_with("tcp@127.0.0.1:"), "{peer}");
    server.shutdown_and_wait().await;
}
