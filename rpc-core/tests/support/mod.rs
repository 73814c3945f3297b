//! Proptest strategies for frames, shared by the frame tests.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use rpc_core::frame::{Frame, FrameCodec, Message, Request, Response};
use rpc_core::{Code, Codec, Compression, Metadata};

pub fn metadata() -> impl Strategy<Value = Metadata> {
    proptest::collection::vec(("\\PC{1,12}", "\\PC{0,24}"), 0..5)
        .prop_map(|entries| entries.into_iter().collect())
}

pub fn payload() -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..300).prop_map(Bytes::from)
}

pub fn request() -> impl Strategy<Value = Request> {
    (
        "[A-Za-z0-9_.]{0,40}",
        "\\PC{0,20}",
        proptest::option::of(1u64..=u64::from(u32::MAX)),
        any::<bool>(),
        metadata(),
        payload(),
    )
        .prop_map(
            |(service, method, millis, retry, metadata, payload)| Request {
                service: service.into(),
                method: method.into(),
                deadline: millis.map(Duration::from_millis),
                retry,
                metadata,
                payload,
            },
        )
}

pub fn response() -> impl Strategy<Value = Response> {
    (
        proptest::sample::select(Code::ALL.to_vec()),
        "\\PC{0,40}",
        metadata(),
        payload(),
    )
        .prop_map(|(code, message, metadata, payload)| Response {
            code,
            message: message.into(),
            metadata,
            payload,
        })
}

pub fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        request().prop_map(Message::Request),
        request().prop_map(Message::Oneway),
        response().prop_map(Message::Response),
        Just(Message::Ping),
        Just(Message::Pong),
        Just(Message::Cancel),
    ]
}

pub fn frame() -> impl Strategy<Value = Frame> {
    (
        any::<u32>(),
        proptest::sample::select(Codec::ALL.to_vec()),
        proptest::sample::select(Compression::ALL.to_vec()),
        message(),
    )
        .prop_map(|(request_id, codec, compression, message)| Frame {
            request_id,
            codec,
            compression,
            message,
        })
}

/// The bytes of `frame` as the default codec writes them.
pub fn encode(frame: &Frame) -> BytesMut {
    let mut buf = BytesMut::new();
    FrameCodec::new().encode_frame(frame, &mut buf).unwrap();
    buf
}
