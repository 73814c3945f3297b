//! `payload_codec!` picks the widest codec set a concrete type supports, and
//! codecs outside it are typed errors.

use bytes::Bytes;
use rpc_codec::{Codec, CodecError, CodecSet, payload_codec};

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct SerdeOnly {
    x: u32,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ProstOnly {
    #[prost(uint32, tag = "1")]
    x: u32,
}

#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
struct Both {
    #[prost(uint32, tag = "1")]
    x: u32,
}

#[test]
fn select_picks_the_widest_codec_set() {
    assert_eq!(payload_codec!(SerdeOnly).supported(), CodecSet::SERDE);
    assert_eq!(payload_codec!(ProstOnly).supported(), CodecSet::PROTOBUF);
    assert_eq!(
        payload_codec!(Both).supported(),
        CodecSet::SERDE.union(CodecSet::PROTOBUF)
    );
    assert_eq!(payload_codec!(Bytes).supported(), CodecSet::RAW);
    // Standard types are serde types and prost well-known wrappers too.
    assert_eq!(
        payload_codec!(String).supported(),
        CodecSet::SERDE.union(CodecSet::PROTOBUF)
    );
    assert_eq!(payload_codec!(Vec<SerdeOnly>).supported(), CodecSet::SERDE);
    assert_eq!(
        payload_codec!(()).supported(),
        CodecSet::SERDE.union(CodecSet::PROTOBUF)
    );
}

#[test]
fn both_kinds_encode_protobuf_with_prost_and_json_with_serde() {
    let codec = payload_codec!(Both);
    let value = Both { x: 150 };
    let proto = codec.encode_to_bytes(&value, Codec::Protobuf).unwrap();
    assert_eq!(&proto[..], &[0x08, 0x96, 0x01]);
    let json = codec.encode_to_bytes(&value, Codec::Json).unwrap();
    assert_eq!(&json[..], br#"{"x":150}"#);
    assert_eq!(codec.decode(Codec::Protobuf, proto).unwrap(), value);
    assert_eq!(codec.decode(Codec::Json, json).unwrap(), value);
}

#[test]
fn an_unsupported_codec_is_a_typed_error_both_ways() {
    let codec = payload_codec!(SerdeOnly);
    let err = codec
        .encode_to_bytes(&SerdeOnly { x: 1 }, Codec::Protobuf)
        .unwrap_err();
    assert!(matches!(
        err,
        CodecError::Unsupported {
            codec: Codec::Protobuf,
            supported: CodecSet::SERDE
        }
    ));
    assert_eq!(
        err.to_string(),
        "codec protobuf is not supported by this payload type (supported: json, msgpack)"
    );

    let codec = payload_codec!(ProstOnly);
    for codec_asked in [Codec::Raw, Codec::Json, Codec::MsgPack] {
        let err = codec.decode(codec_asked, Bytes::new()).unwrap_err();
        assert!(matches!(err, CodecError::Unsupported { codec, .. } if codec == codec_asked));
    }
}

#[test]
fn raw_bytes_pass_through_without_a_copy() {
    let codec = payload_codec!(Bytes);
    let data = Bytes::from(vec![1, 2, 3]);
    let decoded = codec.decode(Codec::Raw, data.clone()).unwrap();
    assert_eq!(decoded.as_ptr(), data.as_ptr());
}
