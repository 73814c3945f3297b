//! This project's `Client`, typed stubs and `XClient` speaking Go rpcx's
//! protocol (`ClientConfig::protocol(Protocol::Rpcx)`) to this project's
//! server with rpcx on, on real sockets on 127.0.0.1: every codec, errors
//! with their codes, deadline, oneway, credential, a reply over the limits,
//! gzip, and per-endpoint protocols in the `XClient`.

mod rpcx_support;

use std::time::Duration;

use rpc::{CallOptions, Code, Codec, Compression, CompressionPolicy, Credential, Protocol};
use rpcx_support::*;

#[tokio::test]
async fn every_codec_round_trips_over_rpcx() {
    let (server, addr, _) = serve(true).await;
    let client = rpcx_client(&addr, rpcx_config());
    for codec in [Codec::Json, Codec::MsgPack, Codec::Protobuf] {
        let reply = client
            .mul_with(&Args { a: 6, b: 7 }, CallOptions::new().codec(codec))
            .await
            .unwrap_or_else(|status| panic!("{codec}: {status}"));
        assert_eq!(reply.value.c, 42, "{codec}");
    }
    // Calls by wire name on the same client.
    let by_name: Reply = client
        .channel()
        .call("Arith", "Mul", &Args { a: 3, b: 4 })
        .await
        .expect("by name");
    assert_eq!(by_name.c, 12);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_server_without_rpcx_closes_an_rpcx_client() {
    let (server, addr, _) = serve(false).await;
    let client = rpcx_client(&addr, rpcx_config());
    let status = client
        .mul(&Args { a: 1, b: 1 })
        .await
        .expect_err("not rpcx");
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn errors_keep_their_codes() {
    let (server, addr, _) = serve(true).await;
    let client = rpcx_client(&addr, rpcx_config());
    for code in [
        Code::NotFound,
        Code::Application,
        Code::Overloaded,
        Code::Internal,
    ] {
        let status = client
            .mul(&Args {
                a: 0,
                b: i64::from(code.as_u8()),
            })
            .await
            .expect_err("asked to fail");
        assert_eq!(status.code(), code, "{status}");
        assert_eq!(status.message(), format!("asked to fail with {code}"));
    }
    let status = client
        .channel()
        .call::<_, Reply>("Arith", "Nope", &Args { a: 1, b: 1 })
        .await
        .expect_err("no such method");
    assert_eq!(status.code(), Code::MethodNotFound, "{status}");
    let status = client
        .channel()
        .call::<_, Reply>("Nope", "Mul", &Args { a: 1, b: 1 })
        .await
        .expect_err("no such service");
    assert_eq!(status.code(), Code::ServiceNotFound, "{status}");
    // The connection is still in service.
    assert_eq!(client.mul(&Args { a: 2, b: 2 }).await.expect("ok").c, 4);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn the_credential_travels_as_auth_and_a_wrong_one_is_refused() {
    let (server, addr, mut seen) = serve(true).await;
    let client = rpcx_client(&addr, rpcx_config());
    client
        .whoami(&Args { a: 1, b: 1 })
        .await
        .expect("authenticated");
    match seen.recv().await {
        Some(Seen::Auth(auth)) => assert_eq!(auth.as_deref(), Some("s3cret")),
        other => panic!("{other:?}"),
    }
    let wrong = rpcx_client(&addr, rpcx_config().credential(Credential::bearer("guess")));
    let status = wrong.mul(&Args { a: 1, b: 1 }).await.expect_err("refused");
    assert_eq!(status.code(), Code::Unauthenticated, "{status}");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn the_deadline_budget_reaches_the_server_and_the_call_times_out() {
    let (server, addr, mut seen) = serve(true).await;
    let client = rpcx_client(&addr, rpcx_config());
    let timeout = Duration::from_millis(300);
    let status = client
        .wait_with(&Args { a: 1, b: 1 }, CallOptions::new().timeout(timeout))
        .await
        .expect_err("never answered");
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");
    match seen.recv().await {
        Some(Seen::Budget(Some(budget))) => assert!(budget <= timeout, "{budget:?}"),
        other => panic!("no budget: {other:?}"),
    }
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_oneway_call_runs_on_the_server() {
    let (server, addr, mut seen) = serve(true).await;
    let client = rpcx_client(&addr, rpcx_config());
    client
        .channel()
        .oneway("Arith", "Record", &Args { a: 11, b: 0 }, CallOptions::new())
        .await
        .expect("sent");
    match seen.recv().await {
        Some(Seen::Recorded(a)) => assert_eq!(a, 11),
        other => panic!("{other:?}"),
    }
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_reply_over_the_limit_fails_its_call_alone() {
    let (server, addr, _) = serve(true).await;
    let client = rpcx_client(&addr, rpcx_config().max_frame_size(16 * 1024));
    let status = client
        .text(&Args { a: 64 * 1024, b: 0 })
        .await
        .expect_err("too large");
    assert_eq!(status.code(), Code::PayloadTooLarge, "{status}");
    // The rest of the oversized reply was skipped: the connection goes on.
    assert_eq!(
        client.text(&Args { a: 5, b: 0 }).await.expect("small"),
        "xxxxx"
    );
    assert!(client.channel().is_connected());
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn gzip_arguments_and_replies_round_trip() {
    let (server, addr, _) = serve(true).await;
    let gzip = CompressionPolicy::new(Compression::Zstd).with_threshold(1);
    // Zstd asked for: rpcx has only gzip, which is used instead. Above
    // 1 KiB the argument is gzipped, and so the server gzips the reply.
    let client = rpcx_client(
        &addr,
        rpcx_config().compression(gzip).max_frame_size(32 * 1024),
    );
    let text = "z".repeat(100 * 1024);
    let echoed = client.echo(&text).await.expect("compressed both ways");
    assert_eq!(
        echoed, text,
        "100 KiB in less than 32 KiB frames: compressed"
    );
    let small = client.echo(&"s".to_owned()).await.expect("small");
    assert_eq!(small, "s");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn an_xclient_calls_rpcx_endpoints() {
    let (server, addr, _) = serve(true).await;
    let discovery = rpc::registry::StaticDiscovery::single(addr.as_str());
    let xclient = rpc::XClient::builder("Arith", discovery)
        .client_config(rpcx_config().build().expect("config"))
        .build()
        .await
        .expect("an xclient");
    let arith = ArithClient::new(xclient);
    assert_eq!(arith.mul(&Args { a: 5, b: 5 }).await.expect("ok").c, 25);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn an_xclient_speaks_each_endpoint_s_protocol_and_skips_unknown_ones() {
    use rpc::registry::{Endpoint, EndpointMetadata, StaticDiscovery};
    // Rpcx off: only this project's protocol works with this server.
    let (native_only, native_addr, _) = serve(false).await;
    let endpoint = |protocol: &str| {
        Endpoint::tcp(native_addr.clone())
            .with_metadata(EndpointMetadata::new().with("protocol", protocol))
    };
    let xclient = |endpoints: Vec<Endpoint>| async move {
        let x = rpc::XClient::builder("Arith", StaticDiscovery::new(endpoints))
            .client_config(rpcx_config().build().expect("config"))
            .protocol(Protocol::Rpcx)
            .build()
            .await
            .expect("an xclient");
        ArithClient::new(x)
    };
    let marked = xclient(vec![endpoint("native")]).await;
    assert_eq!(
        marked.mul(&Args { a: 2, b: 5 }).await.expect("native").c,
        10
    );
    // Unmarked: the XClient's default, rpcx, which this server refuses.
    let unmarked = xclient(vec![Endpoint::tcp(native_addr.clone())]).await;
    let status = unmarked.mul(&Args { a: 2, b: 5 }).await.expect_err("rpcx");
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    // A protocol this client does not speak: the endpoint is skipped.
    let unknown = xclient(vec![endpoint("grpc")]).await;
    let status = unknown
        .mul(&Args { a: 2, b: 5 })
        .await
        .expect_err("skipped");
    assert!(
        status.message().contains("no endpoint of Arith is known"),
        "{status}"
    );
    native_only.shutdown_and_wait().await;
}
