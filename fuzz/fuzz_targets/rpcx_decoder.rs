//! Feeds arbitrary bytes to the rpcx decoder: it must return messages, `None`
//! or an error, never panic, and every message it returns must re-encode to
//! bytes that decode to the same message. Gzip payloads are inflated within
//! a bound, which must hold.

#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use rpc_core::frame::MetadataLimits;
use rpc_core::rpcx::{RpcxCodec, RpcxLimits};
use tokio_util::codec::Decoder;

const MAX_PAYLOAD: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let mut codec = RpcxCodec::new(RpcxLimits::new(64 * 1024, MetadataLimits::default()));
    let mut buf = BytesMut::from(data);
    loop {
        let message = match codec.decode(&mut buf) {
            Ok(Some(message)) => message,
            Ok(None) => break,
            // A body error consumed its message: the next one may decode.
            Err(error) if !error.ends_stream() => continue,
            Err(_) => break,
        };
        if let Ok(payload) = message.decompressed_payload(MAX_PAYLOAD) {
            assert!(payload.len() <= MAX_PAYLOAD);
        }
        let mut encoded = BytesMut::new();
        codec
            .encode_message(&message, &mut encoded)
            .expect("a decoded message re-encodes");
        let again = codec
            .decode(&mut encoded)
            .expect("re-encoded message decodes")
            .expect("re-encoded message is complete");
        assert_eq!(again, message);
        assert!(encoded.is_empty());
    }
});
