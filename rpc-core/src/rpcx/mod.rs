//! Go rpcx's wire protocol: a 16-byte [`RpcxHeader`] followed by four
//! u32-length-prefixed fields (service path, service method, metadata,
//! payload), and [`RpcxCodec`], which turns a byte stream into
//! [`RpcxMessage`]s and back within [`RpcxLimits`].
//!
//! The layout is rpcx's own (`protocol/message.go` in Go rpcx; facts, not
//! code, carried over). A server tells rpcx connections from native ones by
//! their first byte: [`MAGIC`] (`0x08`) here, `0x8f` for the native frame.
//! `docs/PROTOCOL.md` describes how rpcx messages map onto this project's
//! calls.

mod codec;
mod error;
mod header;
mod limits;
mod message;

pub use codec::RpcxCodec;
pub use error::RpcxError;
pub use header::{
    HEADER_LEN, MAGIC, RpcxCompression, RpcxHeader, RpcxMessageType, RpcxStatus, SerializeType,
};
pub use limits::RpcxLimits;
pub use message::RpcxMessage;

/// Metadata key of an error reply's message (status bit = error).
pub const ERROR_KEY: &str = "__rpcx_error__";
/// Metadata key of the caller's deadline budget, in milliseconds.
pub const SERVER_TIMEOUT_KEY: &str = "__ServerTimeout";
/// Metadata key of the caller's authentication token.
pub const AUTH_KEY: &str = "__AUTH";
/// Payloads above this many bytes are compressed in replies to a caller that
/// compressed (as Go rpcx does).
pub const COMPRESSION_THRESHOLD: usize = 1024;
