//! `rpc`: rpcx-style RPC for Rust. One dependency, one attribute on a trait, a
//! lean binary protocol, discovery through etcd and client-side load balancing.
//!
//! Declare a service on a trait, implement it, serve it, call it:
//!
//! ```
//! use rpc::{CallOptions, Client, Codec, Context, Server, Status};
//!
//! #[derive(Debug, serde::Serialize, serde::Deserialize)]
//! pub struct Args { pub a: i64, pub b: i64 }
//!
//! #[rpc::service]
//! pub trait Arith {
//!     /// `a * b`; says who answered in the reply metadata.
//!     async fn mul(&self, ctx: &Context, args: Args) -> Result<i64, Status>;
//!     /// `a / b`. On the wire a method is named in UpperCamelCase, as
//!     /// rpcx's Go methods are: this one is `Arith.Div`.
//!     async fn div(&self, args: Args) -> Result<i64, Status>;
//! }
//!
//! struct Calculator;
//!
//! impl Arith for Calculator {
//!     async fn mul(&self, ctx: &Context, args: Args) -> Result<i64, Status> {
//!         ctx.set_reply_metadata("served-by", "calculator");
//!         Ok(args.a * args.b)
//!     }
//!     async fn div(&self, args: Args) -> Result<i64, Status> {
//!         args.a.checked_div(args.b).ok_or_else(|| Status::application("division by zero"))
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = Server::builder()
//!     .service(ArithServer::new(Calculator))
//!     .bind("127.0.0.1:0")
//!     .await?;
//! let addr = server.local_addr().unwrap();
//!
//! let arith = ArithClient::new(Client::new(addr.to_string()));
//! assert_eq!(arith.mul(&Args { a: 7, b: 8 }).await?, 56);
//!
//! let reply = arith
//!     .mul_with(&Args { a: 6, b: 7 }, CallOptions::new().codec(Codec::Json))
//!     .await?;
//! assert_eq!((reply.value, reply.metadata.get("served-by")), (42, Some("calculator")));
//!
//! let error = arith.div(&Args { a: 1, b: 0 }).await.unwrap_err();
//! assert_eq!(error.code(), rpc::Code::Application);
//!
//! // Dynamic calls by wire name, for tools without the trait
//! // (`#[rpc(name = "...")]` on a method would choose another name):
//! let quotient: i64 = Client::new(addr.to_string()).call("Arith", "Div", &Args { a: 84, b: 2 }).await?;
//! assert_eq!(quotient, 42);
//!
//! server.shutdown_and_wait().await;
//! # Ok(()) }
//! ```
//!
//! # Where things are
//!
//! Everything a user needs is re-exported here, with its own page:
//!
//! - declaring and serving: [`service`] (the attribute), [`Server`],
//!   [`ServerBuilder`] (limits, layers, auth, TLS, registry and
//!   [`OnRegistryFailure`]), [`ServerHandle`], [`Context`], [`Status`] and
//!   its [`Code`]s; services by hand: [`RpcService`], [`ServiceCall`],
//!   [`ServiceReply`];
//! - calling: [`Client`] and [`ClientConfig`] for one server, [`XClient`]
//!   built by [`XClientBuilder`] for a cluster ([`SelectMode`],
//!   [`FailMode`], [`BreakerConfig`], [`RetryBudgetConfig`]),
//!   [`CallOptions`] per call, [`Channel`] under the typed stubs;
//!   [`Protocol::Rpcx`] to call Go rpcx servers;
//! - registries: [`discovery_from_url`] and [`registry_from_url`]
//!   (`etcd://host:port`, `static://host:port,…`), [`Registration`] to
//!   announce a server, [`MemoryRegistry`], [`StaticDiscovery`], and with
//!   the `etcd` feature `EtcdConfig`, `EtcdRegistry`, `EtcdDiscovery`.
//!
//! ```
//! // Each of these names is a page of these docs (a compile check that the
//! // facade keeps them).
//! use rpc::{
//!     AnnounceError, BreakerConfig, CallOptions, Client, ClientConfig, FailMode, MemoryRegistry,
//!     OnRegistryFailure, Registration, RetryBudgetConfig, SelectMode, ServerBuilder, ServiceCall,
//!     StaticDiscovery, XClient, XClientBuilder, XClientConfig, discovery_from_url,
//!     registry_from_url,
//! };
//! #[cfg(feature = "etcd")]
//! use rpc::{EtcdConfig, EtcdDiscovery, EtcdRegistry};
//!
//! assert_eq!(BreakerConfig::default().failures(), 5);
//! assert_eq!(OnRegistryFailure::default(), OnRegistryFailure::KeepTrying);
//! ```
//!
//! The crates behind it are here too, whole: payload codecs ([`codec`]),
//! frames, statuses and the server ([`core`]), the client ([`client`]),
//! registration and discovery ([`registry`]).
//!
//! One address syntax for etcd: `etcd://host:port` (`etcds://` over TLS)
//! wherever an etcd endpoint is taken (URLs, `EtcdConfig::new`, the `rpc`
//! command line); etcd's own `http://host:port` is accepted by
//! `EtcdConfig::new` as an alias, and refused with a hint by the URL parsers.
//!
//! # Cargo features
//!
//! - `etcd`: etcd v3 registration and discovery (`rpc::registry::etcd`,
//!   re-exported here). Off by default because its client needs `protoc`
//!   (Debian's `protobuf-compiler`) to build; everything else needs only
//!   the Rust toolchain.
//! - `tls`: TLS and mutual TLS (rustls, ring provider; no OpenSSL):
//!   `ServerBuilder::tls` with `ServerTls`, `ClientConfig::tls` with
//!   `ClientTls`, and with `etcd` a TLS connection to etcd. Bearer-token
//!   auth ([`Credential`], [`Authenticator`]) needs no feature.
//! - `otel`: call spans and W3C trace context bridged to OpenTelemetry
//!   through `tracing-opentelemetry` (`docs/OBSERVABILITY.md`, which also
//!   shows the OTLP exporter).
//! - `schemars`: JSON Schemas of argument and reply types in reflection.
//!
//! Metrics (through the `metrics` facade), a `tracing` span per call, W3C
//! trace context, the built-in `rpc.Health` service and the admin listener
//! need no feature: see `docs/OBSERVABILITY.md`. Logs go through `tracing`:
//! install a subscriber (`tracing-subscriber`) to see them, among them the
//! WARN of a server its registry could not announce.
//!
//! # Not supported yet
//!
//! - Streaming: no client, server or bidirectional streams; a call is one
//!   request and one reply (oneway calls aside).
//! - Registries other than etcd, a static list and the in-process one
//!   (no Consul, ZooKeeper, Nacos); transports other than TCP and Unix
//!   sockets (no QUIC, no KCP).
//! - Codecs for protobuf are prost types only (no `.proto` compiler step of
//!   its own); the gateway speaks JSON over HTTP/1.1 only.

#![forbid(unsafe_code)]

#[doc(inline)]
pub use rpc_client as client;
#[doc(inline)]
pub use rpc_codec as codec;
#[doc(inline)]
pub use rpc_core as core;
#[doc(inline)]
pub use rpc_registry as registry;

#[doc(inline)]
pub use rpc_client::{
    BackupDelay, BreakerConfig, BreakerConfigBuilder, CallError, CallOptions, CallReply, Channel,
    Client, ClientConfig, ClientConfigBuilder, Credential, FailMode, Layered, Protocol, RawReply,
    RawRequest, RetryBudgetConfig, RetryBudgetConfigBuilder, SelectMode, Selector, Target, XClient,
    XClientBuilder, XClientConfig, XClientConfigBuilder,
};
#[doc(inline)]
pub use rpc_codec::CompressionPolicy;
/// The name [`RpcService`] had before issue 15 (hidden; it will go).
#[doc(hidden)]
pub use rpc_core::Service;
#[doc(inline)]
pub use rpc_core::frame::MetadataLimits;
#[doc(inline)]
pub use rpc_core::server::{
    AnnounceError, Announcer, Authenticator, Health, HealthStatus, MetricsRender,
    OnRegistryFailure, Server, ServerBuilder, ServerConfig, ServerConfigBuilder, ServerHandle,
};
#[doc(inline)]
pub use rpc_core::trace::TraceContext;
#[doc(inline)]
pub use rpc_core::{
    ApplicationError, Code, Codec, Compression, ConfigError, Context, Identity, Metadata, Origin,
    PeerAddr, PeerCertificate, RpcService, ServiceCall, ServiceReply, Status,
};
#[doc(inline)]
pub use rpc_macros::service;
#[cfg(feature = "etcd")]
#[doc(inline)]
pub use rpc_registry::etcd::{
    EtcdConfig, EtcdConfigBuilder, EtcdCredentials, EtcdDiscovery, EtcdRegistry, EtcdSetupError,
    EtcdTls,
};
#[doc(inline)]
pub use rpc_registry::{
    BackendError, Discovery, Endpoint, EndpointMetadata, MemoryRegistry, Registration, Registry,
    RegistryError, SelfPreservation, StaticDiscovery, discovery_from_url, registry_from_url,
};
#[cfg(feature = "tls")]
#[doc(inline)]
pub use {
    rpc_client::{ClientTls, ClientTlsBuilder},
    rpc_core::tls::{ServerTls, ServerTlsBuilder, TlsError},
};

/// What code generated by `#[service]` names. Not a public API: it changes
/// whenever the generator does.
#[doc(hidden)]
pub mod __private {
    pub use bytestring::ByteString;
    pub use rpc_client::typed::{call_typed, call_typed_with_error, send_oneway_typed};
    pub use rpc_client::{CallError, CallOptions, CallReply, Channel};
    pub use rpc_codec::select::{assert_error_shares_codec, assert_shared_codec};
    pub use rpc_codec::{PayloadCodec, codecs_of, payload_codec};
    pub use rpc_core::dispatch::{
        decode_argument, encode_result, encode_typed_result, unknown_method,
    };
    pub use rpc_core::reflection::{MethodDescription, ServiceDescription};
    pub use rpc_core::type_schema;
    pub use rpc_core::{BoxFuture, Context, RpcService, ServiceCall, ServiceReply, Status};
}
