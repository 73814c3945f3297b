//! [`Code`]: the status codes of the wire, and which of them may be retried.

use std::fmt;

/// The outcome of a call, as carried in a response's status byte.
///
/// The numbers are part of the protocol (see `docs/PROTOCOL.md`). A byte that
/// names no code known to this version decodes as [`Code::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum Code {
    /// The call succeeded; the payload is the reply.
    Ok = 0,
    /// The server has no service of that name.
    ServiceNotFound = 1,
    /// The service has no method of that name.
    MethodNotFound = 2,
    /// The request could not be understood: its payload did not decode as the
    /// method's argument type, or a field was invalid.
    BadRequest = 3,
    /// The method's types cannot be read or written in the request's codec.
    UnsupportedCodec = 4,
    /// The deadline budget was spent before the reply was ready.
    DeadlineExceeded = 5,
    /// The call was cancelled, by the caller or by a server shutting down.
    Cancelled = 6,
    /// The credentials in the metadata were missing or not accepted.
    Unauthenticated = 7,
    /// The caller is known but not allowed to make this call.
    PermissionDenied = 8,
    /// The server refused the call before running it: too many calls in flight.
    Overloaded = 9,
    /// The endpoint could not be reached, or the connection broke before a reply.
    Unavailable = 10,
    /// A bug or unexpected failure in the framework or the server.
    Internal = 11,
    /// The handler returned an error of its own.
    Application = 12,
    /// A payload was larger than the receiver accepts (after decompression).
    PayloadTooLarge = 13,
    /// A thing the call names (a record, a file) does not exist.
    NotFound = 14,
    /// A thing the call wanted to create exists already.
    AlreadyExists = 15,
    /// The system is not in the state the call needs (e.g. a non-empty directory to delete); retrying will not help until the state is fixed.
    FailedPrecondition = 16,
    /// An application quota or resource ran out (disk, a per-user quota); the server's own call limits answer [`Code::Overloaded`].
    ResourceExhausted = 17,
    /// The operation was aborted, typically by a concurrency conflict (a failed transaction, a sequencer check); the application may retry at a higher level.
    Aborted = 18,
    /// The call asked for something past a valid range (reading past the end).
    OutOfRange = 19,
    /// The method exists but this server does not implement or support it.
    Unimplemented = 20,
    /// Unrecoverable data loss or corruption.
    DataLoss = 21,
    /// A code this version does not know (sent by a newer peer).
    Unknown = 255,
}

impl Code {
    /// Every code, in wire-number order.
    pub const ALL: [Code; 23] = [
        Code::Ok,
        Code::ServiceNotFound,
        Code::MethodNotFound,
        Code::BadRequest,
        Code::UnsupportedCodec,
        Code::DeadlineExceeded,
        Code::Cancelled,
        Code::Unauthenticated,
        Code::PermissionDenied,
        Code::Overloaded,
        Code::Unavailable,
        Code::Internal,
        Code::Application,
        Code::PayloadTooLarge,
        Code::NotFound,
        Code::AlreadyExists,
        Code::FailedPrecondition,
        Code::ResourceExhausted,
        Code::Aborted,
        Code::OutOfRange,
        Code::Unimplemented,
        Code::DataLoss,
        Code::Unknown,
    ];

    /// The status byte of this code.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// The code a status byte names; bytes with no known code give [`Code::Unknown`].
    pub const fn from_u8(value: u8) -> Code {
        match value {
            0 => Code::Ok,
            1 => Code::ServiceNotFound,
            2 => Code::MethodNotFound,
            3 => Code::BadRequest,
            4 => Code::UnsupportedCodec,
            5 => Code::DeadlineExceeded,
            6 => Code::Cancelled,
            7 => Code::Unauthenticated,
            8 => Code::PermissionDenied,
            9 => Code::Overloaded,
            10 => Code::Unavailable,
            11 => Code::Internal,
            12 => Code::Application,
            13 => Code::PayloadTooLarge,
            14 => Code::NotFound,
            15 => Code::AlreadyExists,
            16 => Code::FailedPrecondition,
            17 => Code::ResourceExhausted,
            18 => Code::Aborted,
            19 => Code::OutOfRange,
            20 => Code::Unimplemented,
            21 => Code::DataLoss,
            _ => Code::Unknown,
        }
    }

    /// Whether a call that ended with this code may be sent again.
    ///
    /// This is the one place that decides it; every fail mode asks here.
    /// Retryable are the codes that say "this endpoint could not take the
    /// call", where another try (or another endpoint) may succeed:
    /// [`Code::Overloaded`] (refused before the handler ran) and
    /// [`Code::Unavailable`] (the endpoint could not be reached, or the
    /// connection broke; a call already written when a connection broke may
    /// have run, so retrying non-idempotent calls is the caller's choice of
    /// fail mode). Everything else is final: the application's own errors, bad
    /// requests, missing services or methods, a spent deadline, a cancellation.
    pub const fn is_retryable(self) -> bool {
        matches!(self, Code::Unavailable | Code::Overloaded)
    }

    /// The code whose [`name`](Code::name) is `name` (as rpcx replies carry
    /// it in `__rpc_code__`); `None` for a name no code has.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|code| code.name() == name)
    }

    /// A short snake-case name, as used in logs.
    pub const fn name(self) -> &'static str {
        match self {
            Code::Ok => "ok",
            Code::ServiceNotFound => "service_not_found",
            Code::MethodNotFound => "method_not_found",
            Code::BadRequest => "bad_request",
            Code::UnsupportedCodec => "unsupported_codec",
            Code::DeadlineExceeded => "deadline_exceeded",
            Code::Cancelled => "cancelled",
            Code::Unauthenticated => "unauthenticated",
            Code::PermissionDenied => "permission_denied",
            Code::Overloaded => "overloaded",
            Code::Unavailable => "unavailable",
            Code::Internal => "internal",
            Code::Application => "application",
            Code::PayloadTooLarge => "payload_too_large",
            Code::NotFound => "not_found",
            Code::AlreadyExists => "already_exists",
            Code::FailedPrecondition => "failed_precondition",
            Code::ResourceExhausted => "resource_exhausted",
            Code::Aborted => "aborted",
            Code::OutOfRange => "out_of_range",
            Code::Unimplemented => "unimplemented",
            Code::DataLoss => "data_loss",
            Code::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_byte() {
        for code in Code::ALL {
            assert_eq!(Code::from_u8(code.as_u8()), code);
        }
        for byte in 22..255 {
            assert_eq!(Code::from_u8(byte), Code::Unknown);
        }
    }

    #[test]
    fn only_overloaded_and_unavailable_are_retryable() {
        let retryable: Vec<Code> = Code::ALL.into_iter().filter(|c| c.is_retryable()).collect();
        assert_eq!(retryable, [Code::Overloaded, Code::Unavailable]);
    }
}
