//! Calls in every codec × compression pair come back right, through a real
//! server on 127.0.0.1.

mod support;

use rpc_client::typed::call_typed;
use rpc_client::{CallOptions, ClientConfig};
use rpc_codec::{Codec, Compression, CompressionPolicy, payload_codec};
use rpc_core::server::Server;
use support::Numbers;

#[tokio::test]
async fn every_codec_and_compression_round_trips() {
    let (server, _) = support::start(Server::builder().compression_threshold(0)).await;
    let client = support::client(&server, ClientConfig::default());
    let codec = payload_codec!(Numbers);
    for payload_codec in [Codec::Json, Codec::MsgPack, Codec::Protobuf] {
        for compression in Compression::ALL {
            for size in [3usize, 5_000] {
                let argument = Numbers {
                    values: (0..size as i64).collect(),
                    label: format!("{payload_codec}+{compression}"),
                };
                let options = CallOptions::new()
                    .codec(payload_codec)
                    .compression(CompressionPolicy::new(compression).with_threshold(0));
                let reply = call_typed(
                    &client,
                    "Test".into(),
                    "double".into(),
                    &argument,
                    codec,
                    codec,
                    options,
                )
                .await
                .unwrap_or_else(|status| panic!("{payload_codec}+{compression}: {status}"));
                let expected: Vec<i64> = argument.values.iter().map(|v| v * 2).collect();
                assert_eq!(
                    reply.value.values, expected,
                    "{payload_codec}+{compression}"
                );
                assert_eq!(reply.value.label, argument.label);
            }
        }
    }
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn raw_bytes_and_dynamic_calls_by_name() {
    let (server, _) = support::start(Server::builder()).await;
    let client = support::client(&server, ClientConfig::default());
    let reply = client
        .call_bytes(
            "Test",
            "echo",
            bytes::Bytes::from_static(b"\x00\xffraw"),
            CallOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(&reply.payload[..], b"\x00\xffraw");
    let doubled: u64 = client.call("Test", "sleep", &0u64).await.unwrap();
    assert_eq!(doubled, 0);
    server.shutdown_and_wait().await;
}
