//! Reading a call out of an HTTP request head: which service and method,
//! which codec, which metadata. Pure functions of the head, so each rule is
//! unit-tested; every refusal is a `bad_request` status with the reason.

use http::HeaderMap;
use rpc_core::server::{AUTHORIZATION_KEY, BEARER_PREFIX};
use rpc_core::{Codec, Metadata, Status};

/// rpcx's gateway headers.
pub(crate) mod rpcx {
    pub(crate) const SERVICE_PATH: &str = "x-rpcx-servicepath";
    pub(crate) const SERVICE_METHOD: &str = "x-rpcx-servicemethod";
    pub(crate) const SERIALIZE_TYPE: &str = "x-rpcx-serializetype";
    pub(crate) const META: &str = "x-rpcx-meta";
    pub(crate) const MESSAGE_ID: &str = "x-rpcx-messageid";
    pub(crate) const MESSAGE_STATUS_TYPE: &str = "x-rpcx-messagestatustype";
    pub(crate) const ERROR_MESSAGE: &str = "x-rpcx-errormessage";
    /// Where rpcx puts the `Authorization` header among the metadata.
    pub(crate) const AUTH_KEY: &str = "__AUTH";
}

/// Wire names are 1 to 255 bytes (`docs/PROTOCOL.md` §3.1).
const MAX_NAME: usize = 255;

/// Metadata entries taken from one request, at most (the binary protocol's
/// default limit).
const MAX_METADATA: usize = 128;

/// What the head says about the call.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) service: String,
    pub(crate) method: String,
    pub(crate) codec: Codec,
    pub(crate) metadata: Metadata,
}

/// Reads the call from the path and headers: rpcx's headers win over the
/// path, as in rpcx's gateway.
pub(crate) fn route(path: &str, headers: &HeaderMap) -> Result<Route, Status> {
    let path = path.trim_start_matches('/');
    let header_method = text(headers, rpcx::SERVICE_METHOD)?;
    let (service, method) = match header_method {
        Some(method) => {
            let service = match text(headers, rpcx::SERVICE_PATH)? {
                Some(service) => service,
                None => path.trim_end_matches('/'),
            };
            (service, method)
        }
        None => path.split_once('/').ok_or_else(|| {
            Status::bad_request(format!(
                "the path {path:?} names no method: POST /Service/Method, or send X-RPCX-ServiceMethod"
            ))
        })?,
    };
    let service = check_name("service", service)?;
    let method = check_name("method", method)?;
    Ok(Route {
        service,
        method,
        codec: codec(headers)?,
        metadata: metadata(headers)?,
    })
}

fn check_name(what: &str, name: &str) -> Result<String, Status> {
    if name.is_empty() || name.len() > MAX_NAME || name.contains('/') {
        return Err(Status::bad_request(format!(
            "the {what} name {name:?} is not 1 to {MAX_NAME} bytes without '/'"
        )));
    }
    Ok(name.to_owned())
}

/// `X-RPCX-SerializeType` (rpcx's numbers), else the content type, else JSON.
fn codec(headers: &HeaderMap) -> Result<Codec, Status> {
    if let Some(number) = text(headers, rpcx::SERIALIZE_TYPE)? {
        return number
            .trim()
            .parse::<u8>()
            .ok()
            .and_then(|n| Codec::try_from(n).ok())
            .ok_or_else(|| {
                Status::bad_request(format!(
                    "X-RPCX-SerializeType {number:?} is not 0 (raw), 1 (JSON), 2 (protobuf) or 3 (msgpack)"
                ))
            });
    }
    let Some(content_type) = text(headers, "content-type")? else {
        return Ok(Codec::Json);
    };
    let essence = content_type.split(';').next().unwrap_or("").trim();
    match essence.to_ascii_lowercase().as_str() {
        "application/json" | "text/json" | "text/plain" | "" => Ok(Codec::Json),
        // curl -d sends this unless told otherwise.
        "application/x-www-form-urlencoded" => Ok(Codec::Json),
        "application/msgpack" | "application/x-msgpack" | "application/vnd.msgpack" => {
            Ok(Codec::MsgPack)
        }
        "application/protobuf" | "application/x-protobuf" | "application/vnd.google.protobuf" => {
            Ok(Codec::Protobuf)
        }
        "application/octet-stream" => Ok(Codec::Raw),
        other => Err(Status::new(
            rpc_core::Code::UnsupportedCodec,
            format!(
                "content type {other:?} names no codec: use application/json, application/msgpack, application/x-protobuf or application/octet-stream"
            ),
        )),
    }
}

/// The content type a reply in `codec` is sent with.
pub(crate) fn content_type(codec: Codec) -> &'static str {
    match codec {
        Codec::Json => "application/json",
        Codec::MsgPack => "application/msgpack",
        Codec::Protobuf => "application/x-protobuf",
        Codec::Raw => "application/octet-stream",
        // A codec added later: bytes the gateway does not interpret.
        _ => "application/octet-stream",
    }
}

/// `X-RPCX-Meta` (a URL query string) plus `Authorization`: as `__AUTH`
/// (verbatim, as rpcx's gateway passes it, for auth hooks) and as
/// `authorization: Bearer <token>` for the server's authenticator (a value
/// without the `Bearer ` scheme is taken as the token itself, as rpcx
/// clients send it).
fn metadata(headers: &HeaderMap) -> Result<Metadata, Status> {
    let mut metadata = Metadata::default();
    if let Some(query) = text(headers, rpcx::META)? {
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            if metadata.len() >= MAX_METADATA {
                return Err(Status::bad_request(format!(
                    "X-RPCX-Meta has more than {MAX_METADATA} entries"
                )));
            }
            metadata.insert(key.into_owned(), value.into_owned());
        }
    }
    if let Some(auth) = text(headers, "authorization")? {
        let bearer = if auth.starts_with(BEARER_PREFIX) {
            auth.to_owned()
        } else {
            format!("{BEARER_PREFIX}{auth}")
        };
        metadata.insert(AUTHORIZATION_KEY, bearer);
        metadata.insert(rpcx::AUTH_KEY, auth.to_owned());
    }
    Ok(metadata)
}

/// A header's value as text; a value that is not visible ASCII is refused.
fn text<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, Status> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .map(Some)
            .map_err(|_| Status::bad_request(format!("header {name} is not visible ASCII"))),
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn the_path_names_service_and_method() {
        let route = route("/Arith/Mul", &HeaderMap::new()).unwrap();
        assert_eq!(
            (route.service.as_str(), route.method.as_str()),
            ("Arith", "Mul")
        );
        assert_eq!(route.codec, Codec::Json);
        let route = route_of("/rpc.Reflection/List", &[]);
        assert_eq!(route.service, "rpc.Reflection");
        for bad in ["/", "/Arith", "/Arith/", "//Mul", "/a/b/c"] {
            assert!(super::route(bad, &HeaderMap::new()).is_err(), "{bad}");
        }
    }

    fn route_of(path: &str, pairs: &[(&'static str, &'static str)]) -> Route {
        route(path, &headers(pairs)).unwrap()
    }

    #[test]
    fn rpcx_headers_win_over_the_path() {
        let route = route_of(
            "/ignored/too",
            &[
                ("x-rpcx-servicepath", "Arith"),
                ("x-rpcx-servicemethod", "Mul"),
                ("x-rpcx-serializetype", "3"),
                ("x-rpcx-meta", "trace=abc&user=j%20d"),
                ("authorization", "Bearer t"),
            ],
        );
        assert_eq!(
            (route.service.as_str(), route.method.as_str()),
            ("Arith", "Mul")
        );
        assert_eq!(route.codec, Codec::MsgPack);
        assert_eq!(route.metadata.get("trace"), Some("abc"));
        assert_eq!(route.metadata.get("user"), Some("j d"));
        assert_eq!(route.metadata.get("__AUTH"), Some("Bearer t"));
        assert_eq!(route.metadata.get("authorization"), Some("Bearer t"));
        // rpcx's own layout: the path is the service, the header the method.
        let route = route_of("/Arith", &[("x-rpcx-servicemethod", "Mul")]);
        assert_eq!(
            (route.service.as_str(), route.method.as_str()),
            ("Arith", "Mul")
        );
    }

    #[test]
    fn codecs_come_from_the_serialize_type_or_the_content_type() {
        let codec_of = |pairs| route_of("/A/B", pairs).codec;
        assert_eq!(
            codec_of(&[("content-type", "application/json; charset=utf-8")]),
            Codec::Json
        );
        assert_eq!(
            codec_of(&[("content-type", "application/x-protobuf")]),
            Codec::Protobuf
        );
        assert_eq!(
            codec_of(&[("content-type", "application/octet-stream")]),
            Codec::Raw
        );
        assert_eq!(
            codec_of(&[
                ("x-rpcx-serializetype", "1"),
                ("content-type", "application/msgpack")
            ]),
            Codec::Json
        );
        assert!(route("/A/B", &headers(&[("x-rpcx-serializetype", "9")])).is_err());
        let unknown = route("/A/B", &headers(&[("content-type", "image/png")])).unwrap_err();
        assert_eq!(unknown.code(), rpc_core::Code::UnsupportedCodec);
    }
}
