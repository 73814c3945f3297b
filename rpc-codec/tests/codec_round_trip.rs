//! Every codec × compression pair returns what was put in, and hostile payload
//! bytes give errors, never panics.

use bytes::Bytes;
use proptest::prelude::*;
use rpc_codec::{Codec, CodecError, Compression, CompressionPolicy, PayloadCodec, payload_codec};

/// A payload type that derives both serde and prost, so every codec applies.
#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
struct Order {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(string, tag = "2")]
    customer: String,
    #[prost(sint64, repeated, tag = "3")]
    amounts: Vec<i64>,
    #[prost(bool, tag = "4")]
    urgent: bool,
    #[prost(bytes = "vec", tag = "5")]
    #[serde(with = "serde_bytes_as_seq")]
    attachment: Vec<u8>,
}

/// Plain serde for a `Vec<u8>` field (a sequence of numbers).
mod serde_bytes_as_seq {
    pub(crate) fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(v, s)
    }
    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        serde::Deserialize::deserialize(d)
    }
}

fn order() -> impl Strategy<Value = Order> {
    (
        any::<u64>(),
        ".{0,40}",
        proptest::collection::vec(any::<i64>(), 0..20),
        any::<bool>(),
        proptest::collection::vec(any::<u8>(), 0..2000),
    )
        .prop_map(|(id, customer, amounts, urgent, attachment)| Order {
            id,
            customer,
            amounts,
            urgent,
            attachment,
        })
}

const TYPED_CODECS: [Codec; 3] = [Codec::Json, Codec::Protobuf, Codec::MsgPack];

proptest! {
    #[test]
    fn every_codec_and_compression_round_trips(order in order(), threshold in 0usize..3000) {
        let codec = payload_codec!(Order);
        for payload_codec in TYPED_CODECS {
            for compression in Compression::ALL {
                let encoded = codec.encode_to_bytes(&order, payload_codec).unwrap();
                let policy = CompressionPolicy::new(compression).with_threshold(threshold);
                let (used, sent) = policy.apply(encoded.clone()).unwrap();
                prop_assert!(used == compression || used == Compression::None);
                let received = used.decompress(sent, encoded.len()).unwrap();
                prop_assert_eq!(&received, &encoded);
                let decoded = codec.decode(payload_codec, received).unwrap();
                prop_assert_eq!(&decoded, &order, "{} + {}", payload_codec, compression);
            }
        }
    }

    #[test]
    fn raw_bytes_round_trip_through_every_compression(data in proptest::collection::vec(any::<u8>(), 0..5000)) {
        let codec = payload_codec!(Bytes);
        let data = Bytes::from(data);
        let encoded = codec.encode_to_bytes(&data, Codec::Raw).unwrap();
        for compression in Compression::ALL {
            let compressed = compression.compress(&encoded).unwrap();
            let inflated = compression.decompress(compressed, data.len()).unwrap();
            prop_assert_eq!(codec.decode(Codec::Raw, inflated).unwrap(), data.clone());
        }
    }

    #[test]
    fn arbitrary_payload_bytes_give_errors_not_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let codec = payload_codec!(Order);
        for payload_codec in TYPED_CODECS {
            let _ = codec.decode(payload_codec, Bytes::from(data.clone()));
        }
        for compression in Compression::ALL {
            let _ = compression.decompress(Bytes::from(data.clone()), 1 << 16);
        }
    }
}

#[test]
fn a_payload_in_the_wrong_codec_is_a_decode_error() {
    let codec = payload_codec!(Order);
    let order = Order {
        id: 7,
        customer: "ada".into(),
        amounts: vec![1, -2],
        urgent: true,
        attachment: vec![1, 2, 3],
    };
    for written in TYPED_CODECS {
        let bytes = codec.encode_to_bytes(&order, written).unwrap();
        for read in TYPED_CODECS {
            if read == written {
                continue;
            }
            match codec.decode(read, bytes.clone()) {
                Err(CodecError::Decode { codec, .. }) => assert_eq!(codec, read),
                // Protobuf is permissive enough that some foreign bytes parse;
                // what matters is that they never come back as the original.
                Ok(decoded) => assert!(decoded != order, "{written} bytes read as {read}"),
                Err(other) => panic!("{written} read as {read}: unexpected {other}"),
            }
        }
    }
}

#[test]
fn msgpack_writes_structs_as_maps_keyed_by_field_name() {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Args {
        a: i32,
        b: i32,
    }
    let codec = payload_codec!(Args);
    let bytes = codec
        .encode_to_bytes(&Args { a: 7, b: 8 }, Codec::MsgPack)
        .unwrap();
    // fixmap of 2: "a" => 7, "b" => 8
    assert_eq!(&bytes[..], &[0x82, 0xa1, b'a', 7, 0xa1, b'b', 8]);
    assert_eq!(
        codec.decode(Codec::MsgPack, bytes).unwrap(),
        Args { a: 7, b: 8 }
    );
}

#[test]
fn trailing_bytes_after_a_msgpack_value_are_refused() {
    let codec = PayloadCodec::<u32>::serde();
    let err = codec
        .decode(Codec::MsgPack, Bytes::from_static(&[0x07, 0x07]))
        .unwrap_err();
    assert!(matches!(err, CodecError::Decode { .. }), "{err}");
}
