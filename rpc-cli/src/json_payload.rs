//! JSON on the command line ↔ payload bytes in the call's codec. The CLI
//! has no Rust types: it speaks JSON and converts to msgpack through
//! `serde_json::Value` (maps keyed by field name, as the framework writes
//! structs). Protobuf needs the message's schema, which reflection does not
//! carry, so `--codec protobuf` is refused with the reason.

use bytes::Bytes;
use clap::ValueEnum;
use rpc::Codec;

use crate::exit::Failure;

/// The codecs `rpc call` and `rpc bench` offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CliCodec {
    /// JSON, sent as given.
    Json,
    /// MessagePack, converted from the JSON.
    Msgpack,
    /// Protocol Buffers: refused (the CLI has no message schemas).
    Protobuf,
}

impl CliCodec {
    /// The wire codec, or why it cannot be used.
    pub(crate) fn codec(self) -> Result<Codec, Failure> {
        match self {
            CliCodec::Json => Ok(Codec::Json),
            CliCodec::Msgpack => Ok(Codec::MsgPack),
            CliCodec::Protobuf => Err(Failure::Usage(
                "--codec protobuf needs the message's .proto schema, which reflection does not \
                 carry (it describes types by name and JSON Schema): call the method with \
                 --codec json or msgpack (every method whose types derive serde speaks them)"
                    .to_owned(),
            )),
        }
    }
}

/// The JSON text as a payload in `codec`.
pub(crate) fn encode(json: &str, codec: Codec) -> Result<Bytes, Failure> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|error| Failure::Local(format!("the argument is not JSON: {error}")))?;
    match codec {
        Codec::Json => Ok(Bytes::from(value.to_string())),
        Codec::MsgPack => rmp_serde::to_vec_named(&value)
            .map(Bytes::from)
            .map_err(|error| Failure::Local(format!("cannot write msgpack: {error}"))),
        other => Err(Failure::Usage(format!("the CLI cannot write {other}"))),
    }
}

/// A reply payload in `codec` as a JSON value.
pub(crate) fn decode(payload: &[u8], codec: Codec) -> Result<serde_json::Value, Failure> {
    let decoded = match codec {
        Codec::Json => serde_json::from_slice(payload).map_err(|e| e.to_string()),
        Codec::MsgPack => rmp_serde::from_slice(payload).map_err(|e| e.to_string()),
        other => Err(format!("the CLI cannot read {other}")),
    };
    decoded
        .map_err(|error| Failure::Local(format!("the reply does not decode as {codec}: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_goes_to_msgpack_maps_and_back() {
        let bytes = encode(r#"{"a":7,"b":[1,"x"]}"#, Codec::MsgPack).unwrap();
        // fixmap of 2 entries, first key "a".
        assert_eq!(&bytes[..3], &[0x82, 0xa1, b'a']);
        let back = decode(&bytes, Codec::MsgPack).unwrap();
        assert_eq!(back, serde_json::json!({"a": 7, "b": [1, "x"]}));
        assert!(encode("{nope", Codec::Json).is_err());
        assert!(CliCodec::Protobuf.codec().is_err());
    }
}
