//! The writing half of an rpcx server connection: replies encoded straight
//! into one buffer, those already queued gathered into one write.

use bytes::BytesMut;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::PeerAddr;
use crate::rpcx::{RpcxCodec, RpcxMessage};

/// Replies gathered into one write, at most.
const WRITE_BATCH: usize = 64 * 1024;

/// Writes replies as they come, gathering those already queued into one
/// write; ends when every sender is gone, or at the first failed write.
pub(crate) async fn write_loop<W: AsyncWrite + Unpin>(
    mut queue: mpsc::Receiver<RpcxMessage>,
    mut writer: W,
    codec: RpcxCodec,
    peer: PeerAddr,
) {
    let mut buffer = BytesMut::new();
    while let Some(first) = queue.recv().await {
        let mut next = Some(first);
        while let Some(message) = next.take() {
            if let Err(error) = codec.encode_message(&message, &mut buffer) {
                // `reply` keeps replies within the limit; a heartbeat echo
                // is as large as the request that was accepted.
                tracing::warn!(%peer, %error, "an rpcx reply could not be encoded; dropped");
            }
            if buffer.len() < WRITE_BATCH {
                next = queue.try_recv().ok();
            }
        }
        if let Err(error) = writer.write_all(&buffer).await {
            tracing::debug!(%peer, %error, "rpcx write failed; dropping the remaining replies");
            return;
        }
        buffer.clear();
    }
    let _ = writer.shutdown().await;
}
