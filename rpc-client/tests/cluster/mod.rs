//! A cluster of real servers on 127.0.0.1 for the XClient tests: each runs
//! the "Node" service, registered in an in-process registry, and behaves as
//! the test tells it (answer, refuse as overloaded, hang, fail).

#![allow(dead_code, unreachable_pub)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rpc_codec::payload_codec;
use rpc_core::dispatch::{decode_argument, encode_reply, unknown_method};
use rpc_core::server::{Server, ServerHandle};
use rpc_core::{BoxFuture, RpcService, ServiceCall, ServiceReply, Status};
use rpc_registry::{Endpoint, EndpointMetadata, MemoryRegistry, Registry};

pub mod relay;

/// How a node answers `Node.whoami`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Its name.
    Answer,
    /// `overloaded` (retryable).
    Overloaded,
    /// An application error (not retryable).
    Fail,
    /// Sleeps for a minute (until cancelled).
    Hang,
    /// Answers after this long.
    Sleep(Duration),
    /// `payload_too_large`: a status about the request, not the endpoint.
    TooLarge,
    /// `overloaded` on every other call (the 1st, 3rd, 5th…), an answer on
    /// the rest: never two failures in a row.
    Flaky,
}

/// What a node saw.
#[derive(Debug, Default)]
pub struct Seen {
    pub calls: AtomicUsize,
    pub retries: AtomicUsize,
    pub cancelled: AtomicUsize,
}

/// The "Node" service of one server.
#[derive(Clone)]
pub struct NodeService {
    pub name: String,
    pub behaviour: Arc<Mutex<Behaviour>>,
    pub seen: Arc<Seen>,
}

struct CountsCancelled(Arc<Seen>, bool);

impl Drop for CountsCancelled {
    fn drop(&mut self) {
        if !self.1 {
            self.0.cancelled.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl RpcService for NodeService {
    fn name(&self) -> &'static str {
        "Node"
    }

    fn methods(&self) -> &'static [&'static str] {
        &["whoami"]
    }

    fn call(&self, call: ServiceCall) -> BoxFuture<Result<ServiceReply, Status>> {
        if call.context.method() != "whoami" {
            return unknown_method(&call);
        }
        let node = self.clone();
        Box::pin(async move {
            let call_number = node.seen.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if call.context.is_retry() {
                node.seen.retries.fetch_add(1, Ordering::SeqCst);
            }
            let argument = payload_codec!(String);
            let _key: String = decode_argument(&call, &argument, &argument)?;
            let behaviour = *node.behaviour.lock().unwrap();
            match behaviour {
                Behaviour::Answer => {}
                Behaviour::Overloaded => return Err(Status::overloaded("busy, on purpose")),
                Behaviour::Fail => return Err(Status::application("failing, on purpose")),
                Behaviour::Flaky if call_number % 2 == 1 => {
                    return Err(Status::overloaded("flaky, on purpose"));
                }
                Behaviour::Flaky => {}
                Behaviour::Sleep(pause) => tokio::time::sleep(pause).await,
                Behaviour::TooLarge => {
                    return Err(Status::new(
                        rpc_core::Code::PayloadTooLarge,
                        "too large, on purpose",
                    ));
                }
                Behaviour::Hang => {
                    let mut guard = CountsCancelled(Arc::clone(&node.seen), false);
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    guard.1 = true;
                }
            }
            encode_reply(&call.context, call.codec, &node.name, &argument)
        })
    }
}

/// One running node.
pub struct Node {
    pub name: String,
    pub handle: ServerHandle,
    pub endpoint: Endpoint,
    pub behaviour: Arc<Mutex<Behaviour>>,
    pub seen: Arc<Seen>,
}

impl Node {
    pub fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().unwrap() = behaviour;
    }

    pub fn calls(&self) -> usize {
        self.seen.calls.load(Ordering::SeqCst)
    }

    pub fn retries(&self) -> usize {
        self.seen.retries.load(Ordering::SeqCst)
    }

    pub fn cancelled(&self) -> usize {
        self.seen.cancelled.load(Ordering::SeqCst)
    }
}

/// Nodes registered in one in-process registry.
pub struct Cluster {
    pub registry: MemoryRegistry,
    pub nodes: Vec<Node>,
}

impl Cluster {
    /// `weights.len()` nodes named n0, n1…, each registered with its weight.
    pub async fn start(weights: &[u32]) -> Cluster {
        let mut cluster = Cluster {
            registry: MemoryRegistry::new(),
            nodes: Vec::new(),
        };
        for weight in weights {
            cluster
                .add(EndpointMetadata::new().with("weight", weight.to_string()))
                .await;
        }
        cluster
    }

    /// Starts one more node and registers it with `metadata`.
    pub async fn add(&mut self, metadata: EndpointMetadata) -> usize {
        let index = self.nodes.len();
        let name = format!("n{index}");
        let service = NodeService {
            name: name.clone(),
            behaviour: Arc::new(Mutex::new(Behaviour::Answer)),
            seen: Arc::default(),
        };
        let handle = Server::builder()
            .service(service.clone())
            .grace_period(Duration::from_millis(200))
            .bind("127.0.0.1:0")
            .await
            .expect("bind");
        let endpoint =
            Endpoint::tcp(handle.local_addr().unwrap().to_string()).with_metadata(metadata);
        self.registry.register("Node", &endpoint).await.unwrap();
        self.nodes.push(Node {
            name,
            handle,
            endpoint,
            behaviour: service.behaviour,
            seen: service.seen,
        });
        index
    }

    /// Which node has this endpoint id.
    pub fn name_of(&self, id: &str) -> &str {
        &self
            .nodes
            .iter()
            .find(|n| n.endpoint.id() == id)
            .unwrap()
            .name
    }

    /// Calls per node, in node order.
    pub fn calls(&self) -> Vec<usize> {
        self.nodes.iter().map(Node::calls).collect()
    }
}

/// A closed port: connecting to it is refused.
pub fn refusing_endpoint() -> Endpoint {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    Endpoint::tcp(addr.to_string())
}

/// Calls `Node.whoami` through `channel`: the answering node's name.
pub async fn whoami<C: rpc_client::Channel>(
    channel: &C,
    key: &str,
    options: rpc_client::CallOptions,
) -> Result<String, Status> {
    rpc_client::typed::call_dynamic::<C, String, String>(
        channel,
        "Node",
        "whoami",
        &key.to_owned(),
        options,
    )
    .await
    .map(|reply| reply.value)
}

/// A selector that always takes the first available candidate: makes
/// "which endpoint did the first try go to" deterministic (endpoints sort by
/// address).
#[derive(Debug, Default)]
pub struct First;

impl rpc_client::Selector for First {
    fn update(&self, _: &[rpc_client::xclient::Candidate]) {}

    fn select(
        &self,
        candidates: &dyn rpc_client::xclient::Candidates,
        _: &rpc_client::xclient::CallInfo<'_>,
    ) -> Option<usize> {
        candidates.next_available(0)
    }
}
