//! [`PayloadCodec`]: how one payload type is written and read in each codec it supports.

use std::fmt;

use bytes::{BufMut, Bytes, BytesMut};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::CodecError;
use crate::{Codec, CodecSet};

type EncodeFn<T> = fn(&T, Codec, &mut BytesMut) -> Result<(), CodecError>;
type DecodeFn<T> = fn(Codec, Bytes) -> Result<T, CodecError>;

/// The encoder and decoder of one payload type: a table of two function
/// pointers plus the set of codecs the type supports.
///
/// It is built at compile time from what the type implements:
/// [`PayloadCodec::serde`] for serde types (JSON, msgpack),
/// [`PayloadCodec::protobuf`] for prost messages, [`PayloadCodec::all`] for a
/// type that is both, [`PayloadCodec::raw`] for [`Bytes`]. Code that knows the
/// concrete type but not which of these apply (the `#[service]` macro) gets the
/// widest one with [`payload_codec!`](crate::payload_codec).
///
/// Asking for a codec outside the set is [`CodecError::Unsupported`], never a panic.
pub struct PayloadCodec<T> {
    supported: CodecSet,
    encode: EncodeFn<T>,
    decode: DecodeFn<T>,
}

impl<T> PayloadCodec<T> {
    /// The codecs this type can be written and read with.
    pub const fn supported(&self) -> CodecSet {
        self.supported
    }

    /// Whether `codec` is supported.
    pub const fn supports(&self, codec: Codec) -> bool {
        self.supported.contains(codec)
    }

    /// Appends `value` encoded with `codec` to `dst`.
    pub fn encode(&self, value: &T, codec: Codec, dst: &mut BytesMut) -> Result<(), CodecError> {
        self.check(codec)?;
        (self.encode)(value, codec, dst)
    }

    /// Encodes `value` with `codec` into a buffer of its own.
    pub fn encode_to_bytes(&self, value: &T, codec: Codec) -> Result<Bytes, CodecError> {
        // Each encoder sizes the buffer: protobuf exactly, serde with a
        // first guess (see `encode_serde`).
        let mut dst = BytesMut::new();
        self.encode(value, codec, &mut dst)?;
        Ok(dst.freeze())
    }

    /// Decodes a value from `src`, which must hold exactly one payload in `codec`.
    pub fn decode(&self, codec: Codec, src: Bytes) -> Result<T, CodecError> {
        self.check(codec)?;
        (self.decode)(codec, src)
    }

    fn check(&self, codec: Codec) -> Result<(), CodecError> {
        if self.supported.contains(codec) {
            Ok(())
        } else {
            Err(CodecError::Unsupported {
                codec,
                supported: self.supported,
            })
        }
    }
}

impl<T: Serialize + DeserializeOwned> PayloadCodec<T> {
    /// JSON and msgpack through serde.
    pub const fn serde() -> Self {
        PayloadCodec {
            supported: CodecSet::SERDE,
            encode: encode_serde::<T>,
            decode: decode_serde::<T>,
        }
    }
}

impl<T: prost::Message + Default> PayloadCodec<T> {
    /// Protobuf through prost.
    pub const fn protobuf() -> Self {
        PayloadCodec {
            supported: CodecSet::PROTOBUF,
            encode: encode_protobuf::<T>,
            decode: decode_protobuf::<T>,
        }
    }
}

impl<T: Serialize + DeserializeOwned + prost::Message + Default> PayloadCodec<T> {
    /// JSON, msgpack and protobuf, for a type that derives both serde and prost.
    pub const fn all() -> Self {
        PayloadCodec {
            supported: CodecSet::SERDE.union(CodecSet::PROTOBUF),
            encode: |value, codec, dst| match codec {
                Codec::Protobuf => encode_protobuf(value, codec, dst),
                _ => encode_serde(value, codec, dst),
            },
            decode: |codec, src| match codec {
                Codec::Protobuf => decode_protobuf(codec, src),
                _ => decode_serde(codec, src),
            },
        }
    }
}

impl PayloadCodec<Bytes> {
    /// Raw bytes, passed through without a copy.
    pub const fn raw() -> Self {
        PayloadCodec {
            supported: CodecSet::RAW,
            encode: |value, _, dst| {
                dst.extend_from_slice(value);
                Ok(())
            },
            decode: |_, src| Ok(src),
        }
    }
}

fn encode_serde<T: Serialize>(
    value: &T,
    codec: Codec,
    dst: &mut BytesMut,
) -> Result<(), CodecError> {
    let encode_error = |source| CodecError::Encode { codec, source };
    // serde writes in small pieces: start from a typical message's size
    // rather than growing from nothing.
    dst.reserve(128);
    let mut writer = dst.writer();
    match codec {
        Codec::Json => {
            serde_json::to_writer(&mut writer, value).map_err(|e| encode_error(e.into()))
        }
        // Structs as maps keyed by field name, so that readers in other
        // languages find fields by name rather than by position.
        Codec::MsgPack => {
            rmp_serde::encode::write_named(&mut writer, value).map_err(|e| encode_error(e.into()))
        }
        Codec::Raw | Codec::Protobuf => Err(CodecError::Unsupported {
            codec,
            supported: CodecSet::SERDE,
        }),
    }
}

fn decode_serde<T: DeserializeOwned>(codec: Codec, src: Bytes) -> Result<T, CodecError> {
    let decode_error = |source| CodecError::Decode { codec, source };
    match codec {
        Codec::Json => serde_json::from_slice(&src).map_err(|e| decode_error(e.into())),
        Codec::MsgPack => {
            let mut rest: &[u8] = &src;
            let value = T::deserialize(&mut rmp_serde::Deserializer::new(&mut rest))
                .map_err(|e| decode_error(e.into()))?;
            // A payload is exactly one value: trailing bytes mean a framing bug
            // or a payload in another codec that happened to parse.
            if !rest.is_empty() {
                let rest = rest.len();
                return Err(decode_error(
                    format!("{rest} trailing bytes after the msgpack value").into(),
                ));
            }
            Ok(value)
        }
        Codec::Raw | Codec::Protobuf => Err(CodecError::Unsupported {
            codec,
            supported: CodecSet::SERDE,
        }),
    }
}

fn encode_protobuf<T: prost::Message>(
    value: &T,
    codec: Codec,
    dst: &mut BytesMut,
) -> Result<(), CodecError> {
    dst.reserve(value.encoded_len());
    value.encode(dst).map_err(|e| CodecError::Encode {
        codec,
        source: e.into(),
    })
}

fn decode_protobuf<T: prost::Message + Default>(codec: Codec, src: Bytes) -> Result<T, CodecError> {
    T::decode(src).map_err(|e| CodecError::Decode {
        codec,
        source: e.into(),
    })
}

impl<T> Clone for PayloadCodec<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for PayloadCodec<T> {}

impl<T> fmt::Debug for PayloadCodec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PayloadCodec")
            .field("type", &std::any::type_name::<T>())
            .field("supported", &self.supported)
            .finish()
    }
}
