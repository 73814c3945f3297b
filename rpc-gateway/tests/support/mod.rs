//! A test service and a small HTTP/1.1 client (hyper's) for the gateway tests.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use rpc::{Context, Status};

/// Two numbers.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Args {
    /// First.
    pub a: i64,
    /// Second.
    pub b: i64,
}

/// Why a reservation failed: a typed application error.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Shortage {
    /// Units asked for.
    pub wanted: i64,
    /// Units left.
    pub left: i64,
}

impl rpc::ApplicationError for Shortage {
    fn status(&self) -> Status {
        Status::failed_precondition(format!("only {} left", self.left))
    }
}

/// The service behind the gateway.
#[rpc::service]
pub trait Arith {
    /// `a * b`; echoes the `trace` metadata and says who served.
    async fn mul(&self, ctx: &Context, args: Args) -> Result<i64, Status>;
    /// `a / b`; an application error on division by zero.
    async fn div(&self, args: Args) -> Result<i64, Status>;
    /// Reserves `a` units of the `b` in stock: a [`Shortage`] when `a > b`.
    #[rpc(typed_error)]
    async fn reserve(&self, args: Args) -> Result<i64, Shortage>;
    /// Says whether an `__AUTH` token came along.
    async fn whoami(&self, ctx: &Context) -> Result<String, Status>;
    /// Waits a minute; [`STALL_DROPPED`] says when it was cancelled.
    async fn stall(&self) -> Result<(), Status>;
}

/// Set when a `Stall` call is dropped before it finished.
pub static STALL_DROPPED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

struct SetOnDrop;

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        STALL_DROPPED.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The implementation.
pub struct Calculator;

impl Arith for Calculator {
    async fn mul(&self, ctx: &Context, args: Args) -> Result<i64, Status> {
        if let Some(trace) = ctx.metadata().get("trace") {
            ctx.set_reply_metadata("trace", trace.to_owned());
        }
        ctx.set_reply_metadata("served-by", "calculator");
        Ok(args.a * args.b)
    }
    async fn div(&self, args: Args) -> Result<i64, Status> {
        args.a
            .checked_div(args.b)
            .ok_or_else(|| Status::application("division by zero"))
    }
    async fn reserve(&self, args: Args) -> Result<i64, Shortage> {
        if args.a > args.b {
            return Err(Shortage {
                wanted: args.a,
                left: args.b,
            });
        }
        Ok(args.b - args.a)
    }
    async fn whoami(&self, ctx: &Context) -> Result<String, Status> {
        Ok(ctx.metadata().get("__AUTH").unwrap_or("nobody").to_owned())
    }
    async fn stall(&self) -> Result<(), Status> {
        let guard = SetOnDrop;
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        std::mem::forget(guard);
        Ok(())
    }
}

/// An HTTP answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
}

/// Sends one request on a new connection.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Answer {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Full::new(body.into())).unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body,
    }
}

/// `POST path` with a JSON body.
pub async fn post(addr: SocketAddr, path: &str, body: &str) -> Answer {
    send(
        addr,
        "POST",
        path,
        &[("content-type", "application/json")],
        body.to_owned(),
    )
    .await
}
