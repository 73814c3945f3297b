//! Any rpcx message within the limits re-encodes to bytes that decode to the
//! same message, however the stream is cut into reads; random bytes never
//! panic the decoder.

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use rpc_core::rpcx::{
    RpcxCodec, RpcxCompression, RpcxHeader, RpcxMessage, RpcxMessageType, RpcxStatus, SerializeType,
};
use tokio_util::codec::Decoder;

fn header() -> impl Strategy<Value = RpcxHeader> {
    (
        any::<u8>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0u8..5,
        any::<u64>(),
    )
        .prop_map(
            |(version, response, heartbeat, oneway, gzip, error, serialize, seq)| RpcxHeader {
                version,
                message_type: if response {
                    RpcxMessageType::Response
                } else {
                    RpcxMessageType::Request
                },
                heartbeat,
                oneway,
                compression: if gzip {
                    RpcxCompression::Gzip
                } else {
                    RpcxCompression::None
                },
                status: if error {
                    RpcxStatus::Error
                } else {
                    RpcxStatus::Normal
                },
                serialize_type: [
                    SerializeType::Raw,
                    SerializeType::Json,
                    SerializeType::Protobuf,
                    SerializeType::MsgPack,
                    SerializeType::Thrift,
                ][usize::from(serialize)],
                seq,
            },
        )
}

fn message() -> impl Strategy<Value = RpcxMessage> {
    (
        header(),
        ".{0,12}",
        ".{0,12}",
        proptest::collection::vec((".{0,8}", ".{0,16}"), 0..6),
        proptest::collection::vec(any::<u8>(), 0..200),
    )
        .prop_map(|(header, path, method, metadata, payload)| RpcxMessage {
            header,
            service_path: path,
            service_method: method,
            metadata,
            payload: Bytes::from(payload),
        })
}

fn encode(message: &RpcxMessage) -> BytesMut {
    let mut buf = BytesMut::new();
    RpcxCodec::default()
        .encode_message(message, &mut buf)
        .expect("within the limits");
    buf
}

proptest! {
    #[test]
    fn every_message_round_trips(message in message()) {
        let mut buf = encode(&message);
        let declared = u32::from_be_bytes(buf[12..16].try_into().unwrap()) as usize;
        prop_assert_eq!(declared + 16, buf.len());
        prop_assert_eq!(RpcxCodec::default().decode(&mut buf).unwrap(), Some(message));
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn a_stream_cut_anywhere_decodes_to_the_same_messages(
        messages in proptest::collection::vec(message(), 1..6),
        cuts in proptest::collection::vec(1usize..48, 1..100),
    ) {
        let mut stream = BytesMut::new();
        for message in &messages {
            stream.extend_from_slice(&encode(message));
        }
        let mut codec = RpcxCodec::default();
        let mut buf = BytesMut::new();
        let mut decoded = Vec::new();
        let mut cuts = cuts.into_iter().cycle();
        while !stream.is_empty() {
            let n = cuts.next().unwrap().min(stream.len());
            buf.extend_from_slice(&stream.split_to(n));
            while let Some(message) = codec.decode(&mut buf).unwrap() {
                decoded.push(message);
            }
        }
        prop_assert_eq!(decoded, messages);
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let mut buf = BytesMut::from(&bytes[..]);
        let mut codec = RpcxCodec::default();
        // Body errors leave the stream aligned: keep decoding after them.
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(_)) => {}
                Err(error) if !error.ends_stream() => {}
                Ok(None) | Err(_) => break,
            }
        }
    }

    #[test]
    fn a_valid_header_with_a_random_body_never_panics(
        body in proptest::collection::vec(any::<u8>(), 0..128),
    ) {
        let mut buf = BytesMut::from(&[0x08, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 1][..]);
        buf.extend_from_slice(&(body.len() as u32).to_be_bytes());
        buf.extend_from_slice(&body);
        let _ = RpcxCodec::default().decode(&mut buf);
        prop_assert!(buf.is_empty(), "the whole message was consumed");
    }
}
