//! An rpcx reply's body decoded straight into the native response frame:
//! no intermediate `RpcxMessage`, no `String` per name (a reply's service
//! path and method are checked, as UTF-8 within their length prefixes, but
//! not kept: the client has no use for them), metadata keys and values
//! sliced out of the read buffer as they are checked. Every check of
//! `RpcxMessage`'s own reader is made, in the same order and with the same
//! errors.

use bytes::{Buf, Bytes};
use bytestring::ByteString;
use rpc_codec::{Codec, Compression};
use rpc_core::frame::{Frame, MetadataLimits, Response};
use rpc_core::rpcx::{CODE_KEY, ERROR_KEY, MetadataTally, RpcxError, RpcxHeader, RpcxStatus};
use rpc_core::{Code, Metadata, frame::Message};

/// Takes one u32-length-prefixed field off the front of `body`, its prefix
/// checked against what is left.
fn field(body: &mut Bytes, field: &'static str) -> Result<Bytes, RpcxError> {
    if body.len() < 4 {
        return Err(RpcxError::FieldOverrun {
            field,
            length: 4,
            remaining: body.len(),
        });
    }
    let length = body.get_u32();
    if length as usize > body.len() {
        return Err(RpcxError::FieldOverrun {
            field,
            length: u64::from(length),
            remaining: body.len(),
        });
    }
    Ok(body.split_to(length as usize))
}

/// `bytes` as a string, without a copy, if they are UTF-8.
fn utf8(bytes: Bytes, field: &'static str) -> Result<ByteString, RpcxError> {
    ByteString::try_from(bytes).map_err(|_| RpcxError::NotUtf8(field))
}

/// Checks that a name is UTF-8, without keeping it.
fn check_name(body: &mut Bytes, name: &'static str) -> Result<(), RpcxError> {
    let bytes = field(body, name)?;
    std::str::from_utf8(&bytes).map_err(|_| RpcxError::NotUtf8(name))?;
    Ok(())
}

/// A reply's metadata, and the first values of `__rpcx_error__` and
/// `__rpc_code__` in it.
struct ReplyMetadata {
    metadata: Metadata,
    error: Option<ByteString>,
    code: Option<ByteString>,
}

fn read_metadata(mut block: Bytes, limits: &MetadataLimits) -> Result<ReplyMetadata, RpcxError> {
    let mut read = ReplyMetadata {
        metadata: Metadata::new(),
        error: None,
        code: None,
    };
    let mut tally = MetadataTally::new(limits);
    while !block.is_empty() {
        tally.begin_entry()?;
        let key = field(&mut block, "metadata key")?;
        let value = field(&mut block, "metadata value")?;
        tally.add_bytes(key.len(), value.len())?;
        let key = utf8(key, "metadata key")?;
        let value = utf8(value, "metadata value")?;
        if read.error.is_none() && key == ERROR_KEY {
            read.error = Some(value.clone());
        } else if read.code.is_none() && key == CODE_KEY {
            read.code = Some(value.clone());
        }
        read.metadata.append(key, value);
    }
    Ok(read)
}

/// The code of an rpcx error reply: `__rpc_code__` when it names one, Go
/// rpcx's "can't find service/method" messages, else `application`.
fn error_code(code: Option<&str>, text: &str) -> Code {
    if let Some(code) = code.and_then(Code::from_name).filter(|&c| c != Code::Ok) {
        return code;
    }
    if text.starts_with("rpcx: can't find service") {
        Code::ServiceNotFound
    } else if text.starts_with("rpcx: can't find method") {
        Code::MethodNotFound
    } else {
        Code::Application
    }
}

/// The reply to call `id` whose body (everything after `header`) is `body`,
/// as a native response frame; a body error fails that call alone.
pub(super) fn decode(
    id: u32,
    header: &RpcxHeader,
    mut body: Bytes,
    limits: &MetadataLimits,
    codec: Codec,
) -> Result<Frame, RpcxError> {
    check_name(&mut body, "service path")?;
    check_name(&mut body, "service method")?;
    let read = read_metadata(field(&mut body, "metadata")?, limits)?;
    let payload = field(&mut body, "payload")?;
    if !body.is_empty() {
        return Err(RpcxError::TrailingBytes(body.len()));
    }
    let ReplyMetadata {
        mut metadata,
        error,
        code,
    } = read;
    // An error: the status bit, or (rpcx-rs, which never sets the bit for
    // an unknown service or method) `__rpcx_error__` set on a reply with no
    // payload.
    let is_error = header.status == RpcxStatus::Error
        || (payload.is_empty() && error.as_ref().is_some_and(|text| !text.is_empty()));
    let (response, compression) = if is_error {
        let text = error.unwrap_or_default();
        let code = error_code(code.as_deref(), &text);
        if metadata
            .iter()
            .any(|(key, _)| key == ERROR_KEY || key == CODE_KEY)
        {
            metadata.remove(ERROR_KEY);
            metadata.remove(CODE_KEY);
        }
        // An error's payload has no meaning in rpcx: not passed on as
        // details.
        let response = Response {
            code,
            message: text,
            metadata,
            payload: Bytes::new(),
        };
        (response, Compression::None)
    } else {
        let response = Response {
            code: Code::Ok,
            message: ByteString::new(),
            metadata,
            payload,
        };
        (response, header.compression.compression())
    };
    Ok(Frame {
        request_id: id,
        codec,
        compression,
        message: Message::Response(response),
    })
}
