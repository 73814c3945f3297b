//! One HTTP request, start to end: route, read the body within its limits,
//! call, answer.

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use rpc_core::{Code, Codec, PeerAddr, Status};

use crate::backend::{Backend, GatewayCall};
use crate::config::GatewayConfig;
use crate::cors;
use crate::request::{route, rpcx};
use crate::response::{Echo, HttpResponse, failure, success};

/// Answers one request. Never fails: every problem is an HTTP error answer.
pub(crate) async fn handle(
    config: &GatewayConfig,
    backend: &dyn Backend,
    peer: Option<PeerAddr>,
    request: Request<Incoming>,
) -> HttpResponse {
    if request.method() == Method::OPTIONS {
        let mut response = Response::new(Full::new(Bytes::new()));
        *response.status_mut() = StatusCode::NO_CONTENT;
        cors::preflight(
            &config.allowed_origins,
            request.headers(),
            response.headers_mut(),
        );
        return response;
    }
    // Only the origin is needed once the request is consumed.
    let origin = request.headers().get(header::ORIGIN).cloned();
    let mut response = call(config, backend, peer, request).await;
    cors::decorate(
        &config.allowed_origins,
        origin.as_ref(),
        response.headers_mut(),
    );
    response
}

async fn call(
    config: &GatewayConfig,
    backend: &dyn Backend,
    peer: Option<PeerAddr>,
    request: Request<Incoming>,
) -> HttpResponse {
    let mut echo = Echo {
        message_id: request.headers().get(rpcx::MESSAGE_ID).cloned(),
        ..Echo::default()
    };
    if request.method() != Method::POST && request.method() != Method::PUT {
        let status = Status::bad_request("the gateway takes POST (or PUT) /Service/Method");
        let mut response = failure(&echo, &status);
        *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        response.headers_mut().insert(
            header::ALLOW,
            HeaderValue::from_static("POST, PUT, OPTIONS"),
        );
        return response;
    }
    let route = match route(request.uri().path(), request.headers()) {
        Ok(route) => route,
        Err(status) => return failure(&echo, &status),
    };
    echo.service = Some(route.service.clone());
    echo.method = Some(route.method.clone());
    echo.codec = Some(route.codec);

    let payload = match read_body(config, request).await {
        Ok(payload) => payload,
        Err(BodyError::Status(status)) => return failure(&echo, &status),
        Err(BodyError::TooSlow) => {
            let status = Status::bad_request(format!(
                "the body did not arrive within {:?}",
                config.body_timeout
            ));
            let mut response = failure(&echo, &status);
            *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return response;
        }
    };
    // A method without an argument takes `()`, which is JSON `null`: an
    // empty JSON body means that, so `curl -X POST` works.
    let payload = if payload.is_empty() && route.codec == Codec::Json {
        Bytes::from_static(b"null")
    } else {
        payload
    };
    let call = GatewayCall {
        service: route.service,
        method: route.method,
        codec: route.codec,
        payload,
        metadata: route.metadata,
        timeout: config.call_timeout,
        peer,
    };
    match backend.call(call).await {
        Ok(reply) => success(&echo, route.codec, reply.payload, &reply.metadata),
        Err(status) => failure(&echo, &status),
    }
}

enum BodyError {
    Status(Status),
    TooSlow,
}

/// The whole body, refused past `max_body_bytes` (at once when the
/// `Content-Length` says so, else as soon as the bytes pass the limit) or
/// past `body_timeout`.
async fn read_body(config: &GatewayConfig, request: Request<Incoming>) -> Result<Bytes, BodyError> {
    let too_large = || {
        BodyError::Status(Status::new(
            Code::PayloadTooLarge,
            format!(
                "the body is over the gateway's {} bytes",
                config.max_body_bytes
            ),
        ))
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<u64>().ok());
    if declared.is_some_and(|length| length > config.max_body_bytes as u64) {
        return Err(too_large());
    }
    let body = Limited::new(request.into_body(), config.max_body_bytes);
    match tokio::time::timeout(config.body_timeout, body.collect()).await {
        Err(_) => Err(BodyError::TooSlow),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(error)) if error.is::<LengthLimitError>() => Err(too_large()),
        Ok(Err(error)) => Err(BodyError::Status(Status::bad_request(format!(
            "the body could not be read: {error}"
        )))),
    }
}
