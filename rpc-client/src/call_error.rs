//! [`CallError`]: how a call to a method with a typed application error
//! fails.

use std::fmt;

use rpc_codec::{Codec, PayloadCodec};
use rpc_core::Status;

/// The failure of a call to a method marked `#[rpc(typed_error)]`: the
/// handler's own error, decoded, or any other failure as a [`Status`].
///
/// `?` turns it into a [`Status`] (the application error's status, details
/// included), so a handler can pass it on as an untyped error.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError<E> {
    /// The handler returned `Err(error)`: the error, decoded in the call's
    /// codec, and the status it was sent as (its code, message and metadata).
    Application {
        /// The handler's error.
        error: E,
        /// The status the error was sent as
        /// ([`ApplicationError::status`](rpc_core::ApplicationError::status)).
        status: Status,
    },
    /// Every other failure: the call did not reach the handler (transport,
    /// timeout, a refusal by the server's framework), or its error arrived
    /// without details that decode as an `E` (a server built from an older
    /// version of the service, for example).
    Status(Status),
}

impl<E> CallError<E> {
    /// The failure as a status: for [`CallError::Application`], the status
    /// the error was sent as.
    pub fn status(&self) -> &Status {
        match self {
            CallError::Application { status, .. } | CallError::Status(status) => status,
        }
    }

    /// The handler's error, if that is what the call failed with.
    pub fn application(&self) -> Option<&E> {
        match self {
            CallError::Application { error, .. } => Some(error),
            CallError::Status(_) => None,
        }
    }

    /// The failure as a status ([`CallError::status`]).
    pub fn into_status(self) -> Status {
        match self {
            CallError::Application { status, .. } | CallError::Status(status) => status,
        }
    }

    /// The error a failed call's status stands for: the handler's error when
    /// the status is the application's and its details decode as an `E` in
    /// `codec`, the status otherwise.
    pub(crate) fn from_status(status: Status, codec: Codec, errors: &PayloadCodec<E>) -> Self {
        if status.is_framework() || status.details().is_empty() {
            return CallError::Status(status);
        }
        match errors.decode(codec, status.details().clone()) {
            Ok(error) => CallError::Application { error, status },
            Err(decode_error) => {
                tracing::warn!(%decode_error, %status, "an error's details do not decode as the method's error type");
                CallError::Status(status)
            }
        }
    }
}

impl<E> From<Status> for CallError<E> {
    fn from(status: Status) -> Self {
        CallError::Status(status)
    }
}

impl<E> From<CallError<E>> for Status {
    fn from(error: CallError<E>) -> Status {
        error.into_status()
    }
}

impl<E: fmt::Debug> fmt::Display for CallError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Application { error, status } => write!(f, "{status} ({error:?})"),
            CallError::Status(status) => fmt::Display::fmt(status, f),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for CallError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.status())
    }
}
