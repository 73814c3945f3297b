//! Encoding and decoding whole frames carrying rpcx's benchmark message as a
//! protobuf payload: the per-call framing cost on each side of a connection.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use benches::BenchmarkMessage;
use bytes::BytesMut;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rpc_codec::{Codec, Compression, payload_codec};
use rpc_core::Metadata;
use rpc_core::frame::{Frame, FrameCodec, Message, Request, Response};
use tokio_util::codec::Decoder;

fn frames(c: &mut Criterion) {
    let payload = payload_codec!(BenchmarkMessage)
        .encode_to_bytes(&BenchmarkMessage::filled(), Codec::Protobuf)
        .unwrap();
    let mut metadata = Metadata::new();
    metadata.insert("trace-id", "4bf92f3577b34da6a3ce929d0e0e4736");
    let request = Frame {
        request_id: 12345,
        codec: Codec::Protobuf,
        compression: Compression::None,
        message: Message::Request(Request {
            service: "Hello".into(),
            method: "Say".into(),
            deadline: Some(Duration::from_millis(500)),
            retry: false,
            metadata,
            payload: payload.clone(),
        }),
    };
    let response = Frame {
        message: Message::Response(Response::ok(payload)),
        ..request.clone()
    };
    let mut codec = FrameCodec::new();
    for (name, frame) in [("request", request), ("response", response)] {
        let mut wire = BytesMut::new();
        codec.encode_frame(&frame, &mut wire).unwrap();
        let wire = wire.freeze();
        let mut group = c.benchmark_group(format!("frame/{name}"));
        group.throughput(Throughput::Bytes(wire.len() as u64));
        let mut buf = BytesMut::with_capacity(4096);
        group.bench_function("encode", |b| {
            b.iter(|| {
                buf.clear();
                codec.encode_frame(black_box(&frame), &mut buf).unwrap();
                black_box(buf.len())
            })
        });
        group.bench_function("decode", |b| {
            b.iter(|| {
                buf.clear();
                buf.extend_from_slice(&wire);
                black_box(codec.decode(&mut buf).unwrap())
            })
        });
        group.bench_function("encode+decode", |b| {
            b.iter(|| {
                buf.clear();
                codec.encode_frame(black_box(&frame), &mut buf).unwrap();
                black_box(codec.decode(&mut buf).unwrap())
            })
        });
        group.finish();
    }
}

criterion_group!(benches, frames);
criterion_main!(benches);
