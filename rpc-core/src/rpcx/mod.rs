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
//!
//! # Where this decoder is stricter than Go rpcx
//!
//! Go rpcx reads whatever a header says; this decoder refuses, with a typed
//! [`RpcxError`], what Go would silently accept or panic on:
//!
//! - compression values other than none/gzip, status values other than
//!   normal/error, serialize types above Thrift (4), and any of the reserved
//!   low four bits of byte 3: [`RpcxError::UnknownCompression`],
//!   [`RpcxError::UnknownStatus`], [`RpcxError::UnknownSerializeType`],
//!   [`RpcxError::ReservedBits`]. Go never writes any of these. The version
//!   byte is carried as is (Go writes 0 and never checks it).
//! - a total length above [`RpcxLimits::max_message_size`], refused as soon
//!   as the 16 header bytes are there and before anything is reserved
//!   ([`RpcxError::TooLarge`]; Go's default is no limit at all).
//! - an inner length prefix pointing past the end of the message or of the
//!   metadata block ([`RpcxError::FieldOverrun`]; Go slices out of range and
//!   recovers from the panic).
//! - bytes left inside the declared length after the payload
//!   ([`RpcxError::TrailingBytes`]; Go hands them to the application as part
//!   of the payload).
//! - service path, method, metadata keys and values that are not UTF-8
//!   ([`RpcxError::NotUtf8`]; Go strings hold any bytes).
//! - metadata over [`MetadataLimits`](crate::frame::MetadataLimits)
//!   ([`RpcxError::MetadataLimit`]).
//! - a gzip payload is not inflated by the decoder at all:
//!   [`RpcxMessage::decompressed_payload`] inflates it within a bound the
//!   caller chooses, refusing a bomb as soon as the bound is crossed.
//!
//! # Which errors close the connection
//!
//! The header errors (and a length over the maximum) close the connection: the
//! stream cannot be resynchronised. The body errors (overrun, trailing bytes,
//! non-UTF-8, metadata over the limits) are detected after the codec has
//! taken the whole message, whose length it knew, out of the buffer: the
//! stream is still aligned, so a server refuses that one message with an
//! error reply carrying its sequence number (no reply if it was oneway) and
//! keeps the connection. [`RpcxError::ends_stream`] tells the two apart.

mod codec;
mod error;
mod header;
mod limits;
mod message;
mod metadata_tally;

pub use codec::{RpcxCodec, RpcxInbound};
pub use error::RpcxError;
pub use header::{
    HEADER_LEN, MAGIC, RpcxCompression, RpcxHeader, RpcxMessageType, RpcxStatus, SerializeType,
};
pub use limits::RpcxLimits;
pub use message::RpcxMessage;
pub use metadata_tally::MetadataTally;

/// Metadata key of an error reply's message (status bit = error).
pub const ERROR_KEY: &str = "__rpcx_error__";
/// Metadata key of the caller's deadline budget, in milliseconds.
pub const SERVER_TIMEOUT_KEY: &str = "__ServerTimeout";
/// Metadata key of the reply's status code ([`Code::name`](crate::Code::name),
/// e.g. `method_not_found`), this project's addition beside [`ERROR_KEY`].
pub const CODE_KEY: &str = "__rpc_code__";
/// Metadata key of the caller's authentication token.
pub const AUTH_KEY: &str = "__AUTH";
/// Payloads above this many bytes are compressed in replies to a caller that
/// compressed (as Go rpcx does).
pub const COMPRESSION_THRESHOLD: usize = 1024;
