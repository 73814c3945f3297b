//! The dispatch path is a tower service: layers wrap it, and the auth hook
//! refuses calls without the right token.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rpc_client::{CallOptions, ClientConfig};
use rpc_core::server::Server;
use rpc_core::{Code, Status};
use support::Counters;

#[tokio::test]
async fn the_auth_hook_refuses_calls_without_the_token() {
    let builder = Server::builder().auth(|ctx| match ctx.metadata().get("authorization") {
        Some("Bearer secret") => Ok(()),
        _ => Err(Status::unauthenticated("missing or wrong token")),
    });
    let (server, counters) = support::start(builder).await;
    let client = support::client(&server, ClientConfig::default());
    let status = client
        .call::<u64, u64>("Test", "sleep", &0)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "{status}");
    let wrong = CallOptions::new().metadata("authorization", "Bearer guess");
    let status = client
        .call_with::<u64, u64>("Test", "sleep", &0, wrong)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(Counters::get(&counters.started), 0);
    let right = CallOptions::new().metadata("authorization", "Bearer secret");
    let reply = client
        .call_with::<u64, u64>("Test", "sleep", &7, right)
        .await
        .unwrap();
    assert_eq!(reply.value, 7);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn tower_layers_wrap_the_dispatch_path() {
    let seen = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&seen);
    let builder = Server::builder()
        .layer(tower::timeout::TimeoutLayer::new(Duration::from_millis(
            100,
        )))
        .layer(tower::layer::layer_fn(move |inner| {
            let counted = Arc::clone(&counted);
            tower::util::MapRequest::new(inner, move |call: rpc_core::ServiceCall| {
                counted.fetch_add(1, Ordering::SeqCst);
                call
            })
        }));
    let (server, _) = support::start(builder).await;
    let client = support::client(&server, ClientConfig::default());
    assert_eq!(
        client.call::<u64, u64>("Test", "sleep", &1).await.unwrap(),
        1
    );
    let status = client
        .call_with::<u64, u64>(
            "Test",
            "sleep",
            &5_000,
            CallOptions::new().timeout(Duration::from_secs(60)),
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");
    assert!(status.message().contains("timeout layer"), "{status}");
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    server.shutdown_and_wait().await;
}
