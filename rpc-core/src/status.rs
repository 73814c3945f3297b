//! [`Status`]: the one error type that crosses the wire.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use bytestring::ByteString;

use crate::{Code, Metadata, Origin};

/// The response-metadata key that marks a failure as final for the whole
/// call chain ("no more retry"); see [`Status::no_retry`]. Keys with the
/// `rpc-` prefix are reserved for the framework.
pub const NO_RETRY_KEY: &str = "rpc-no-retry";

/// The response-metadata key by which a server marks a failure its
/// framework decided ([`Origin::Framework`]); its value is `framework`. The
/// key never reaches a [`Status`]'s metadata: it is turned into the origin
/// when a response is read, and written from it when one is sent.
pub const ORIGIN_KEY: &str = "rpc-origin";

/// A call's failure as the caller sees it: a [`Code`], a human-readable
/// message, optional metadata and optional details (a typed application
/// error, encoded; see [`ApplicationError`](crate::ApplicationError)),
/// exactly what a response frame carries.
///
/// A status made from a local error can keep that error as its
/// [`source`](std::error::Error::source) ([`Status::with_source`]), for
/// logs and `downcast_ref`; the source stays in the process: it is never
/// sent, and equality ignores it.
#[derive(Clone)]
pub struct Status {
    code: Code,
    message: ByteString,
    metadata: Metadata,
    details: Bytes,
    origin: Origin,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl PartialEq for Status {
    fn eq(&self, other: &Status) -> bool {
        (
            self.code,
            &self.message,
            &self.metadata,
            &self.details,
            self.origin,
        ) == (
            other.code,
            &other.message,
            &other.metadata,
            &other.details,
            other.origin,
        )
    }
}

impl Eq for Status {}

impl Status {
    /// A status with `code` and `message`.
    pub fn new(code: Code, message: impl Into<ByteString>) -> Status {
        Status {
            code,
            message: message.into(),
            metadata: Metadata::new(),
            details: Bytes::new(),
            origin: Origin::Framework,
            source: None,
        }
    }

    /// The same status, caused by `source` (kept in this process for
    /// [`std::error::Error::source`]; never sent on the wire).
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Status {
        self.source = Some(Arc::from(source.into()));
        self
    }

    /// The same status with metadata attached.
    pub fn with_metadata(mut self, metadata: Metadata) -> Status {
        self.metadata = metadata;
        self
    }

    /// The same status with `details`: a typed application error encoded in
    /// the call's codec, sent as the error response's payload
    /// (`docs/PROTOCOL.md` §4.3). Generated code sets them for methods
    /// marked `#[rpc(typed_error)]`; a caller's typed stub decodes them.
    pub fn with_details(mut self, details: Bytes) -> Status {
        self.details = details;
        self
    }

    /// The details: a typed application error in the call's codec, or empty
    /// ([`Status::with_details`]).
    pub fn details(&self) -> &Bytes {
        &self.details
    }

    /// Takes the details out, leaving them empty.
    pub fn take_details(&mut self) -> Bytes {
        std::mem::take(&mut self.details)
    }

    /// The code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The message as the shared string the wire carries.
    pub fn message_bytes(&self) -> &ByteString {
        &self.message
    }

    /// The metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Mutable access to the metadata.
    pub fn metadata_mut(&mut self) -> &mut Metadata {
        &mut self.metadata
    }

    /// Splits the status into its parts.
    pub fn into_parts(self) -> (Code, ByteString, Metadata) {
        (self.code, self.message, self.metadata)
    }

    /// Who decided this failure ([`Origin`]).
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The same status, decided by `origin`.
    pub fn with_origin(mut self, origin: Origin) -> Status {
        self.origin = origin;
        self
    }

    /// The same status as application code's own failure
    /// ([`Origin::Application`]): what the `#[rpc::service]` macro makes of
    /// every error a handler returns. A hand-written [`RpcService`](crate::RpcService)
    /// calls it on the errors of its own logic, and on any status it passes
    /// on from its own downstream calls.
    pub fn into_application(self) -> Status {
        self.with_origin(Origin::Application)
    }

    /// Whether this is the framework's verdict on the endpoint or the call's
    /// delivery ([`Origin::Framework`]), the only kind retries and circuit
    /// breakers act on.
    pub fn is_framework(&self) -> bool {
        self.origin == Origin::Framework
    }

    /// Whether the call may be sent again: a retryable code
    /// ([`Code::is_retryable`]) decided by the framework ([`Origin`]). The
    /// "no more retry" mark ([`Status::no_retry`]) is checked on its own.
    pub fn is_retryable(&self) -> bool {
        self.is_framework() && self.code.is_retryable()
    }

    /// The same status, marked "no more retry": whoever receives it must not
    /// try the call again, even if its code is retryable.
    ///
    /// A load-balancing client sets the mark on the error it returns after
    /// its own retries ran out or its retry budget refused one. The mark is
    /// metadata ([`NO_RETRY_KEY`] = `1`), so it crosses the wire with the
    /// status: a handler that returns such an error as is (`?`) passes the
    /// mark to its caller, whose client then does not retry that server
    /// either. One level of retries per chain, however deep.
    pub fn no_retry(mut self) -> Status {
        if !self.is_no_retry() {
            self.metadata.insert(NO_RETRY_KEY, "1");
        }
        self
    }

    /// Whether the status carries the "no more retry" mark
    /// ([`Status::no_retry`]).
    pub fn is_no_retry(&self) -> bool {
        self.metadata.get(NO_RETRY_KEY).is_some()
    }

    /// [`Code::ServiceNotFound`].
    pub fn service_not_found(service: &str) -> Status {
        Status::new(
            Code::ServiceNotFound,
            format!("service {service:?} not found"),
        )
    }

    /// [`Code::MethodNotFound`].
    pub fn method_not_found(service: &str, method: &str) -> Status {
        Status::new(
            Code::MethodNotFound,
            format!("method {method:?} not found on service {service:?}"),
        )
    }

    /// [`Code::BadRequest`].
    pub fn bad_request(message: impl Into<ByteString>) -> Status {
        Status::new(Code::BadRequest, message)
    }

    /// [`Code::DeadlineExceeded`].
    pub fn deadline_exceeded(message: impl Into<ByteString>) -> Status {
        Status::new(Code::DeadlineExceeded, message)
    }

    /// [`Code::Cancelled`].
    pub fn cancelled(message: impl Into<ByteString>) -> Status {
        Status::new(Code::Cancelled, message)
    }

    /// [`Code::Unauthenticated`].
    pub fn unauthenticated(message: impl Into<ByteString>) -> Status {
        Status::new(Code::Unauthenticated, message)
    }

    /// [`Code::PermissionDenied`]: the caller is known but may not do this.
    pub fn permission_denied(message: impl Into<ByteString>) -> Status {
        Status::new(Code::PermissionDenied, message)
    }

    /// [`Code::Overloaded`].
    pub fn overloaded(message: impl Into<ByteString>) -> Status {
        Status::new(Code::Overloaded, message)
    }

    /// [`Code::Unavailable`].
    pub fn unavailable(message: impl Into<ByteString>) -> Status {
        Status::new(Code::Unavailable, message)
    }

    /// [`Code::Internal`].
    pub fn internal(message: impl Into<ByteString>) -> Status {
        Status::new(Code::Internal, message)
    }

    /// [`Code::Application`]: the handler's own error.
    pub fn application(message: impl Into<ByteString>) -> Status {
        Status::new(Code::Application, message)
    }

    /// [`Code::NotFound`].
    pub fn not_found(message: impl Into<ByteString>) -> Status {
        Status::new(Code::NotFound, message)
    }

    /// [`Code::AlreadyExists`].
    pub fn already_exists(message: impl Into<ByteString>) -> Status {
        Status::new(Code::AlreadyExists, message)
    }

    /// [`Code::FailedPrecondition`].
    pub fn failed_precondition(message: impl Into<ByteString>) -> Status {
        Status::new(Code::FailedPrecondition, message)
    }

    /// [`Code::ResourceExhausted`].
    pub fn resource_exhausted(message: impl Into<ByteString>) -> Status {
        Status::new(Code::ResourceExhausted, message)
    }

    /// [`Code::Aborted`].
    pub fn aborted(message: impl Into<ByteString>) -> Status {
        Status::new(Code::Aborted, message)
    }

    /// [`Code::OutOfRange`].
    pub fn out_of_range(message: impl Into<ByteString>) -> Status {
        Status::new(Code::OutOfRange, message)
    }

    /// [`Code::Unimplemented`].
    pub fn unimplemented(message: impl Into<ByteString>) -> Status {
        Status::new(Code::Unimplemented, message)
    }

    /// [`Code::DataLoss`].
    pub fn data_loss(message: impl Into<ByteString>) -> Status {
        Status::new(Code::DataLoss, message)
    }
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Status");
        s.field("code", &self.code)
            .field("message", &&*self.message)
            .field("origin", &self.origin);
        if !self.metadata.is_empty() {
            s.field("metadata", &self.metadata);
        }
        if !self.details.is_empty() {
            s.field("details_len", &self.details.len());
        }
        if let Some(source) = &self.source {
            s.field("source", source);
        }
        s.finish()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{}: {}", self.code, self.message)
        }
    }
}

impl std::error::Error for Status {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use rpc_codec::{Codec, PayloadCodec};

    use super::*;

    #[test]
    fn codec_errors_map_to_the_caller_facing_codes() {
        let codec = PayloadCodec::<u32>::serde();
        let unsupported = codec.decode(Codec::Protobuf, "x".into()).unwrap_err();
        assert_eq!(Status::from(unsupported).code(), Code::UnsupportedCodec);
        let garbage = codec.decode(Codec::Json, "{".into()).unwrap_err();
        assert_eq!(Status::from(garbage).code(), Code::BadRequest);
    }

    #[test]
    fn the_no_retry_mark_is_metadata_set_once() {
        let status = Status::overloaded("busy");
        assert!(!status.is_no_retry());
        let marked = status.no_retry().no_retry();
        assert!(marked.is_no_retry());
        assert_eq!(marked.metadata().get(NO_RETRY_KEY), Some("1"));
        assert_eq!(marked.metadata().len(), 1);
        assert!(marked.is_retryable(), "the code is unchanged");
    }

    #[test]
    fn display_shows_code_and_message() {
        assert_eq!(Status::overloaded("busy").to_string(), "overloaded: busy");
        assert_eq!(Status::new(Code::Cancelled, "").to_string(), "cancelled");
    }
}
