//! [`FrameReader`]: frames over the maximum size are refused alone and their
//! bodies skipped, wherever the stream is split; header fields are checked
//! as their bytes arrive; room is reserved as bytes come, not as declared.

mod support;

use bytes::{BufMut, BytesMut};
use proptest::prelude::*;
use rpc_core::frame::{
    Frame, FrameCodec, FrameError, FrameReader, Inbound, MAGIC, Message, MessageType,
    MetadataLimits,
};
use rpc_core::{Code, Codec, Compression};
use tokio_util::codec::Decoder;

const MAX: u32 = 256;

/// What a reader with a `MAX`-byte limit must yield for `frame`.
fn expected(frame: &Frame) -> Result<Frame, (u32, MessageType)> {
    let encoded = support::encode(frame);
    let refusable = matches!(
        frame.message,
        Message::Request(_) | Message::Oneway(_) | Message::Response(_)
    );
    if encoded.len() > MAX as usize && refusable {
        Err((frame.request_id, frame.message.message_type()))
    } else {
        Ok(frame.clone())
    }
}

proptest! {
    #[test]
    fn oversized_frames_are_refused_alone_wherever_the_stream_is_split(
        frames in proptest::collection::vec(support::frame(), 1..8),
        cuts in proptest::collection::vec(1usize..64, 1..200),
    ) {
        let mut stream = BytesMut::new();
        for frame in &frames {
            stream.extend_from_slice(&support::encode(frame));
        }
        let mut reader = FrameReader::new(
            FrameCodec::with_max_frame_size(MAX),
            MetadataLimits::UNLIMITED,
        );
        let mut buf = BytesMut::new();
        let mut read = Vec::new();
        let mut cuts = cuts.into_iter().cycle();
        while !stream.is_empty() {
            let n = cuts.next().unwrap().min(stream.len());
            buf.extend_from_slice(&stream.split_to(n));
            while let Some(inbound) = reader.decode(&mut buf).unwrap() {
                read.push(match inbound {
                    Inbound::Frame(frame) => Ok(frame),
                    Inbound::Refused(refusal) => {
                        let too_large = matches!(refusal.reason, FrameError::TooLarge { .. });
                        prop_assert!(too_large, "{}", refusal.reason);
                        Err((refusal.request_id, refusal.message_type))
                    }
                });
            }
            // Skipped bodies are never buffered.
            prop_assert!(buf.len() <= MAX as usize + 64);
        }
        prop_assert!(buf.is_empty());
        prop_assert!(!reader.frame_in_progress());
        prop_assert_eq!(reader.frames_completed(), frames.len() as u64);
        prop_assert_eq!(read, frames.iter().map(expected).collect::<Vec<_>>());
    }
}

#[test]
fn header_fields_are_checked_as_their_bytes_arrive() {
    let decode = |bytes: &[u8]| {
        let mut reader = FrameReader::new(FrameCodec::new(), MetadataLimits::default());
        reader.decode(&mut BytesMut::from(bytes))
    };
    assert!(matches!(decode(&[0x8f, b'R']), Ok(None)));
    assert!(matches!(decode(b"GE"), Err(FrameError::BadMagic(_))));
    let mut prefix = MAGIC.to_vec();
    prefix.push(9);
    assert!(matches!(
        decode(&prefix),
        Err(FrameError::UnsupportedVersion(9))
    ));
    prefix[4] = 1;
    prefix.extend_from_slice(&8u32.to_be_bytes());
    assert!(matches!(
        decode(&prefix),
        Err(FrameError::LengthTooSmall(8))
    ));
    prefix[5..9].copy_from_slice(&16u32.to_be_bytes());
    prefix.push(77);
    assert!(matches!(
        decode(&prefix),
        Err(FrameError::UnknownMessageType(77))
    ));
    prefix[9] = 0;
    prefix.push(42);
    assert!(matches!(decode(&prefix), Err(FrameError::UnknownCodec(42))));
    prefix[10] = 1;
    prefix.push(42);
    assert!(matches!(
        decode(&prefix),
        Err(FrameError::UnknownCompression(42))
    ));
}

#[test]
fn room_follows_the_bytes_that_came_not_the_declared_length() {
    let mut reader = FrameReader::new(FrameCodec::new(), MetadataLimits::default());
    let mut buf = BytesMut::new();
    buf.put_slice(&MAGIC);
    buf.put_u8(1);
    buf.put_u32(4 * 1024 * 1024);
    buf.put_slice(&[0, 1, 0, 0, 0, 0, 1]);
    buf.put_slice(&[0; 10]);
    assert!(reader.decode(&mut buf).unwrap().is_none());
    assert!(reader.frame_in_progress());
    assert!(
        buf.capacity() <= 128 * 1024,
        "{} bytes reserved",
        buf.capacity()
    );
}

#[test]
fn a_refused_request_carries_what_its_answer_needs() {
    let mut reader = FrameReader::new(
        FrameCodec::with_max_frame_size(64),
        MetadataLimits::default(),
    );
    let mut buf = BytesMut::new();
    buf.put_slice(&MAGIC);
    buf.put_u8(1);
    buf.put_u32(1 << 30);
    buf.put_slice(&[0, Codec::Json.as_u8(), Compression::Gzip.as_u8()]);
    buf.put_u32(41);
    buf.put_slice(&[0; 1000]);
    let Some(Inbound::Refused(refusal)) = reader.decode(&mut buf).unwrap() else {
        panic!("refused");
    };
    assert_eq!(
        (refusal.request_id, refusal.message_type, refusal.codec),
        (41, MessageType::Request, Codec::Json)
    );
    assert_eq!(refusal.status().code(), Code::PayloadTooLarge);
    assert!(buf.is_empty(), "the body's first bytes were discarded");
    assert!(
        reader.frame_in_progress(),
        "the rest of the body is still to skip"
    );
    assert_eq!(reader.frames_completed(), 0);
}
