//! Typed calls over any [`Channel`]: encode the argument, call, decode the reply.

use bytestring::ByteString;
use rpc_codec::{Codec, PayloadCodec};
use rpc_core::{Code, Metadata, Status};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{CallError, CallOptions, Channel, RawRequest};

/// A decoded reply with the metadata the server sent along.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallReply<T> {
    /// The reply.
    pub value: T,
    /// The server's reply metadata.
    pub metadata: Metadata,
}

/// Calls `service.method` with a typed argument and reply, each with its
/// codec table. This is what generated stubs call.
pub async fn call_typed<C: Channel, A, R>(
    channel: &C,
    service: ByteString,
    method: ByteString,
    argument: &A,
    argument_codec: PayloadCodec<A>,
    reply_codec: PayloadCodec<R>,
    options: CallOptions,
) -> Result<CallReply<R>, Status> {
    let codec = choose_codec(
        options.codec,
        channel.default_codec(),
        &argument_codec,
        &reply_codec,
    )?;
    let request = TypedRequest {
        service,
        method,
        codec,
        options,
    };
    call_in_codec(channel, request, argument, &argument_codec, &reply_codec).await
}

/// [`call_typed`] for a method marked `#[rpc(typed_error)]`: an error the
/// handler returned comes back decoded ([`CallError::Application`]) when
/// its details decode as an `E`; every other failure is
/// [`CallError::Status`]. The call's codec is one all three types support.
// The parameters are those of `call_typed` plus the error's codec table: what
// generated code passes, each named at the call site.
#[allow(clippy::too_many_arguments)]
pub async fn call_typed_with_error<C: Channel, A, R, E>(
    channel: &C,
    service: ByteString,
    method: ByteString,
    argument: &A,
    argument_codec: PayloadCodec<A>,
    reply_codec: PayloadCodec<R>,
    error_codec: PayloadCodec<E>,
    options: CallOptions,
) -> Result<CallReply<R>, CallError<E>> {
    let codec = choose_codec_among(
        options.codec,
        channel.default_codec(),
        |codec| {
            argument_codec.supports(codec)
                && reply_codec.supports(codec)
                && error_codec.supports(codec)
        },
        || {
            format!(
                "argument: {}; reply: {}; error: {}",
                argument_codec.supported(),
                reply_codec.supported(),
                error_codec.supported()
            )
        },
    )?;
    let request = TypedRequest {
        service,
        method,
        codec,
        options,
    };
    match call_in_codec(channel, request, argument, &argument_codec, &reply_codec).await {
        Ok(reply) => Ok(reply),
        Err(status) => Err(CallError::from_status(status, codec, &error_codec)),
    }
}

/// Where a typed call goes and in which codec.
struct TypedRequest {
    service: ByteString,
    method: ByteString,
    codec: Codec,
    options: CallOptions,
}

async fn call_in_codec<C: Channel, A, R>(
    channel: &C,
    request: TypedRequest,
    argument: &A,
    argument_codec: &PayloadCodec<A>,
    reply_codec: &PayloadCodec<R>,
) -> Result<CallReply<R>, Status> {
    let TypedRequest {
        service,
        method,
        codec,
        options,
    } = request;
    let payload = argument_codec.encode_to_bytes(argument, codec)?;
    let reply = channel
        .call_raw(RawRequest {
            service,
            method,
            codec,
            payload,
            options,
        })
        .await?;
    let value = reply_codec.decode(codec, reply.payload).map_err(|error| {
        Status::new(Code::Internal, format!("cannot decode the reply: {error}"))
    })?;
    Ok(CallReply {
        value,
        metadata: reply.metadata,
    })
}

/// Sends a typed oneway call (no reply).
pub async fn send_oneway_typed<C: Channel, A>(
    channel: &C,
    service: ByteString,
    method: ByteString,
    argument: &A,
    argument_codec: PayloadCodec<A>,
    options: CallOptions,
) -> Result<(), Status> {
    let codec = choose_codec(
        options.codec,
        channel.default_codec(),
        &argument_codec,
        &argument_codec,
    )?;
    let payload = argument_codec.encode_to_bytes(argument, codec)?;
    channel
        .send_oneway(RawRequest {
            service,
            method,
            codec,
            payload,
            options,
        })
        .await
}

/// Calls by name with serde types (JSON or msgpack), for tools that do not
/// have a generated stub.
pub async fn call_dynamic<C, A, R>(
    channel: &C,
    service: &str,
    method: &str,
    argument: &A,
    options: CallOptions,
) -> Result<CallReply<R>, Status>
where
    C: Channel,
    A: Serialize + DeserializeOwned,
    R: Serialize + DeserializeOwned,
{
    call_typed(
        channel,
        ByteString::from(service),
        ByteString::from(method),
        argument,
        PayloadCodec::serde(),
        PayloadCodec::serde(),
        options,
    )
    .await
}

/// The codec of a call: the one asked for if both types support it (else an
/// error); otherwise the channel's default if both support it; otherwise the
/// fastest codec both share.
pub fn choose_codec<A, R>(
    asked: Option<Codec>,
    default: Codec,
    argument: &PayloadCodec<A>,
    reply: &PayloadCodec<R>,
) -> Result<Codec, Status> {
    choose_codec_among(
        asked,
        default,
        |codec| argument.supports(codec) && reply.supports(codec),
        || {
            format!(
                "argument: {}; reply: {}",
                argument.supported(),
                reply.supported()
            )
        },
    )
}

/// [`choose_codec`] over any set of types: `usable` says whether all of them
/// support a codec, `supported` lists what each supports, for the error.
fn choose_codec_among(
    asked: Option<Codec>,
    default: Codec,
    usable: impl Fn(Codec) -> bool,
    supported: impl Fn() -> String,
) -> Result<Codec, Status> {
    if let Some(codec) = asked {
        if usable(codec) {
            return Ok(codec);
        }
        return Err(Status::new(
            Code::UnsupportedCodec,
            format!(
                "codec {codec} is not supported by this method ({})",
                supported()
            ),
        ));
    }
    if usable(default) {
        return Ok(default);
    }
    [Codec::Protobuf, Codec::MsgPack, Codec::Json, Codec::Raw]
        .into_iter()
        .find(|codec| usable(*codec))
        .ok_or_else(|| {
            Status::new(
                Code::UnsupportedCodec,
                format!("the method's types share no codec ({})", supported()),
            )
        })
}
