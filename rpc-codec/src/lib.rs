//! Payload codecs and compression for the `rpc` framework: how a Rust value
//! becomes the payload bytes of a frame and back, in raw bytes, JSON,
//! protobuf or msgpack, optionally compressed with gzip, zstd or lz4.
//!
//! This crate knows nothing of sockets or runtimes; `rpc-core` puts its output
//! into frames.
//!
//! ```
//! use bytes::Bytes;
//! use rpc_codec::{payload_codec, Codec, Compression, CompressionPolicy};
//!
//! #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
//! struct Reply { c: i64 }
//!
//! let codec = payload_codec!(Reply);
//! let payload = codec.encode_to_bytes(&Reply { c: 56 }, Codec::MsgPack).unwrap();
//! // msgpack with field names: a one-entry map {"c": 56}.
//! assert_eq!(&payload[..], &[0x81, 0xa1, b'c', 0x38]);
//!
//! let policy = CompressionPolicy::new(Compression::Lz4).with_threshold(0);
//! let (used, sent) = policy.apply(Bytes::from(vec![7u8; 10_000])).unwrap();
//! assert_eq!(used, Compression::Lz4);
//! // The receiver bounds what it is willing to inflate.
//! assert!(used.decompress(sent.clone(), 1_000).is_err());
//! assert_eq!(used.decompress(sent, 10_000).unwrap().len(), 10_000);
//!
//! assert_eq!(codec.decode(Codec::MsgPack, payload).unwrap(), Reply { c: 56 });
//! ```

#![forbid(unsafe_code)]

mod codec;
mod compression;
mod error;
mod payload;
pub mod select;

pub use codec::{Codec, CodecSet};
pub use compression::{Compression, CompressionPolicy, DEFAULT_COMPRESSION_THRESHOLD};
pub use error::{BoxError, CodecError, CompressionError, UnknownNumber};
pub use payload::PayloadCodec;

// Re-exported so that users of `#[derive(prost::Message)]` and serde derive in
// generated code can name the exact versions this crate was built against.
pub use prost;
pub use serde;
