//! Hand-made frames and a frame-level connection: what the attacks send,
//! built with `rpc_core::frame`'s encoder so that every frame is exactly
//! what `docs/PROTOCOL.md` describes (only its size or pace is hostile).

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use prost::Message as _;
use rpc_codec::{Codec, Compression};
use rpc_core::Metadata;
use rpc_core::frame::{Frame, FrameCodec, HEADER_LEN, Message, Request};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedReadHalf;
use tokio_util::codec::Decoder;

use crate::BenchmarkMessage;

/// The service and method `bench-server rpc` answers.
pub const SERVICE: &str = "Hello";
/// See [`SERVICE`].
pub const METHOD: &str = "Say";

/// An encoder that accepts any size, so that oversized frames can be built.
const UNLIMITED: FrameCodec = FrameCodec::with_max_frame_size(u32::MAX);

/// A `Hello.Say` request frame with this id, metadata, compression and
/// (already compressed) payload, protobuf codec.
pub fn request_frame(
    request_id: u32,
    metadata: Metadata,
    compression: Compression,
    payload: Bytes,
) -> Bytes {
    let frame = Frame {
        request_id,
        codec: Codec::Protobuf,
        compression,
        message: Message::Request(Request {
            service: SERVICE.into(),
            method: METHOD.into(),
            deadline: None,
            retry: false,
            metadata,
            payload,
        }),
    };
    let mut out = BytesMut::new();
    UNLIMITED
        .encode_frame(&frame, &mut out)
        .expect("an unlimited encoder takes any frame whose fields fit their prefixes");
    out.freeze()
}

/// A well-formed `Hello.Say` call carrying rpcx's benchmark message.
pub fn benchmark_call(request_id: u32) -> Bytes {
    let payload = BenchmarkMessage::filled().encode_to_vec().into();
    request_frame(request_id, Metadata::new(), Compression::None, payload)
}

/// A ping frame.
pub fn ping(request_id: u32) -> Bytes {
    let mut out = BytesMut::new();
    UNLIMITED
        .encode_frame(&Frame::control(request_id, Message::Ping), &mut out)
        .expect("a ping always encodes");
    out.freeze()
}

/// Reads frames off one connection with the server's own decoder (and its
/// default limits, so a reply the server would refuse is refused here too).
#[derive(Debug)]
pub struct FrameReader {
    read: OwnedReadHalf,
    buffer: BytesMut,
    codec: FrameCodec,
}

impl FrameReader {
    /// Reads from `read`.
    pub fn new(read: OwnedReadHalf) -> FrameReader {
        FrameReader {
            read,
            buffer: BytesMut::with_capacity(16 * 1024),
            codec: FrameCodec::new(),
        }
    }

    /// The next frame; `Err` on EOF, a reset, a bad frame or `timeout`.
    pub async fn next(&mut self, timeout: Duration) -> Result<Frame, String> {
        tokio::time::timeout(timeout, async {
            loop {
                if let Some(frame) = self
                    .codec
                    .decode(&mut self.buffer)
                    .map_err(|e| format!("bad frame from the server: {e}"))?
                {
                    return Ok(frame);
                }
                match self.read.read_buf(&mut self.buffer).await {
                    Ok(0) => return Err("closed by the server (EOF)".to_owned()),
                    Ok(_) => {}
                    Err(e) => return Err(format!("read failed: {e}")),
                }
            }
        })
        .await
        .map_err(|_| format!("no frame within {timeout:?}"))?
    }
}

/// Connects to `addr` with `TCP_NODELAY`, split into a frame reader and a writer.
pub async fn connect(addr: &str) -> Result<(FrameReader, tokio::net::tcp::OwnedWriteHalf), String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    stream
        .set_nodelay(true)
        .map_err(|e| format!("TCP_NODELAY: {e}"))?;
    let (read, write) = stream.into_split();
    Ok((FrameReader::new(read), write))
}

/// Writes all of `bytes`, or fails within `timeout`.
pub async fn write_within(
    write: &mut tokio::net::tcp::OwnedWriteHalf,
    bytes: &[u8],
    timeout: Duration,
) -> Result<(), String> {
    match tokio::time::timeout(timeout, write.write_all(bytes)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("write failed: {e}")),
        Err(_) => Err(format!("write blocked for {timeout:?}")),
    }
}

/// Writes the whole frame `frame` with its request id replaced by `id`
/// (header and body as two writes, so the body is never copied), or fails
/// within `timeout`.
pub async fn write_with_id(
    write: &mut tokio::net::tcp::OwnedWriteHalf,
    frame: &[u8],
    id: u32,
    timeout: Duration,
) -> Result<(), String> {
    let mut header = [0; HEADER_LEN];
    header.copy_from_slice(&frame[..HEADER_LEN]);
    header[12..16].copy_from_slice(&id.to_be_bytes());
    let write_both = async {
        write.write_all(&header).await?;
        write.write_all(&frame[HEADER_LEN..]).await
    };
    match tokio::time::timeout(timeout, write_both).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("write failed: {e}")),
        Err(_) => Err(format!("write blocked for {timeout:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_decode_as_what_they_claim() {
        let mut bytes = BytesMut::from(&benchmark_call(7)[..]);
        let frame = FrameCodec::new().decode(&mut bytes).unwrap().unwrap();
        assert_eq!(frame.request_id, 7);
        let Message::Request(request) = frame.message else {
            panic!("not a request")
        };
        assert_eq!((&*request.service, &*request.method), (SERVICE, METHOD));
        assert_eq!(
            BenchmarkMessage::decode(request.payload).unwrap(),
            BenchmarkMessage::filled()
        );
        let mut bytes = BytesMut::from(&ping(9)[..]);
        let frame = FrameCodec::new().decode(&mut bytes).unwrap().unwrap();
        assert_eq!((frame.request_id, frame.message), (9, Message::Ping));
    }

    /// Each attack's frame is what its file says, and (except the
    /// oversized one) one the server's own decoder accepts.
    #[test]
    fn attack_frames_have_their_stated_shape() {
        use crate::hostile::{gzip_bomb, metadata_flood, oversized_frame, slow_body};
        let decode = |bytes: Bytes| {
            FrameCodec::new()
                .decode(&mut BytesMut::from(&bytes[..]))
                .map(|frame| frame.map(|f| f.message))
        };
        let Ok(Some(Message::Request(flood))) = decode(metadata_flood::frame()) else {
            panic!("metadata flood frame does not decode")
        };
        assert_eq!(flood.metadata.len(), metadata_flood::ENTRIES);
        let Ok(Some(Message::Request(bomb))) = decode(gzip_bomb::frame()) else {
            panic!("gzip bomb frame does not decode")
        };
        let inflated = Compression::Gzip
            .decompress(bomb.payload, gzip_bomb::INFLATED)
            .unwrap();
        assert_eq!(inflated.len(), gzip_bomb::INFLATED);
        assert_eq!(slow_body::frame().len(), slow_body::ANNOUNCED);
        assert!(decode(slow_body::frame()).unwrap().is_some());
        let oversized = oversized_frame::frame();
        assert!(oversized.len() > rpc_core::frame::DEFAULT_MAX_FRAME_SIZE as usize);
        assert!(decode(oversized).is_err());
    }
}
