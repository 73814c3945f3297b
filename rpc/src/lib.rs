//! `rpc`: rpcx-style RPC for Rust. One dependency, one attribute on a trait, a
//! lean binary protocol, discovery through etcd and client-side load balancing.
//!
//! This facade re-exports the framework's crates. Today it holds the wire
//! layer: payload codecs ([`codec`]) and frames and statuses ([`core`]).

#![forbid(unsafe_code)]

pub use rpc_codec as codec;
pub use rpc_core as core;

pub use rpc_core::{Code, Codec, Compression, Metadata, Status};
