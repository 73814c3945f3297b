//! The same calls over a Unix socket.

#![cfg(unix)]

mod support;

use rpc_client::{Client, ClientConfig, Target};
use rpc_core::server::Server;

#[tokio::test]
async fn calls_over_a_unix_socket() {
    let dir = std::env::temp_dir().join(format!("rpc-unix-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("server.sock");
    let _ = std::fs::remove_file(&path);
    let server = Server::builder()
        .service(support::TestService::default())
        .bind_unix(&path)
        .await
        .unwrap();
    let client = Client::with_config(Target::Unix(path.clone()), ClientConfig::default());
    let reply = client
        .call_with::<(), ()>("Test", "meta", &(), Default::default())
        .await
        .unwrap();
    assert_eq!(reply.metadata.get("peer"), Some("unix@(unnamed)"));
    assert_eq!(
        client.call::<u64, u64>("Test", "sleep", &3).await.unwrap(),
        3
    );
    server.shutdown_and_wait().await;
    assert!(!path.exists(), "the socket file is removed after shutdown");
    let _ = std::fs::remove_dir(&dir);
}
