//! Each payload codec encoding and decoding rpcx's benchmark message, and each
//! compression algorithm on its protobuf bytes.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use benches::BenchmarkMessage;
use bytes::BytesMut;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rpc_codec::{Codec, Compression, payload_codec};

fn codecs(c: &mut Criterion) {
    let message = BenchmarkMessage::filled();
    let codec = payload_codec!(BenchmarkMessage);
    for payload_codec in [Codec::Protobuf, Codec::MsgPack, Codec::Json] {
        let encoded = codec.encode_to_bytes(&message, payload_codec).unwrap();
        let mut group = c.benchmark_group(format!("codec/{payload_codec}"));
        group.throughput(Throughput::Bytes(encoded.len() as u64));
        let mut buf = BytesMut::with_capacity(4096);
        group.bench_function("encode", |b| {
            b.iter(|| {
                buf.clear();
                codec
                    .encode(black_box(&message), payload_codec, &mut buf)
                    .unwrap();
                black_box(buf.len())
            })
        });
        group.bench_function("decode", |b| {
            b.iter(|| {
                black_box(
                    codec
                        .decode(payload_codec, black_box(encoded.clone()))
                        .unwrap(),
                )
            })
        });
        group.finish();
    }
}

fn compressions(c: &mut Criterion) {
    let encoded = payload_codec!(BenchmarkMessage)
        .encode_to_bytes(&BenchmarkMessage::filled(), Codec::Protobuf)
        .unwrap();
    for compression in [Compression::Gzip, Compression::Zstd, Compression::Lz4] {
        let compressed = compression.compress(&encoded).unwrap();
        let mut group = c.benchmark_group(format!("compression/{compression}"));
        group.throughput(Throughput::Bytes(encoded.len() as u64));
        group.bench_function("compress", |b| {
            b.iter(|| black_box(compression.compress(black_box(&encoded)).unwrap()))
        });
        group.bench_function("decompress", |b| {
            b.iter(|| {
                black_box(
                    compression
                        .decompress(black_box(compressed.clone()), 1 << 20)
                        .unwrap(),
                )
            })
        });
        group.finish();
    }
}

criterion_group!(benches, codecs, compressions);
criterion_main!(benches);
