//! Feeds arbitrary bytes to the frame decoder: it must return frames, `None`
//! or an error, never panic, and every frame it returns must re-encode to
//! bytes that decode to the same frame.

#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use rpc_core::frame::FrameCodec;
use tokio_util::codec::Decoder;

fuzz_target!(|data: &[u8]| {
    let mut codec = FrameCodec::with_max_frame_size(64 * 1024);
    let mut buf = BytesMut::from(data);
    while let Ok(Some(frame)) = codec.decode(&mut buf) {
        let mut encoded = BytesMut::new();
        codec
            .encode_frame(&frame, &mut encoded)
            .expect("a decoded frame re-encodes");
        let again = codec
            .decode(&mut encoded)
            .expect("re-encoded frame decodes")
            .expect("re-encoded frame is complete");
        assert_eq!(again, frame);
        assert!(encoded.is_empty());
    }
});
