//! The HTTP/JSON gateway of the `rpc` framework: `POST /{service}/{method}`
//! with a JSON body answers the reply as JSON, so curl, browsers and rpcx's
//! HTTP clients reach services without this project's client.
//!
//! Two ways to run it:
//!
//! - **on a server's own port**: `Server::builder().http(Gateway::default())`
//!   ([`Gateway`] is an `rpc_core::server::HttpHandler`); the server tells an
//!   HTTP connection from a binary one by its first byte, and calls go
//!   through the server's own auth hook, layers and router;
//! - **standalone**, in front of a cluster: [`Gateway::serve`] with an
//!   [`XClientBackend`], which routes each service through an `XClient`
//!   over discovery (what `rpc gateway --registry URL --listen ADDR` runs).
//!
//! ```no_run
//! # async fn example(service: impl rpc_core::RpcService) -> Result<(), Box<dyn std::error::Error>> {
//! use rpc_core::server::Server;
//! use rpc_gateway::{Gateway, GatewayConfig};
//!
//! let server = Server::builder()
//!     .service(service)
//!     .http(Gateway::new(GatewayConfig::builder().allow_origin("*").build()?))
//!     .bind("127.0.0.1:8972")
//!     .await?;
//! // curl -d '{"a":7,"b":8}' http://127.0.0.1:8972/Arith/Mul
//! # Ok(()) }
//! ```
//!
//! The request: the path names service and method (`/Arith/Mul`), or rpcx's
//! headers do (`X-RPCX-ServicePath`, `X-RPCX-ServiceMethod`, any path); the
//! codec is `X-RPCX-SerializeType` (rpcx's numbers: 0 raw, 1 JSON,
//! 2 protobuf, 3 msgpack), else the `Content-Type`, else JSON; the body is
//! the payload in that codec, passed through untouched (an empty JSON body
//! is `null`, the argument of a method without one); metadata comes from
//! `X-RPCX-Meta` (a URL query string) and `Authorization` (metadata key
//! `__AUTH`, as rpcx has it, and `authorization: Bearer <token>` for the
//! server's authenticator). The response: the reply payload with the
//! reply metadata in `X-RPCX-Meta` and `X-RPCX-MessageStatusType: Normal`;
//! on an error the HTTP status of [`http_status`]'s table, `X-RPCX-MessageStatusType:
//! Error`, `X-RPCX-ErrorMessage`, `X-Rpc-Status` (the code's name) and a
//! JSON body `{"code": "...", "status": N, "message": "..."}`, with
//! `"details"` when the status carries a typed application error
//! (`#[rpc(typed_error)]`) in JSON or msgpack (shown as JSON).
//!
//! Every byte is hostile: bodies over [`GatewayConfig::max_body_bytes`] are
//! refused `413` (from `Content-Length` before reading, else as soon as the
//! limit is passed), request heads over [`GatewayConfig::max_header_bytes`]
//! are refused by hyper, heads and bodies that arrive too slowly end the
//! connection, and each call has a timeout.

#![forbid(unsafe_code)]

mod backend;
mod config;
mod cors;
mod handler;
mod request;
mod response;
mod serve;
mod status_map;

pub use backend::{Backend, GatewayCall, GatewayReply, XClientBackend};
pub use config::{GatewayConfig, GatewayConfigBuilder};
pub use serve::Gateway;
pub use status_map::http_status;
