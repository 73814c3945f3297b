//! Building the HTTP answers: a reply, or a status as an error.

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{HeaderMap, Response};
use http_body_util::Full;
use rpc_core::{Codec, Metadata, Status};

use crate::request::{content_type, rpcx};
use crate::status_map::http_status;

/// The gateway's response type.
pub(crate) type HttpResponse = Response<Full<Bytes>>;

/// rpcx headers echoed from the request onto the answer.
#[derive(Debug, Default)]
pub(crate) struct Echo {
    pub(crate) service: Option<String>,
    pub(crate) method: Option<String>,
    pub(crate) codec: Option<Codec>,
    pub(crate) message_id: Option<HeaderValue>,
}

impl Echo {
    fn apply(&self, headers: &mut HeaderMap) {
        let mut set = |name: &'static str, value: Option<HeaderValue>| {
            if let Some(value) = value {
                headers.insert(name, value);
            }
        };
        set(rpcx::SERVICE_PATH, self.service.as_deref().and_then(value));
        set(rpcx::SERVICE_METHOD, self.method.as_deref().and_then(value));
        set(
            rpcx::SERIALIZE_TYPE,
            self.codec.map(|c| HeaderValue::from(u16::from(c.as_u8()))),
        );
        set(rpcx::MESSAGE_ID, self.message_id.clone());
    }
}

/// A typed application error's details (encoded in the call's codec) as
/// JSON: JSON as it is, msgpack transcoded. Details that do not decode, or
/// come in another codec, are left out: the code and message still say what
/// went wrong.
fn details_as_json(codec: Option<Codec>, details: &[u8]) -> Option<serde_json::Value> {
    if details.is_empty() {
        return None;
    }
    match codec? {
        Codec::Json => serde_json::from_slice(details).ok(),
        Codec::MsgPack => rmp_serde::from_slice(details).ok(),
        _ => None,
    }
}

fn value(text: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(text).ok()
}

/// `200` with the reply payload and its metadata.
pub(crate) fn success(
    echo: &Echo,
    codec: Codec,
    payload: Bytes,
    metadata: &Metadata,
) -> HttpResponse {
    let mut response = Response::new(Full::new(payload));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(codec)),
    );
    headers.insert(
        rpcx::MESSAGE_STATUS_TYPE,
        HeaderValue::from_static("Normal"),
    );
    if !metadata.is_empty()
        && let Some(meta) = value(&encode_metadata(metadata))
    {
        headers.insert(rpcx::META, meta);
    }
    echo.apply(headers);
    response
}

/// The status as an HTTP error: the mapped code, rpcx's error headers, and
/// a JSON body `{"code", "status", "message"}`, plus `"details"` when the
/// status carries a typed application error the gateway can show as JSON.
pub(crate) fn failure(echo: &Echo, status: &Status) -> HttpResponse {
    let mut body = serde_json::json!({
        "code": status.code().name(),
        "status": status.code().as_u8(),
        "message": status.message(),
    });
    if let Some(details) = details_as_json(echo.codec, status.details()) {
        body["details"] = details;
    }
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = http_status(status.code());
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(rpcx::MESSAGE_STATUS_TYPE, HeaderValue::from_static("Error"));
    headers.insert(
        "x-rpc-status",
        HeaderValue::from_static(status.code().name()),
    );
    // Header values cannot hold every character a message may have; the
    // body always has the message whole.
    let message: String = status
        .message()
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(1024)
        .collect();
    if let Some(message) = value(&message) {
        headers.insert(rpcx::ERROR_MESSAGE, message);
    }
    if !status.metadata().is_empty()
        && let Some(meta) = value(&encode_metadata(status.metadata()))
    {
        headers.insert(rpcx::META, meta);
    }
    echo.apply(headers);
    response
}

fn encode_metadata(metadata: &Metadata) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in metadata.iter() {
        query.append_pair(key, value);
    }
    query.finish()
}
