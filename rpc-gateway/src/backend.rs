//! [`Backend`]: where the gateway's calls go: this server's own dispatch
//! (on a server's port) or a cluster through `XClient`s ([`XClientBackend`]).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use bytestring::ByteString;
use rpc_client::{CallOptions, Channel as _, RawRequest, XClient, XClientConfig};
use rpc_core::server::LocalDispatch;
use rpc_core::{BoxFuture, Codec, Context, Metadata, PeerAddr, ServiceCall, Status};
use rpc_registry::Discovery;

/// One call read from an HTTP request.
#[derive(Debug, Clone)]
pub struct GatewayCall {
    /// The service's wire name.
    pub service: String,
    /// The method's wire name.
    pub method: String,
    /// The payload's codec (the reply comes back in the same one).
    pub codec: Codec,
    /// The request body, as the payload.
    pub payload: Bytes,
    /// Metadata from the request's headers.
    pub metadata: Metadata,
    /// The time the call may take.
    pub timeout: Duration,
    /// The HTTP client's address, when known.
    pub peer: Option<PeerAddr>,
}

/// A successful call's reply payload and metadata.
#[derive(Debug, Clone, Default)]
pub struct GatewayReply {
    /// The reply, in the call's codec.
    pub payload: Bytes,
    /// Reply metadata, sent back in `X-RPCX-Meta`.
    pub metadata: Metadata,
}

/// Carries a [`GatewayCall`] to a service.
pub trait Backend: Send + Sync + 'static {
    /// Runs the call; every failure is a [`Status`].
    fn call(&self, call: GatewayCall) -> BoxFuture<Result<GatewayReply, Status>>;
}

impl Backend for LocalDispatch {
    fn call(&self, call: GatewayCall) -> BoxFuture<Result<GatewayReply, Status>> {
        let dispatch = self.clone();
        Box::pin(async move {
            let context = Context::new(call.service, call.method)
                .with_metadata(call.metadata)
                .with_deadline(Some(Instant::now() + call.timeout))
                .with_peer(call.peer);
            let service_call = ServiceCall {
                context,
                codec: call.codec,
                payload: call.payload,
            };
            match tokio::time::timeout(call.timeout, dispatch.call(service_call)).await {
                Ok(reply) => reply.map(|reply| GatewayReply {
                    payload: reply.payload,
                    metadata: reply.metadata,
                }),
                Err(_) => Err(Status::deadline_exceeded(format!(
                    "no reply within the gateway's {:?}",
                    call.timeout
                ))),
            }
        })
    }
}

/// Services reached through discovery: one `XClient` per service, made on
/// the service's first call and kept.
///
/// A service with no endpoint is answered `service_not_found`. Its
/// `XClient` is kept all the same, with the discovery watch it holds (an
/// etcd watch): the next request for that name reads the watched set, not
/// etcd, and the service is served as soon as an endpoint appears. Service
/// names come from HTTP requests, so at most `max_services` distinct names
/// are ever looked up: a name already looked up is tried again freely, a new
/// one beyond the limit is answered `overloaded`. Made-up names cannot grow
/// the gateway or etcd's watches beyond that, nor turn requests into etcd
/// reads.
#[derive(Clone)]
pub struct XClientBackend {
    inner: Arc<Routes>,
}

struct Routes {
    discovery: Arc<dyn Discovery>,
    config: XClientConfig,
    max_services: usize,
    clients: Mutex<HashMap<String, XClient>>,
    looked_up: Mutex<HashSet<String>>,
}

impl XClientBackend {
    /// Calls through `discovery` with the default `XClientConfig`, keeping
    /// at most 1,024 services.
    pub fn new(discovery: Arc<dyn Discovery>) -> XClientBackend {
        XClientBackend::with_config(discovery, XClientConfig::default(), 1024)
    }

    /// Calls through `discovery`, each service's `XClient` with `config`
    /// (selector, fail mode, timeouts…), keeping at most `max_services`.
    pub fn with_config(
        discovery: Arc<dyn Discovery>,
        config: XClientConfig,
        max_services: usize,
    ) -> XClientBackend {
        XClientBackend {
            inner: Arc::new(Routes {
                discovery,
                config,
                max_services,
                clients: Mutex::new(HashMap::new()),
                looked_up: Mutex::new(HashSet::new()),
            }),
        }
    }
}

impl Routes {
    /// The service's `XClient`, or `service_not_found` while discovery
    /// knows no endpoint of it.
    async fn client(&self, service: &str) -> Result<XClient, Status> {
        let client = self.kept_client(service).await?;
        if client.endpoint_count() == 0 {
            return Err(Status::service_not_found(service));
        }
        Ok(client)
    }

    /// The service's `XClient`, made on first use and kept.
    async fn kept_client(&self, service: &str) -> Result<XClient, Status> {
        if let Some(client) = self.lock().get(service) {
            return Ok(client.clone());
        }
        {
            let mut looked_up = self.looked_up.lock().unwrap_or_else(|p| p.into_inner());
            if !looked_up.contains(service) {
                if looked_up.len() >= self.max_services {
                    return Err(Status::overloaded(format!(
                        "the gateway has looked up {} service names, its limit",
                        self.max_services
                    )));
                }
                looked_up.insert(service.to_owned());
            }
        }
        let client = XClient::builder_shared(service, Arc::clone(&self.discovery))
            .config(self.config.clone())
            .build()
            .await
            .map_err(|error| Status::unavailable(format!("discovery of {service}: {error}")))?;
        let mut clients = self.lock();
        Ok(clients.entry(service.to_owned()).or_insert(client).clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, XClient>> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl std::fmt::Debug for XClientBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XClientBackend")
            .field("services", &self.inner.lock().len())
            .field("max_services", &self.inner.max_services)
            .finish_non_exhaustive()
    }
}

impl Backend for XClientBackend {
    fn call(&self, call: GatewayCall) -> BoxFuture<Result<GatewayReply, Status>> {
        let routes = Arc::clone(&self.inner);
        Box::pin(async move {
            let client = routes.client(&call.service).await?;
            let mut options = CallOptions::new().timeout(call.timeout);
            options.metadata = call.metadata;
            let reply = client
                .call_raw(RawRequest {
                    service: ByteString::from(call.service),
                    method: ByteString::from(call.method),
                    codec: call.codec,
                    payload: call.payload,
                    options,
                })
                .await?;
            Ok(GatewayReply {
                payload: reply.payload,
                metadata: reply.metadata,
            })
        })
    }
}
