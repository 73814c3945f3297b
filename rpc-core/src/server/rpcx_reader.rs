//! [`RpcxReader`]: the rpcx decoder of a server connection, counting the
//! messages it completes for the connection's watchdog.

use bytes::BytesMut;
use tokio_util::codec::Decoder;

use crate::rpcx::{RpcxCodec, RpcxError, RpcxInbound};
use crate::server::watchdog::Progress;

/// Decodes rpcx messages off a connection: a message, a refused message (the
/// stream goes on), or an error that ends the stream.
#[derive(Debug)]
pub(crate) struct RpcxReader {
    codec: RpcxCodec,
    /// Messages (refused ones included) read to their end so far.
    completed: u64,
    /// Whether part of a message has arrived and its end has not.
    partial: bool,
}

impl RpcxReader {
    pub(crate) fn new(codec: RpcxCodec) -> RpcxReader {
        RpcxReader {
            codec,
            completed: 0,
            partial: false,
        }
    }
}

impl Progress for RpcxReader {
    fn frames_completed(&self) -> u64 {
        self.completed
    }

    fn frame_in_progress(&self) -> bool {
        self.partial
    }
}

impl Decoder for RpcxReader {
    type Item = RpcxInbound;
    type Error = RpcxError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<RpcxInbound>, RpcxError> {
        let decoded = self.codec.decode_inbound(src)?;
        if decoded.is_some() {
            self.completed += 1;
        }
        self.partial = !src.is_empty();
        Ok(decoded)
    }
}
