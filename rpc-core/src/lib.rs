//! The core of the `rpc` framework: the wire [`frame`], the [`Status`] every
//! failure crosses the wire as, and call [`Metadata`].
//!
//! ```
//! use bytes::BytesMut;
//! use rpc_core::frame::{Frame, FrameCodec, Message, Request};
//! use rpc_core::{Codec, Compression};
//! use tokio_util::codec::{Decoder, Encoder};
//!
//! let request = Request {
//!     service: "Arith".into(),
//!     method: "Mul".into(),
//!     payload: r#"{"a":7,"b":8}"#.into(),
//!     ..Request::default()
//! };
//! let frame = Frame {
//!     request_id: 1,
//!     codec: Codec::Json,
//!     compression: Compression::None,
//!     message: Message::Request(request),
//! };
//! let mut codec = FrameCodec::new();
//! let mut buf = BytesMut::new();
//! codec.encode(&frame, &mut buf).unwrap();
//! // header, flags, deadline, service, method, metadata count, payload
//! assert_eq!(buf.len(), 16 + 1 + 4 + (1 + 5) + (1 + 3) + 2 + 13);
//! assert_eq!(codec.decode(&mut buf).unwrap(), Some(frame));
//! ```
//!
//! Feature `otel`: the [`trace`] module bridges to OpenTelemetry
//! (`tracing-opentelemetry`), see `docs/OBSERVABILITY.md`.

#![forbid(unsafe_code)]

mod application_error;
mod code;
#[doc(hidden)]
pub mod code_counters;
mod config_error;
mod context;
pub mod dispatch;
pub mod frame;
mod identity;
mod metadata;
mod origin;
mod peer;
pub mod reflection;
pub mod rpcx;
pub mod server;
mod service;
mod status;
mod status_conversions;
#[cfg(feature = "tls")]
pub mod tls;
pub mod trace;

pub use application_error::ApplicationError;
pub use code::Code;
pub use config_error::ConfigError;
pub use context::Context;
pub use identity::{Identity, PeerCertificate};
pub use metadata::Metadata;
pub use origin::Origin;
pub use peer::PeerAddr;
#[doc(hidden)]
pub use service::Service;
pub use service::{BoxFuture, RpcService, ServiceCall, ServiceReply};
pub use status::{NO_RETRY_KEY, ORIGIN_KEY, Status};

pub use rpc_codec::{Codec, Compression};

// Re-exported so users name the versions this crate was built against.
pub use bytes;
pub use tokio_util;
