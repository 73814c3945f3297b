//! The answers a connection sends: a call's reply, or an error for a call
//! that will not run.

use rpc_codec::{Compression, CompressionPolicy};
use tokio::sync::mpsc;

use crate::frame::{Frame, FrameCodec, FrameError, Message, Response};
use crate::{Code, ServiceReply, Status};

/// Answers a call that will not run (a oneway call is only logged).
pub(crate) async fn refuse(
    replies: &mpsc::Sender<Frame>,
    frame_codec: &FrameCodec,
    id: u32,
    codec: rpc_codec::Codec,
    oneway: bool,
    status: Status,
) {
    if oneway {
        tracing::debug!(%status, "oneway call refused");
        return;
    }
    let frame = build_response(id, codec, Err(status), None, frame_codec);
    let _ = replies.send(frame).await;
}

/// The response frame of a finished call; a reply that cannot be sent (too
/// large, fails to compress) becomes an error response, never a lost call.
pub(crate) fn build_response(
    id: u32,
    codec: rpc_codec::Codec,
    result: Result<ServiceReply, Status>,
    compression: Option<CompressionPolicy>,
    frame_codec: &FrameCodec,
) -> Frame {
    let error_frame = |status: Status| error_response(id, codec, status, compression, frame_codec);
    let reply = match result {
        Ok(reply) => reply,
        Err(status) => return error_frame(status),
    };
    let (used, payload) = match compression
        .map_or(Ok((Compression::None, reply.payload.clone())), |policy| {
            policy.apply(reply.payload)
        }) {
        Ok(compressed) => compressed,
        Err(error) => {
            return error_frame(Status::internal(format!(
                "cannot compress the reply: {error}"
            )));
        }
    };
    let frame = Frame {
        request_id: id,
        codec,
        compression: used,
        message: Message::Response(Response {
            code: Code::Ok,
            message: Default::default(),
            metadata: reply.metadata,
            payload,
        }),
    };
    match frame_codec.encoded_len(&frame) {
        Ok(_) => frame,
        Err(error) => {
            // Too large for the frame, or a field the protocol refuses (an
            // empty metadata key): the handler's reply is the problem.
            let code = match error {
                FrameError::TooLarge { .. } | FrameError::FieldTooLong { .. } => {
                    Code::PayloadTooLarge
                }
                _ => Code::Internal,
            };
            error_frame(Status::new(
                code,
                format!("the reply cannot be sent: {error}"),
            ))
        }
    }
}

/// The response frame of a failed call. Its details (a typed application
/// error) are compressed as a reply would be; details that cannot be
/// compressed or make the frame too large are dropped (and logged): the
/// status alone still ends the call.
fn error_response(
    id: u32,
    codec: rpc_codec::Codec,
    status: Status,
    compression: Option<CompressionPolicy>,
    frame_codec: &FrameCodec,
) -> Frame {
    let mut response = Response::from_status(status);
    let mut used = Compression::None;
    if let Some(policy) = compression.filter(|_| !response.payload.is_empty()) {
        match policy.apply(std::mem::take(&mut response.payload)) {
            Ok((algorithm, details)) => {
                used = algorithm;
                response.payload = details;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot compress an error's details; sent without them");
            }
        }
    }
    let mut frame = Frame {
        request_id: id,
        codec,
        compression: used,
        message: Message::Response(response),
    };
    if let Err(error) = frame_codec.encoded_len(&frame) {
        tracing::warn!(%error, "an error's details do not fit the frame; sent without them");
        frame.compression = Compression::None;
        if let Message::Response(response) = &mut frame.message {
            response.payload = bytes::Bytes::new();
        }
    }
    frame
}
