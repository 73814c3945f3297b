//! The one table from wire status codes to HTTP statuses.

use http::StatusCode;
use rpc_core::Code;

/// The HTTP status a call's [`Code`] is answered with:
///
/// | code | HTTP |
/// |---|---|
/// | `ok` | 200 |
/// | `service_not_found`, `method_not_found` | 404 |
/// | `bad_request` | 400 |
/// | `unsupported_codec` | 415 |
/// | `deadline_exceeded` | 504 |
/// | `cancelled` | 499 (client closed request) |
/// | `unauthenticated` | 401 |
/// | `permission_denied` | 403 |
/// | `overloaded` | 429 |
/// | `unavailable` | 503 |
/// | `payload_too_large` | 413 |
/// | `not_found` | 404 |
/// | `already_exists`, `aborted` | 409 |
/// | `failed_precondition`, `out_of_range` | 400 |
/// | `resource_exhausted` | 429 |
/// | `unimplemented` | 501 |
/// | `data_loss` | 500 |
/// | `application`, `internal`, unknown | 500 |
///
/// `application` is 500 as in rpcx's gateway, whose clients treat any
/// handler error so; the `X-Rpc-Status` header and the JSON body tell it
/// from `internal`.
pub fn http_status(code: Code) -> StatusCode {
    let number = match code {
        Code::Ok => 200,
        Code::ServiceNotFound | Code::MethodNotFound => 404,
        Code::BadRequest => 400,
        Code::UnsupportedCodec => 415,
        Code::DeadlineExceeded => 504,
        Code::Cancelled => 499,
        Code::Unauthenticated => 401,
        Code::PermissionDenied => 403,
        Code::Overloaded => 429,
        Code::Unavailable => 503,
        Code::PayloadTooLarge => 413,
        Code::NotFound => 404,
        Code::AlreadyExists | Code::Aborted => 409,
        Code::FailedPrecondition | Code::OutOfRange => 400,
        Code::ResourceExhausted => 429,
        Code::Unimplemented => 501,
        _ => 500,
    };
    StatusCode::from_u16(number).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_status_and_only_ok_is_a_success() {
        for code in Code::ALL {
            let status = http_status(code);
            assert_eq!(status.is_success(), code == Code::Ok, "{code}");
        }
        assert_eq!(http_status(Code::Cancelled).as_u16(), 499);
        assert_eq!(http_status(Code::Overloaded), StatusCode::TOO_MANY_REQUESTS);
    }
}
