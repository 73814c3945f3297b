//! [`write_batches`]: the writer half of a connection, on both sides.

use bytes::BytesMut;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::frame::{Frame, FrameCodec};

/// Writes above this many buffered bytes go out before more frames are taken.
const WRITE_BATCH_BYTES: usize = 64 * 1024;

/// Buffer room kept between batches; a larger buffer (a burst of big frames)
/// is given back once the queue runs dry, so a quiet connection holds little.
const KEEP_BYTES: usize = 8 * 1024;

/// Writes the frames of `queue` to `writer` until the queue closes (`Ok`) or
/// a write fails (`Err`).
///
/// Whenever a frame arrives, every frame queued behind it is encoded into the
/// same buffer (up to 64 KiB) and the whole batch goes out in one `write_all`:
/// under load, many replies or requests per system call. When `more_coming`
/// says other calls of the connection are under way, the writer first lets
/// the other ready tasks of its worker run, so that the frames they produce
/// join the batch; otherwise (a lone call) it writes at once. The buffer grows with what it batches (nothing is
/// reserved up front: most connections of a busy server are quiet) and is
/// given back above 8 KiB whenever the queue is empty. Frames must have passed
/// [`FrameCodec::encoded_len`]; one that still fails to encode is logged
/// and dropped.
///
/// `forming` is told `true` when a batch starts (its first frame taken) and
/// `false` once the batch is complete (just before it is written): while it
/// is forming, a frame queued now still goes out in the same write. The
/// client's load balancer reads it to keep a burst of calls on one
/// connection.
pub async fn write_batches<W: AsyncWrite + Unpin>(
    queue: &mut mpsc::Receiver<Frame>,
    writer: &mut W,
    codec: FrameCodec,
    more_coming: impl Fn() -> bool,
    forming: impl Fn(bool),
) -> std::io::Result<()> {
    write_batches_with(
        queue,
        writer,
        |frame, buf| encode_into(&codec, frame, buf),
        more_coming,
        forming,
    )
    .await
}

/// [`write_batches`] with another encoding of the queued items: `encode`
/// appends one item to the batch buffer (an item that cannot be encoded is
/// its to log and skip). A client speaking rpcx's protocol writes its
/// frames as rpcx messages through it.
pub async fn write_batches_with<T, W: AsyncWrite + Unpin>(
    queue: &mut mpsc::Receiver<T>,
    writer: &mut W,
    mut encode: impl FnMut(&T, &mut BytesMut),
    more_coming: impl Fn() -> bool,
    forming: impl Fn(bool),
) -> std::io::Result<()> {
    let mut buf = BytesMut::new();
    while let Some(first) = queue.recv().await {
        forming(true);
        encode(&first, &mut buf);
        // With other calls under way, let the rest of this worker's ready
        // work run before writing: tokio defers a yielded task until its
        // worker has no other ready task (or its next I/O poll, every 61
        // tasks), so the frames that the handlers or callers about to run
        // produce join this batch. Without it, a server busy with CPU-bound
        // handlers wrote each reply alone: one system call, and one wake-up
        // of the client, per reply (4 times the context switches on both
        // sides). A lone call does not wait: the yield would cost it an extra
        // I/O poll and a wake-up of an idle worker.
        if queue.is_empty() && more_coming() {
            tokio::task::yield_now().await;
        }
        while buf.len() < WRITE_BATCH_BYTES {
            match queue.try_recv() {
                Ok(frame) => encode(&frame, &mut buf),
                Err(_) => break,
            }
        }
        forming(false);
        writer.write_all(&buf).await?;
        if buf.capacity() > KEEP_BYTES && queue.is_empty() {
            buf = BytesMut::new();
        } else {
            buf.clear();
        }
    }
    Ok(())
}

fn encode_into(codec: &FrameCodec, frame: &Frame, buf: &mut BytesMut) {
    if let Err(error) = codec.encode_frame(frame, buf) {
        tracing::error!(%error, "a checked frame failed to encode; dropped");
    }
}
