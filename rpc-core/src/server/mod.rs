//! The server: accepts connections, decodes frames, runs handlers
//! concurrently under limits, and writes replies in batches.
//!
//! ```no_run
//! # async fn example(service: impl rpc_core::RpcService) -> std::io::Result<()> {
//! use std::time::Duration;
//! use rpc_core::server::Server;
//!
//! let handle = Server::builder()
//!     .service(service)
//!     .max_calls_per_connection(1_000)
//!     .handler_timeout(Duration::from_secs(5))
//!     .bind("127.0.0.1:0")
//!     .await?;
//! println!("listening on {}", handle.addr());
//! handle.shutdown_and_wait().await;
//! # Ok(()) }
//! ```
//!
//! Per connection, a reader task decodes frames and starts one task per call
//! (so replies leave in completion order), and a writer task takes every
//! reply that is ready into one buffer and one write. A bad frame closes only
//! its connection, with the reason logged.

mod admin;
mod admin_http;
mod announce;
mod announcing;
mod authenticator;
mod builder;
mod config;
mod connection;
mod handle;
mod handler;
mod health;
mod http;
mod in_flight;
mod inline_policy;
mod instrument;
mod limit;
mod listener;
mod log_gate;
mod metrics;
mod reply;
mod router;
mod rpcx_call;
mod rpcx_connection;
mod rpcx_reader;
mod rpcx_writer;
mod transport;
mod watchdog;

pub use admin::MetricsRender;
pub use announce::{AnnounceError, Announcer, OnRegistryFailure};
pub use authenticator::{AUTHORIZATION_KEY, Authenticator, BEARER_PREFIX};
pub use builder::{Server, ServerBuilder};
pub use config::{ServerConfig, ServerConfigBuilder};
pub use handle::ServerHandle;
pub use health::{
    HEALTH_CHECK, HEALTH_SERVICE, Health, HealthCheckReply, HealthCheckRequest, HealthStatus,
};
pub use http::{HttpHandler, HttpStream, LocalDispatch};
pub use router::{AuthHook, Router};
