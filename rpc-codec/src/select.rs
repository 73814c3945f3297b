//! Compile-time choice of a type's widest [`PayloadCodec`] (autoref specialization).
//!
//! Rust has no stable specialization, so "use prost if the type is a prost
//! message, serde if it is a serde type, both if both" cannot be a blanket impl.
//! Method resolution does the choosing instead: [`payload_codec!`] calls a
//! `&self` method on `&&&&&Probe<T>`; the compiler looks for an impl on
//! `&&&&Probe`, then (peeling one reference at a time) `&&&Probe`, `&&Probe`
//! and `&Probe`, and takes the first whose trait bounds `T` meets. Each level
//! is a trait below: raw bytes first (prost also treats [`Bytes`] as a
//! `BytesValue` message, but a `Bytes` argument means "opaque bytes"), then
//! the widest set of codecs to the narrowest. This works for concrete types, which is what the
//! `#[service]` macro has; generic code names a constructor of
//! [`PayloadCodec`] instead.
//!
//! [`payload_codec!`]: crate::payload_codec

use std::marker::PhantomData;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::PayloadCodec;

/// The receiver the probing method is called on. Only [`payload_codec!`]
/// needs to name it.
///
/// [`payload_codec!`]: crate::payload_codec
#[derive(Debug)]
pub struct Probe<T>(PhantomData<fn() -> T>);

impl<T> Probe<T> {
    /// A probe for `T`.
    pub const fn new() -> Self {
        Probe(PhantomData)
    }
}

impl<T> Default for Probe<T> {
    fn default() -> Self {
        Probe::new()
    }
}

/// Level 4: raw bytes.
pub trait ViaRaw<T> {
    /// The codec table for `T`.
    fn payload_codec(&self) -> PayloadCodec<T>;
}

impl ViaRaw<Bytes> for &&&&Probe<Bytes> {
    fn payload_codec(&self) -> PayloadCodec<Bytes> {
        PayloadCodec::raw()
    }
}

/// Level 3: serde and prost, so JSON, msgpack and protobuf.
pub trait ViaSerdeAndProtobuf<T> {
    /// The codec table for `T`.
    fn payload_codec(&self) -> PayloadCodec<T>;
}

impl<T: Serialize + DeserializeOwned + prost::Message + Default> ViaSerdeAndProtobuf<T>
    for &&&Probe<T>
{
    fn payload_codec(&self) -> PayloadCodec<T> {
        PayloadCodec::all()
    }
}

/// Level 2: serde only, so JSON and msgpack.
pub trait ViaSerde<T> {
    /// The codec table for `T`.
    fn payload_codec(&self) -> PayloadCodec<T>;
}

impl<T: Serialize + DeserializeOwned> ViaSerde<T> for &&Probe<T> {
    fn payload_codec(&self) -> PayloadCodec<T> {
        PayloadCodec::serde()
    }
}

/// Level 1: prost only, so protobuf.
pub trait ViaProtobuf<T> {
    /// The codec table for `T`.
    fn payload_codec(&self) -> PayloadCodec<T>;
}

impl<T: prost::Message + Default> ViaProtobuf<T> for &Probe<T> {
    fn payload_codec(&self) -> PayloadCodec<T> {
        PayloadCodec::protobuf()
    }
}

/// The widest [`PayloadCodec`] of a concrete type, chosen at compile time.
///
/// [`Bytes`](bytes::Bytes) is raw; a type that derives both serde's traits
/// and `prost::Message` gets JSON, msgpack and protobuf (so do `String`, the
/// integers, `bool` and `()`, which prost encodes as the well-known wrapper
/// messages); a serde type JSON and msgpack; a prost message protobuf. A type that is none of these is a
/// compile error naming `payload_codec`.
///
/// ```
/// use rpc_codec::{payload_codec, Codec};
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Args { a: i64, b: i64 }
///
/// let codec = payload_codec!(Args);
/// assert!(codec.supports(Codec::Json));
/// assert!(!codec.supports(Codec::Protobuf));
/// let bytes = codec.encode_to_bytes(&Args { a: 7, b: 8 }, Codec::Json).unwrap();
/// assert_eq!(&bytes[..], br#"{"a":7,"b":8}"#);
/// ```
#[macro_export]
macro_rules! payload_codec {
    ($ty:ty) => {{
        #[allow(unused_imports)]
        use $crate::select::{
            ViaProtobuf as _, ViaRaw as _, ViaSerde as _, ViaSerdeAndProtobuf as _,
        };
        (&&&&&$crate::select::Probe::<$ty>::new()).payload_codec()
    }};
}
