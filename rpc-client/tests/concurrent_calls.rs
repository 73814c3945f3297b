//! 10,000 calls in flight at once over one connection all come back, each
//! with its own answer.

mod support;

use futures_util::future::join_all;
use rpc_client::typed::call_typed;
use rpc_client::{CallOptions, ClientConfig};
use rpc_codec::payload_codec;
use rpc_core::server::Server;
use support::Numbers;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_calls_over_one_connection() {
    let (server, _) = support::start(Server::builder()).await;
    let client = support::client(&server, ClientConfig::default());
    client.connect().await.unwrap();
    let codec = payload_codec!(Numbers);
    let calls = (0..10_000i64).map(|i| {
        let client = client.clone();
        async move {
            let argument = Numbers {
                values: vec![i, -i],
                label: i.to_string(),
            };
            let reply = call_typed(
                &client,
                "Test".into(),
                "double".into(),
                &argument,
                codec,
                codec,
                CallOptions::new(),
            )
            .await?;
            Ok::<_, rpc_core::Status>((i, reply.value))
        }
    });
    let results = join_all(calls).await;
    assert_eq!(results.len(), 10_000);
    for result in results {
        let (i, reply) = result.expect("every call answered");
        assert_eq!(reply.values, vec![2 * i, -2 * i]);
        assert_eq!(reply.label, i.to_string());
    }
    assert!(
        client.is_connected(),
        "all calls shared one live connection"
    );
    server.shutdown_and_wait().await;
}
