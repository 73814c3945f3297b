//! The mapping between an rpcx message and this project's call: a request's
//! names, serialize type, deadline and metadata in, a call's result out.
//!
//! `docs/PROTOCOL.md` ("rpcx protocol") has the table both ways.

use std::time::Duration;

use bytes::Bytes;

use crate::rpcx::{
    AUTH_KEY, CODE_KEY, COMPRESSION_THRESHOLD, ERROR_KEY, RpcxCodec, RpcxCompression, RpcxMessage,
    RpcxStatus, SERVER_TIMEOUT_KEY,
};
use crate::server::AUTHORIZATION_KEY;
use crate::server::BEARER_PREFIX;
use crate::{Code, Compression, Metadata, ServiceReply, Status};

/// An rpcx request in this project's terms.
#[derive(Debug)]
pub(crate) struct RpcxRequest {
    /// How the argument is serialized.
    pub(crate) codec: rpc_codec::Codec,
    /// The caller's budget (`__ServerTimeout`, in milliseconds); `None`
    /// when absent. Zero is a budget already spent, as in Go rpcx.
    pub(crate) budget: Option<Duration>,
    /// The other metadata, `__AUTH` included (as the HTTP gateway passes
    /// it, for auth hooks), plus `authorization: Bearer <__AUTH>` for the
    /// built-in authenticator, which so sees the `__AUTH` value verbatim as
    /// its token (Go rpcx's `AuthFunc` gets it the same way).
    pub(crate) metadata: Metadata,
}

/// Translates a request's header and metadata. An error is the call's
/// answer: a serialize type with no codec here (Thrift), or a
/// `__ServerTimeout` that is not a number of milliseconds (which Go rpcx
/// silently ignores, running the call without a deadline).
pub(crate) fn translate(message: &RpcxMessage) -> Result<RpcxRequest, Status> {
    let serialize = message.header.serialize_type;
    let codec = serialize.codec().ok_or_else(|| {
        Status::new(
            Code::UnsupportedCodec,
            format!("rpcx serialize type {serialize:?} is not supported by this server"),
        )
    })?;
    let mut budget = None;
    let mut token = None;
    let mut metadata = Metadata::with_capacity(message.metadata.len());
    for (key, value) in &message.metadata {
        match key.as_str() {
            SERVER_TIMEOUT_KEY => {
                let millis: u64 = value.trim().parse().map_err(|_| {
                    Status::bad_request(format!(
                        "rpcx metadata {SERVER_TIMEOUT_KEY} is not a number of milliseconds"
                    ))
                })?;
                budget = Some(Duration::from_millis(millis));
            }
            AUTH_KEY => {
                token = Some(value.as_str());
                metadata.append(key.as_str(), value.as_str());
            }
            _ => metadata.append(key.as_str(), value.as_str()),
        }
    }
    // The rpcx token is the credential: it replaces an `authorization`
    // entry the caller may also have sent.
    if let Some(token) = token {
        metadata.insert(AUTHORIZATION_KEY, format!("{BEARER_PREFIX}{token}"));
    }
    Ok(RpcxRequest {
        codec,
        budget,
        metadata,
    })
}

/// The reply to `request` (a request or the header of a refused one): Go
/// rpcx's shape, the names echoed, the response bit set. A failure sets the
/// status bit, `__rpcx_error__` to the message and `__rpc_code__` to the
/// code's name. A reply payload above 1 KiB is gzipped if the request was
/// compressed. A reply too large to send becomes a `payload_too_large` error.
/// The request is taken whole: its names move into the reply, uncopied.
pub(crate) fn reply(
    request: RpcxMessage,
    result: Result<ServiceReply, Status>,
    codec: &RpcxCodec,
) -> RpcxMessage {
    let compressed = request.header.compression != RpcxCompression::None;
    let mut message = RpcxMessage {
        header: request.reply_header(),
        service_path: request.service_path,
        service_method: request.service_method,
        metadata: Vec::new(),
        payload: Bytes::new(),
    };
    let status = match result {
        Ok(reply) => {
            message.metadata = pairs(&reply.metadata);
            match compress(compressed, reply.payload) {
                Ok((compression, payload)) => {
                    message.header.compression = compression;
                    message.payload = payload;
                    if fits(&message, codec) {
                        return message;
                    }
                    Status::new(
                        Code::PayloadTooLarge,
                        "the reply cannot be sent: larger than the maximum rpcx message size",
                    )
                }
                Err(status) => status,
            }
        }
        Err(status) => status,
    };
    message.header.compression = RpcxCompression::None;
    message.payload = Bytes::new();
    message.header.status = RpcxStatus::Error;
    message.metadata = pairs(status.metadata());
    message
        .metadata
        .retain(|(key, _)| key != ERROR_KEY && key != CODE_KEY);
    message
        .metadata
        .push((ERROR_KEY.to_owned(), status.message().to_owned()));
    message
        .metadata
        .push((CODE_KEY.to_owned(), status.code().name().to_owned()));
    if !fits(&message, codec) {
        // The status's own metadata made it too large: the message alone.
        message
            .metadata
            .retain(|(key, _)| key == ERROR_KEY || key == CODE_KEY);
    }
    message
}

fn pairs(metadata: &Metadata) -> Vec<(String, String)> {
    metadata
        .iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}

fn fits(message: &RpcxMessage, codec: &RpcxCodec) -> bool {
    message.body_len().is_ok_and(|len| {
        len as u64 + crate::rpcx::HEADER_LEN as u64 <= u64::from(codec.limits().max_message_size)
    })
}

/// Go rpcx's rule: gzip a reply only when the request was compressed and
/// the reply is above [`COMPRESSION_THRESHOLD`].
fn compress(compressed: bool, payload: Bytes) -> Result<(RpcxCompression, Bytes), Status> {
    if !compressed || payload.len() <= COMPRESSION_THRESHOLD {
        return Ok((RpcxCompression::None, payload));
    }
    Compression::Gzip
        .compress(&payload)
        .map(|compressed| (RpcxCompression::Gzip, compressed))
        .map_err(|error| Status::internal(format!("cannot compress the reply: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpcx::{RpcxHeader, RpcxMessageType, SerializeType};

    fn request(metadata: &[(&str, &str)]) -> RpcxMessage {
        RpcxMessage {
            header: RpcxHeader {
                version: 0,
                message_type: RpcxMessageType::Request,
                heartbeat: false,
                oneway: false,
                compression: RpcxCompression::None,
                status: RpcxStatus::Normal,
                serialize_type: SerializeType::Json,
                seq: 9,
            },
            service_path: "Arith".to_owned(),
            service_method: "Mul".to_owned(),
            metadata: metadata
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            payload: Bytes::new(),
        }
    }

    #[test]
    fn timeout_and_token_are_translated_and_other_metadata_kept() {
        let translated = translate(&request(&[
            ("__ServerTimeout", "1500"),
            ("authorization", "Bearer forged"),
            ("__AUTH", "t0k"),
            ("trace", "x"),
        ]))
        .unwrap();
        assert_eq!(translated.codec, rpc_codec::Codec::Json);
        assert_eq!(translated.budget, Some(Duration::from_millis(1500)));
        assert_eq!(translated.metadata.get("authorization"), Some("Bearer t0k"));
        assert_eq!(translated.metadata.get("trace"), Some("x"));
        assert_eq!(translated.metadata.get("__AUTH"), Some("t0k"));
        assert_eq!(translated.metadata.len(), 3);
    }

    #[test]
    fn bad_timeout_and_thrift_are_refused() {
        let status = translate(&request(&[("__ServerTimeout", "soon")])).unwrap_err();
        assert_eq!(status.code(), Code::BadRequest);
        let mut thrift = request(&[]);
        thrift.header.serialize_type = SerializeType::Thrift;
        assert_eq!(
            translate(&thrift).unwrap_err().code(),
            Code::UnsupportedCodec
        );
        let zero = translate(&request(&[("__ServerTimeout", "0")])).unwrap();
        assert_eq!(zero.budget, Some(Duration::ZERO));
        assert_eq!(translate(&request(&[])).unwrap().budget, None);
    }

    #[test]
    fn an_error_sets_the_status_bit_and_both_keys() {
        let reply = reply(
            request(&[]),
            Err(Status::method_not_found("Arith", "Nope")),
            &RpcxCodec::default(),
        );
        assert_eq!(reply.header.status, RpcxStatus::Error);
        assert_eq!(reply.header.message_type, RpcxMessageType::Response);
        assert_eq!(reply.header.seq, 9);
        assert_eq!(reply.metadata_value(CODE_KEY), Some("method_not_found"));
        assert!(reply.metadata_value(ERROR_KEY).is_some());
    }

    #[test]
    fn large_replies_to_compressed_requests_are_gzipped() {
        let mut compressed = request(&[]);
        compressed.header.compression = RpcxCompression::Gzip;
        let big = ServiceReply {
            payload: Bytes::from(vec![b'x'; COMPRESSION_THRESHOLD + 1]),
            metadata: Metadata::default(),
        };
        let codec = RpcxCodec::default();
        let out = reply(compressed.clone(), Ok(big.clone()), &codec);
        assert_eq!(out.header.compression, RpcxCompression::Gzip);
        assert_eq!(
            out.decompressed_payload(1 << 20).unwrap(),
            big.payload.clone()
        );
        let plain = reply(request(&[]), Ok(big), &codec);
        assert_eq!(plain.header.compression, RpcxCompression::None);
        let small = ServiceReply {
            payload: Bytes::from_static(b"{}"),
            metadata: Metadata::default(),
        };
        let out = reply(compressed, Ok(small), &codec);
        assert_eq!(out.header.compression, RpcxCompression::None);
    }
}
