//! A middle tier for call-chain tests: servers whose "Relay" service
//! answers `whoami` by calling the "Node" service through an XClient of
//! their own, passing the call's context on and returning its error as is.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use rpc_client::{CallOptions, XClient};
use rpc_codec::payload_codec;
use rpc_core::dispatch::{decode_argument, encode_reply, unknown_method};
use rpc_core::server::{Server, ServerHandle};
use rpc_core::{BoxFuture, RpcService, ServiceCall, ServiceReply, Status};
use rpc_registry::{Endpoint, MemoryRegistry, Registry};

use super::{Seen, whoami};

/// The "Relay" service of one middle-tier server.
#[derive(Clone)]
struct RelayService {
    downstream: XClient,
    seen: Arc<Seen>,
}

impl RpcService for RelayService {
    fn name(&self) -> &'static str {
        "Relay"
    }

    fn methods(&self) -> &'static [&'static str] {
        &["whoami"]
    }

    fn call(&self, call: ServiceCall) -> BoxFuture<Result<ServiceReply, Status>> {
        if call.context.method() != "whoami" {
            return unknown_method(&call);
        }
        let relay = self.clone();
        Box::pin(async move {
            relay.seen.calls.fetch_add(1, Ordering::SeqCst);
            if call.context.is_retry() {
                relay.seen.retries.fetch_add(1, Ordering::SeqCst);
            }
            let argument = payload_codec!(String);
            let key: String = decode_argument(&call, &argument, &argument)?;
            let options = CallOptions::propagate(&call.context);
            let name = whoami(&relay.downstream, &key, options).await?;
            encode_reply(&call.context, call.codec, &name, &argument)
        })
    }
}

/// One running middle-tier server.
pub struct Relay {
    pub handle: ServerHandle,
    pub seen: Arc<Seen>,
}

impl Relay {
    pub fn calls(&self) -> usize {
        self.seen.calls.load(Ordering::SeqCst)
    }
}

/// Starts `count` relays calling through `downstream`, registered as
/// "Relay" in `registry`.
pub async fn start_relays(
    count: usize,
    registry: &MemoryRegistry,
    downstream: &XClient,
) -> Vec<Relay> {
    let mut relays = Vec::new();
    for _ in 0..count {
        let service = RelayService {
            downstream: downstream.clone(),
            seen: Arc::default(),
        };
        let handle = Server::builder()
            .service(service.clone())
            .bind("127.0.0.1:0")
            .await
            .expect("bind");
        let endpoint = Endpoint::tcp(handle.local_addr().unwrap().to_string());
        registry.register("Relay", &endpoint).await.unwrap();
        relays.push(Relay {
            handle,
            seen: service.seen,
        });
    }
    relays
}

/// Calls `Relay.whoami` through `channel`.
pub async fn relay_whoami<C: rpc_client::Channel>(
    channel: &C,
    key: &str,
) -> Result<String, Status> {
    rpc_client::typed::call_dynamic::<C, String, String>(
        channel,
        "Relay",
        "whoami",
        &key.to_owned(),
        CallOptions::new(),
    )
    .await
    .map(|reply| reply.value)
}
