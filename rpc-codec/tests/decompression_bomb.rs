//! A small input that inflates far beyond the limit is refused for every
//! algorithm; data at the limit is accepted.

use bytes::Bytes;
use rpc_codec::{Compression, CompressionError};

const LIMIT: usize = 1 << 20;

#[test]
fn a_bomb_is_refused_by_every_algorithm() {
    // 64 MiB of zeros, compressed in chunks so the test never holds them whole.
    let bomb_size = 64 << 20;
    for compression in [Compression::Gzip, Compression::Zstd, Compression::Lz4] {
        let bomb = compressed_zeros(compression, bomb_size);
        assert!(
            bomb.len() < bomb_size / 200,
            "{compression}: bomb is {} bytes",
            bomb.len()
        );
        let err = compression.decompress(bomb, LIMIT).unwrap_err();
        assert!(
            matches!(err, CompressionError::TooLarge { limit: LIMIT }),
            "{compression}: {err}"
        );
    }
}

#[test]
fn output_exactly_at_the_limit_passes_and_one_byte_more_fails() {
    for compression in [Compression::Gzip, Compression::Zstd, Compression::Lz4] {
        let at_limit = compression.compress(&vec![0; LIMIT]).unwrap();
        assert_eq!(
            compression.decompress(at_limit, LIMIT).unwrap().len(),
            LIMIT
        );
        let over = compression.compress(&vec![0; LIMIT + 1]).unwrap();
        assert!(matches!(
            compression.decompress(over, LIMIT),
            Err(CompressionError::TooLarge { .. })
        ));
    }
}

#[test]
fn truncated_compressed_data_is_an_error() {
    for compression in [Compression::Gzip, Compression::Zstd, Compression::Lz4] {
        let whole = compression.compress(&vec![42; 10_000]).unwrap();
        for cut in [1, whole.len() / 2] {
            let truncated = whole.slice(..cut);
            assert!(
                compression.decompress(truncated, LIMIT).is_err(),
                "{compression} cut at {cut} of {}",
                whole.len()
            );
        }
        // Cutting only the end marker loses no data: lz4_flex accepts the
        // stream, and what matters is that nothing but the original comes out.
        match compression.decompress(whole.slice(..whole.len() - 1), LIMIT) {
            Ok(data) => assert_eq!(data, vec![42; 10_000], "{compression}"),
            Err(CompressionError::Corrupt { .. }) => {}
            Err(other) => panic!("{compression}: {other}"),
        }
    }
}

/// `size` zero bytes compressed with `compression`, written in chunks.
fn compressed_zeros(compression: Compression, size: usize) -> Bytes {
    use std::io::Write;
    let chunk = vec![0u8; 1 << 20];
    let mut out = Vec::new();
    match compression {
        Compression::Gzip => {
            let mut w = flate2::write::GzEncoder::new(&mut out, flate2::Compression::default());
            for _ in 0..size / chunk.len() {
                w.write_all(&chunk).unwrap();
            }
            w.finish().unwrap();
        }
        Compression::Zstd => {
            let mut w = zstd::stream::write::Encoder::new(&mut out, 3).unwrap();
            for _ in 0..size / chunk.len() {
                w.write_all(&chunk).unwrap();
            }
            w.finish().unwrap();
        }
        Compression::Lz4 => {
            let mut w = lz4_flex::frame::FrameEncoder::new(&mut out);
            for _ in 0..size / chunk.len() {
                w.write_all(&chunk).unwrap();
            }
            w.finish().unwrap();
        }
        other => unreachable!("{other:?}: not a compression this test makes"),
    }
    Bytes::from(out)
}

#[test]
fn bytes_after_a_gzip_member_are_refused() {
    let mut payload = Compression::Gzip.compress(b"hello").unwrap().to_vec();
    assert_eq!(
        &Compression::Gzip
            .decompress(payload.clone().into(), 1024)
            .unwrap()[..],
        b"hello"
    );
    payload.extend_from_slice(b"trailing");
    let error = Compression::Gzip
        .decompress(payload.into(), 1024)
        .unwrap_err();
    assert!(matches!(error, CompressionError::Corrupt { .. }), "{error}");
}

#[test]
fn a_zstd_window_beyond_the_output_limit_is_refused_before_it_is_allocated() {
    // A streamed frame (no content size) declaring a 128 MiB window.
    let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 1).unwrap();
    encoder.window_log(27).unwrap();
    encoder.include_contentsize(false).unwrap();
    std::io::Write::write_all(&mut encoder, &[b'a'; 1000]).unwrap();
    let frame = encoder.finish().unwrap();
    // A receiver accepting 1 MiB of output accepts windows up to 8 MiB.
    let error = Compression::Zstd
        .decompress(frame.clone().into(), 1 << 20)
        .unwrap_err();
    assert!(matches!(error, CompressionError::Corrupt { .. }), "{error}");
    // The same frame is fine for a receiver whose limit covers the window.
    let out = Compression::Zstd
        .decompress(frame.into(), 128 << 20)
        .unwrap();
    assert_eq!(out.len(), 1000);
}
