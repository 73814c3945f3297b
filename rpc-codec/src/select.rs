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
    /// The codecs of `T`, as a type ([`SharesACodecWith`] compares two).
    fn codecs(&self) -> RawCodecs<T> {
        RawCodecs(PhantomData)
    }
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
    /// The codecs of `T`, as a type ([`SharesACodecWith`] compares two).
    fn codecs(&self) -> SerdeAndProtobufCodecs<T> {
        SerdeAndProtobufCodecs(PhantomData)
    }
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
    /// The codecs of `T`, as a type ([`SharesACodecWith`] compares two).
    fn codecs(&self) -> SerdeCodecs<T> {
        SerdeCodecs(PhantomData)
    }
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
    /// The codecs of `T`, as a type ([`SharesACodecWith`] compares two).
    fn codecs(&self) -> ProtobufCodecs<T> {
        ProtobufCodecs(PhantomData)
    }
}

impl<T: prost::Message + Default> ViaProtobuf<T> for &Probe<T> {
    fn payload_codec(&self) -> PayloadCodec<T> {
        PayloadCodec::protobuf()
    }
}

/// Level 0: no codec at all. Taken only when no level above applies, and
/// then the method's own bound, [`RpcPayload`], fails: the compiler's error
/// names the user's type and says what would give it a codec, rather than
/// listing every probe level's unmet bounds.
pub trait ViaNothing<T> {
    /// Never callable: `T: RpcPayload` holds for no type.
    fn payload_codec(&self) -> PayloadCodec<T>
    where
        T: RpcPayload;
    /// No codecs; compares as sharing one with anything, so that a type
    /// without a codec is reported once, by [`ViaNothing::payload_codec`].
    fn codecs(&self) -> NoCodecs<T> {
        NoCodecs(PhantomData)
    }
}

impl<T> ViaNothing<T> for Probe<T> {
    fn payload_codec(&self) -> PayloadCodec<T>
    where
        T: RpcPayload,
    {
        unreachable!("no type implements RpcPayload")
    }
}

/// Implemented by no type: the bound that reports an argument or reply type
/// no codec can carry.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an rpc argument or reply: no codec can encode it",
    label = "this type has no codec",
    note = "derive `serde::Serialize` and `serde::Deserialize` (JSON and msgpack), or `prost::Message` and `Default` (protobuf), or all of them (all three codecs); `bytes::Bytes` travels as raw bytes"
)]
pub trait RpcPayload {}

/// The codecs of a `Bytes` payload: raw.
#[derive(Debug)]
pub struct RawCodecs<T>(PhantomData<fn() -> T>);
/// The codecs of a type with serde and prost: JSON, msgpack, protobuf.
#[derive(Debug)]
pub struct SerdeAndProtobufCodecs<T>(PhantomData<fn() -> T>);
/// The codecs of a serde type: JSON and msgpack.
#[derive(Debug)]
pub struct SerdeCodecs<T>(PhantomData<fn() -> T>);
/// The codecs of a prost message: protobuf.
#[derive(Debug)]
pub struct ProtobufCodecs<T>(PhantomData<fn() -> T>);
/// The codecs of a type with none (already an error of its own).
#[derive(Debug)]
pub struct NoCodecs<T>(PhantomData<fn() -> T>);

/// A method's argument codecs (`Self`) and reply codecs (`R`) have one in
/// common: a call uses one codec for both, so without one every call would
/// fail. The `#[service]` macro requires it of every method.
#[diagnostic::on_unimplemented(
    message = "this method's argument and reply share no codec: {Self} against {R}",
    label = "no codec can carry both the argument and this reply",
    note = "a call encodes its argument and its reply with the same codec: give both types serde (JSON, msgpack) or both prost (protobuf), or give one of them both; `Bytes` pairs only with `Bytes`"
)]
pub trait SharesACodecWith<R> {}

#[diagnostic::do_not_recommend]
impl<A, R> SharesACodecWith<SerdeAndProtobufCodecs<R>> for SerdeAndProtobufCodecs<A> {}
#[diagnostic::do_not_recommend]
impl<A, R> SharesACodecWith<SerdeCodecs<R>> for SerdeAndProtobufCodecs<A> {}
#[diagnostic::do_not_recommend]
impl<A, R> SharesACodecWith<ProtobufCodecs<R>> for SerdeAndProtobufCodecs<A> {}
#[diagnostic::do_not_recommend]
impl<A, R> SharesACodecWith<SerdeAndProtobufCodecs<R>> for SerdeCodecs<A> {}
#[diagnostic::do_not_recommend]
impl<A, R> SharesACodecWith<SerdeCodecs<R>> for SerdeCodecs<A> {}
#[diagnostic::do_not_recommend]
impl<A, R> SharesACodecWith<SerdeAndProtobufCodecs<R>> for ProtobufCodecs<A> {}
#[diagnostic::do_not_recommend]
impl<A, R> SharesACodecWith<ProtobufCodecs<R>> for ProtobufCodecs<A> {}
#[diagnostic::do_not_recommend]
impl<A, R> SharesACodecWith<RawCodecs<R>> for RawCodecs<A> {}
#[diagnostic::do_not_recommend]
impl<A, R> SharesACodecWith<R> for NoCodecs<A> {}
#[diagnostic::do_not_recommend]
impl<A, R> SharesACodecWith<NoCodecs<R>> for SerdeAndProtobufCodecs<A> {}
#[diagnostic::do_not_recommend]
impl<A, R> SharesACodecWith<NoCodecs<R>> for SerdeCodecs<A> {}
#[diagnostic::do_not_recommend]
impl<A, R> SharesACodecWith<NoCodecs<R>> for ProtobufCodecs<A> {}
#[diagnostic::do_not_recommend]
impl<A, R> SharesACodecWith<NoCodecs<R>> for RawCodecs<A> {}

/// A method's argument or reply codecs (`Self`) have one in common with its
/// typed error's codecs (`E`, `#[rpc(typed_error)]`): the error travels in
/// the call's codec. Holds exactly when [`SharesACodecWith`] does; its own
/// name gives the error its own message.
#[diagnostic::on_unimplemented(
    message = "this method's typed error shares no codec with its argument and reply: {Self} against {E}",
    label = "no codec can carry both this error type and the method's argument and reply",
    note = "a typed error travels in the call's codec: give it the derives its argument and reply have (serde for JSON and msgpack, prost for protobuf)"
)]
pub trait ErrorSharesACodecWith<E> {}

#[diagnostic::do_not_recommend]
impl<T: SharesACodecWith<E>, E> ErrorSharesACodecWith<E> for T {}

/// Compiles only when `types` (an argument's or a reply's codecs) and
/// `error` (a typed error's) share a codec; does nothing. The `#[service]`
/// macro calls it for the argument and the reply of each method marked
/// `#[rpc(typed_error)]`.
pub fn assert_error_shares_codec<T: ErrorSharesACodecWith<E>, E>(_types: &T, _error: &E) {}

/// Compiles only when `argument` and `reply` share a codec; does nothing.
/// The `#[service]` macro calls it once per method with [`codecs_of!`]'s
/// values.
///
/// [`codecs_of!`]: crate::codecs_of
pub fn assert_shared_codec<A: SharesACodecWith<R>, R>(_argument: &A, _reply: &R) {}

/// The widest [`PayloadCodec`] of a concrete type, chosen at compile time.
///
/// [`Bytes`](bytes::Bytes) is raw; a type that derives both serde's traits
/// and `prost::Message` gets JSON, msgpack and protobuf (so do `String`, the
/// integers, `bool` and `()`, which prost encodes as the well-known wrapper
/// messages); a serde type JSON and msgpack; a prost message protobuf. A type
/// that is none of these is a compile error that names it and says which
/// derives would give it a codec.
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
            ViaNothing as _, ViaProtobuf as _, ViaRaw as _, ViaSerde as _, ViaSerdeAndProtobuf as _,
        };
        (&&&&&$crate::select::Probe::<$ty>::new()).payload_codec()
    }};
}

/// The codecs of a concrete type as a type (`SerdeCodecs<T>`, …), chosen by
/// the same probe as [`payload_codec!`], for
/// [`select::assert_shared_codec`](crate::select::assert_shared_codec).
#[macro_export]
macro_rules! codecs_of {
    ($ty:ty) => {{
        #[allow(unused_imports)]
        use $crate::select::{
            ViaNothing as _, ViaProtobuf as _, ViaRaw as _, ViaSerde as _, ViaSerdeAndProtobuf as _,
        };
        (&&&&&$crate::select::Probe::<$ty>::new()).codecs()
    }};
}
