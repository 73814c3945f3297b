//! Any frame decodes to itself after encoding, however the bytes are split
//! across reads.

mod support;

use bytes::BytesMut;
use proptest::prelude::*;
use rpc_core::frame::{Frame, FrameCodec, HEADER_LEN};
use tokio_util::codec::Decoder;

proptest! {
    #[test]
    fn every_frame_round_trips(frame in support::frame()) {
        let mut buf = support::encode(&frame);
        let length = u32::from_be_bytes(buf[5..9].try_into().unwrap()) as usize;
        prop_assert_eq!(length, buf.len());
        prop_assert!(length >= HEADER_LEN);
        let decoded = FrameCodec::new().decode(&mut buf).unwrap();
        prop_assert_eq!(decoded, Some(frame));
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn a_stream_split_anywhere_decodes_to_the_same_frames(
        frames in proptest::collection::vec(support::frame(), 1..8),
        cuts in proptest::collection::vec(1usize..64, 1..200),
    ) {
        let mut stream = BytesMut::new();
        for frame in &frames {
            stream.extend_from_slice(&support::encode(frame));
        }
        let mut codec = FrameCodec::new();
        let mut buf = BytesMut::new();
        let mut decoded: Vec<Frame> = Vec::new();
        let mut cuts = cuts.into_iter().cycle();
        while !stream.is_empty() {
            let n = cuts.next().unwrap().min(stream.len());
            buf.extend_from_slice(&stream.split_to(n));
            while let Some(frame) = codec.decode(&mut buf).unwrap() {
                decoded.push(frame);
            }
        }
        prop_assert_eq!(codec.decode_eof(&mut buf).unwrap(), None);
        prop_assert_eq!(decoded, frames);
    }
}
