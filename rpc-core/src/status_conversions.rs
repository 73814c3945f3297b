//! Conversions into [`Status`] from the errors a handler or the framework
//! meets most: I/O, payload codecs, compression. Each keeps the error as
//! the status's source.

use rpc_codec::{CodecError, CompressionError};

use crate::{Code, Status};

/// An I/O failure in a handler (`?` on a file or socket operation), mapped
/// by its kind to the nearest code: `not_found`, `already_exists`,
/// `permission_denied`, `deadline_exceeded` (timed out), `unavailable` (a
/// refused, reset or aborted connection), `bad_request` (invalid input or
/// data), `unimplemented` (unsupported), `resource_exhausted` (out of
/// memory, storage full), else `internal`. The message is the error's
/// text; the error is the status's source.
impl From<std::io::Error> for Status {
    fn from(error: std::io::Error) -> Status {
        use std::io::ErrorKind;
        let code = match error.kind() {
            ErrorKind::NotFound => Code::NotFound,
            ErrorKind::AlreadyExists => Code::AlreadyExists,
            ErrorKind::PermissionDenied => Code::PermissionDenied,
            ErrorKind::TimedOut => Code::DeadlineExceeded,
            ErrorKind::ConnectionRefused
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::NotConnected
            | ErrorKind::BrokenPipe => Code::Unavailable,
            ErrorKind::InvalidInput | ErrorKind::InvalidData => Code::BadRequest,
            ErrorKind::Unsupported => Code::Unimplemented,
            ErrorKind::OutOfMemory | ErrorKind::StorageFull => Code::ResourceExhausted,
            _ => Code::Internal,
        };
        let message = error.to_string();
        Status::new(code, message).with_source(error)
    }
}

impl From<CodecError> for Status {
    fn from(error: CodecError) -> Status {
        let code = match error {
            CodecError::Unsupported { .. } => Code::UnsupportedCodec,
            CodecError::Decode { .. } => Code::BadRequest,
            _ => Code::Internal,
        };
        let message = error.to_string();
        Status::new(code, message).with_source(error)
    }
}

impl From<CompressionError> for Status {
    fn from(error: CompressionError) -> Status {
        let code = match error {
            CompressionError::TooLarge { .. } => Code::PayloadTooLarge,
            CompressionError::Corrupt { .. } => Code::BadRequest,
            _ => Code::Internal,
        };
        let message = error.to_string();
        Status::new(code, message).with_source(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_map_to_the_nearest_code() {
        use std::io::{Error, ErrorKind};
        let cases = [
            (ErrorKind::NotFound, Code::NotFound),
            (ErrorKind::AlreadyExists, Code::AlreadyExists),
            (ErrorKind::PermissionDenied, Code::PermissionDenied),
            (ErrorKind::TimedOut, Code::DeadlineExceeded),
            (ErrorKind::ConnectionRefused, Code::Unavailable),
            (ErrorKind::InvalidData, Code::BadRequest),
            (ErrorKind::Unsupported, Code::Unimplemented),
            (ErrorKind::Other, Code::Internal),
        ];
        for (kind, code) in cases {
            let status = Status::from(Error::new(kind, "boom"));
            assert_eq!(status.code(), code, "{kind:?}");
            assert_eq!(status.message(), "boom");
        }
    }

    #[test]
    fn a_status_keeps_its_source_but_equality_ignores_it() {
        use std::error::Error as _;
        let status = Status::from(std::io::Error::new(std::io::ErrorKind::NotFound, "no file"));
        let source = status.source().expect("the io error is kept");
        let io = source
            .downcast_ref::<std::io::Error>()
            .expect("an io::Error");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
        assert!(format!("{status:?}").contains("source"), "{status:?}");
        assert_eq!(status, Status::not_found("no file"));
        assert!(Status::not_found("no file").source().is_none());
        let chained = Status::internal("x").with_source(status.clone());
        assert!(
            chained.source().unwrap().source().is_some(),
            "a chain of causes"
        );
    }
}
