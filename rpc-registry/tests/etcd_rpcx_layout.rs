//! rpcx-etcd's key layout in a real etcd, both ways:
//!
//! - keys written exactly as Go rpcx's etcd register plugin writes them
//!   (`serverplugin/etcdv3.go`: `{BasePath}` → `rpcx_path`,
//!   `{BasePath}/{Service}` → the service name, and
//!   `{BasePath}/{Service}/tcp@host:port` → the metadata query string), with
//!   the leading `/` of `BasePath` stripped as a libkv-normalizing store
//!   does, are discovered by this project's `EtcdDiscovery` (base
//!   `rpcx_test`), and its XClient calls each endpoint in the protocol the
//!   endpoint's `protocol` key names, rpcx (the default set for a Go fleet)
//!   when there is none;
//! - the keys this project's `EtcdRegistry` writes are found by Go rpcx's
//!   discovery listing rule (`client/etcdv3_discovery.go`, re-typed below
//!   as facts), with the base path with or without its leading `/`.

#![cfg(feature = "etcd")]

mod support;

use std::time::Duration;

use rpc_client::{CallOptions, Channel, ClientConfig, Credential, Protocol, RawRequest, XClient};
use rpc_core::bytes::Bytes;
use rpc_core::rpcx::AUTH_KEY;
use rpc_core::server::{Server, ServerHandle};
use rpc_registry::etcd::{EtcdConfig, EtcdDiscovery, EtcdRegistry};
use rpc_registry::{EndpointMetadata, Registration};
use support::{Etcd, eventually};

/// `Arith.Mul` answering `{name}:{protocol}`: `rpcx` when the call came
/// over rpcx (the rpcx connection keeps the `__AUTH` entry its credential
/// became), `native` otherwise.
struct Teller(&'static str);

impl rpc_core::Service for Teller {
    fn name(&self) -> &'static str {
        "Arith"
    }
    fn methods(&self) -> &'static [&'static str] {
        &["Mul"]
    }
    fn call(
        &self,
        call: rpc_core::ServiceCall,
    ) -> rpc_core::BoxFuture<Result<rpc_core::ServiceReply, rpc_core::Status>> {
        let protocol = if call.context.metadata().get(AUTH_KEY).is_some() {
            "rpcx"
        } else {
            "native"
        };
        let answer = format!("{}:{protocol}", self.0);
        Box::pin(async move {
            Ok(rpc_core::ServiceReply {
                payload: Bytes::from(answer),
                metadata: Default::default(),
            })
        })
    }
}

async fn serve(name: &'static str) -> (ServerHandle, String) {
    let server = Server::builder()
        .rpcx(true)
        .service(Teller(name))
        .bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = server.local_addr().expect("a TCP address").to_string();
    (server, addr)
}

async fn mul(x: &XClient) -> String {
    let reply = x
        .call_raw(RawRequest {
            service: "Arith".into(),
            method: "Mul".into(),
            codec: rpc_core::Codec::Raw,
            payload: Bytes::new(),
            options: CallOptions::new(),
        })
        .await
        .expect("a call through the XClient");
    String::from_utf8(reply.payload.to_vec()).expect("UTF-8")
}

#[tokio::test]
async fn a_go_fleet_s_keys_are_discovered_and_called_in_each_endpoint_s_protocol() {
    let etcd = Etcd::start().await;
    let (go, go_addr) = serve("go").await;
    let (ours, our_addr) = serve("ours").await;
    // As Go's plugin writes them for BasePath "/rpcx_test", through a store
    // that strips the leading slash: a Go server's metadata says nothing of
    // its protocol; the second endpoint says it speaks this project's.
    let mut kv = etcd.client().await;
    for (key, value) in [
        ("rpcx_test".to_owned(), "rpcx_path".to_owned()),
        ("rpcx_test/Arith".to_owned(), "Arith".to_owned()),
        (format!("rpcx_test/Arith/tcp@{go_addr}"), String::new()),
        (
            format!("rpcx_test/Arith/tcp@{our_addr}"),
            "protocol=native".to_owned(),
        ),
    ] {
        kv.put(key, value, None).await.expect("put");
    }
    let host = etcd.endpoint(0).replace("http://", "");
    let config =
        EtcdConfig::from_url(&format!("etcd://{host}?base=rpcx_test")).expect("a valid URL");
    let discovery = EtcdDiscovery::connect(config).await.expect("discovery");
    let client = ClientConfig::builder()
        .credential(Credential::bearer("token"))
        .build()
        .expect("a valid config");
    let x = XClient::builder("Arith", discovery)
        .client_config(client)
        .protocol(Protocol::Rpcx)
        .select_mode(rpc_client::SelectMode::RoundRobin)
        .build()
        .await
        .expect("an xclient");
    let mut answers = vec![mul(&x).await, mul(&x).await];
    answers.sort();
    assert_eq!(answers, ["go:rpcx", "ours:native"]);
    go.shutdown_and_wait().await;
    ours.shutdown_and_wait().await;
}

/// Go rpcx's discovery listing, re-typed from `client/etcdv3_discovery.go`
/// (`NewEtcdV3Discovery` → `NewEtcdV3DiscoveryStore`): the directory is
/// `basePath + "/" + servicePath` less one trailing `/`; the store lists
/// every key with that prefix (a libkv-normalizing store first strips the
/// directory's leading `/`); the prefix to strip is the directory plus `/`,
/// with a leading `/` if the first listed key has one and without one if it
/// has none; keys equal to the directory, or not under the prefix, are
/// skipped; what remains is `tcp@host:port` → the metadata query.
async fn go_list(
    kv: &mut etcd_client::Client,
    base_path: &str,
    service_path: &str,
    normalizing_store: bool,
) -> Vec<(String, String)> {
    let mut directory = format!("{base_path}/{service_path}");
    if directory.len() > 1 && directory.ends_with('/') {
        directory.pop();
    }
    let listed = if normalizing_store {
        directory.trim_start_matches('/').to_owned()
    } else {
        directory.clone()
    };
    let response = kv
        .get(listed, Some(etcd_client::GetOptions::new().with_prefix()))
        .await
        .expect("list");
    let mut prefix = String::new();
    let mut pairs = Vec::new();
    for kv in response.kvs() {
        let key = kv.key_str().expect("UTF-8 key");
        if prefix.is_empty() {
            let bare = directory.trim_start_matches('/');
            prefix = if key.starts_with('/') {
                format!("/{bare}/")
            } else {
                format!("{bare}/")
            };
        }
        if key == &prefix[..prefix.len() - 1] || !key.starts_with(&prefix) {
            continue;
        }
        let value = kv.value_str().expect("UTF-8 value");
        pairs.push((key[prefix.len()..].to_owned(), value.to_owned()));
    }
    pairs
}

#[tokio::test]
async fn our_keys_are_found_by_go_s_listing_rule() {
    let etcd = Etcd::start().await;
    // (our base, Go's BasePath, whether Go's store strips the leading /)
    let layouts = [
        ("rpcx_test", "/rpcx_test", true),
        ("/rpcx_v3", "/rpcx_v3", false),
    ];
    for (base, go_base_path, normalizing) in layouts {
        let config = EtcdConfig::builder(etcd.endpoints())
            .base(base)
            .build()
            .unwrap();
        let registry = EtcdRegistry::connect(config).await.expect("registry");
        let server = Server::builder()
            .rpcx(true)
            .service(Teller("ours"))
            .registry(
                Registration::new(registry).metadata(EndpointMetadata::new().with("group", "blue")),
            )
            .bind("127.0.0.1:0")
            .await
            .expect("bind");
        let id = format!("tcp@{}", server.local_addr().expect("TCP"));
        let kv = etcd.client().await;
        let found = eventually(Duration::from_secs(10), || {
            let mut kv = kv.clone();
            let id = id.clone();
            async move {
                go_list(&mut kv, go_base_path, "Arith", normalizing)
                    .await
                    .iter()
                    .any(|(key, value)| *key == id && value.contains("group=blue"))
            }
        })
        .await;
        assert!(found.is_some(), "{base}: {id} not listed by Go's rule");
        server.shutdown_and_wait().await;
    }
}
