//! CORS: which browser origins may call, and the answer to a preflight.

use http::header::{self, HeaderMap, HeaderValue};

/// Headers a browser script may read from a reply.
const EXPOSED: &str = "X-RPCX-Meta, X-RPCX-MessageStatusType, X-RPCX-ErrorMessage, X-RPCX-ServicePath, X-RPCX-ServiceMethod, X-RPCX-SerializeType, X-Rpc-Status";

/// Headers a browser script may send.
const ALLOWED_HEADERS: &str = "Content-Type, Authorization, X-RPCX-Meta, X-RPCX-ServicePath, X-RPCX-ServiceMethod, X-RPCX-SerializeType, X-RPCX-MessageID";

/// The `Access-Control-Allow-Origin` value for a request from `origin`,
/// if `allowed` lets it call.
fn allowed_origin(allowed: &[String], origin: Option<&HeaderValue>) -> Option<HeaderValue> {
    let origin = origin?;
    if allowed.iter().any(|a| a == "*") {
        return Some(HeaderValue::from_static("*"));
    }
    let text = origin.to_str().ok()?;
    allowed
        .iter()
        .any(|a| a.eq_ignore_ascii_case(text))
        .then(|| origin.clone())
}

/// Adds the CORS headers of an actual (non-preflight) reply.
pub(crate) fn decorate(allowed: &[String], origin: Option<&HeaderValue>, reply: &mut HeaderMap) {
    if let Some(origin) = allowed_origin(allowed, origin) {
        reply.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        reply.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED),
        );
        reply.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
}

/// Adds the headers of a preflight (`OPTIONS`) answer; without an allowed
/// origin it adds none, and the browser refuses the call.
pub(crate) fn preflight(allowed: &[String], request: &HeaderMap, reply: &mut HeaderMap) {
    if let Some(origin) = allowed_origin(allowed, request.get(header::ORIGIN)) {
        reply.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        reply.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST, PUT, OPTIONS"),
        );
        reply.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOWED_HEADERS),
        );
        reply.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        reply.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(value: &'static str) -> Option<HeaderValue> {
        allowed_origin(
            &["https://a.example".to_owned()],
            Some(&HeaderValue::from_static(value)),
        )
    }

    #[test]
    fn only_listed_origins_are_allowed() {
        assert_eq!(origin("https://a.example").unwrap(), "https://a.example");
        assert!(origin("https://b.example").is_none());
        assert!(
            allowed_origin(&[], Some(&HeaderValue::from_static("https://a.example"))).is_none()
        );
        let any = allowed_origin(&["*".to_owned()], Some(&HeaderValue::from_static("x")));
        assert_eq!(any.unwrap(), "*");
    }
}
