//! A hand-written test service and helpers shared by the client/server
//! integration tests. Everything runs on 127.0.0.1 with port 0.

#![allow(dead_code, unreachable_pub)]

pub mod certs;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use rpc_client::{Client, ClientConfig, Target};
use rpc_codec::payload_codec;
use rpc_core::dispatch::{decode_argument, encode_reply, unknown_method};
use rpc_core::frame::{Frame, FrameCodec, Message};
use rpc_core::server::{ServerBuilder, ServerHandle};
use rpc_core::{BoxFuture, RpcService, ServiceCall, ServiceReply, Status};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::codec::Decoder;

/// A message every typed codec can carry.
#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
pub struct Numbers {
    #[prost(sint64, repeated, tag = "1")]
    pub values: Vec<i64>,
    #[prost(string, tag = "2")]
    pub label: String,
}

/// Counters the test service keeps, shared with the test.
#[derive(Debug, Default)]
pub struct Counters {
    pub started: AtomicUsize,
    pub finished: AtomicUsize,
    /// Handlers dropped before they finished: cancelled or timed out.
    pub abandoned: AtomicUsize,
    pub oneway: AtomicUsize,
}

impl Counters {
    pub fn get(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::SeqCst)
    }
}

/// Service "Test":
/// - `double(Numbers) -> Numbers`: every value doubled, label kept;
/// - `sleep(u64 ms) -> u64`: sleeps, counting starts, finishes, abandons;
/// - `echo(raw)`: the payload back;
/// - `fill(raw decimal n)`: n bytes back;
/// - `meta(()) -> ()`: request metadata copied onto the reply;
/// - `fail(()) -> ()`: an application error;
/// - `panic(()) -> ()`: panics;
/// - `record(u64) -> ()`: counts (for oneway calls).
#[derive(Clone, Default)]
pub struct TestService {
    pub counters: Arc<Counters>,
}

struct CountsAbandoned(Arc<Counters>, bool);

impl Drop for CountsAbandoned {
    fn drop(&mut self) {
        if !self.1 {
            self.0.abandoned.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl RpcService for TestService {
    fn name(&self) -> &'static str {
        "Test"
    }

    fn methods(&self) -> &'static [&'static str] {
        &[
            "double", "sleep", "echo", "fill", "meta", "fail", "panic", "record", "who",
        ]
    }

    fn call(&self, call: ServiceCall) -> BoxFuture<Result<ServiceReply, Status>> {
        let counters = Arc::clone(&self.counters);
        match call.context.method() {
            "double" => Box::pin(async move {
                let codec = payload_codec!(Numbers);
                let mut numbers = decode_argument(&call, &codec, &codec)?;
                numbers
                    .values
                    .iter_mut()
                    .for_each(|v| *v = v.wrapping_mul(2));
                encode_reply(&call.context, call.codec, &numbers, &codec)
            }),
            "sleep" => Box::pin(async move {
                let codec = payload_codec!(u64);
                let millis = decode_argument(&call, &codec, &codec)?;
                counters.started.fetch_add(1, Ordering::SeqCst);
                let mut guard = CountsAbandoned(Arc::clone(&counters), false);
                tokio::time::sleep(Duration::from_millis(millis)).await;
                guard.1 = true;
                counters.finished.fetch_add(1, Ordering::SeqCst);
                encode_reply(&call.context, call.codec, &millis, &codec)
            }),
            "echo" => Box::pin(async move {
                Ok(ServiceReply {
                    payload: call.payload,
                    metadata: Default::default(),
                })
            }),
            "fill" => Box::pin(async move {
                let n: usize = std::str::from_utf8(&call.payload)
                    .ok()
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| Status::bad_request("fill takes a decimal length"))?;
                Ok(ServiceReply {
                    payload: Bytes::from(vec![b'x'; n]),
                    metadata: Default::default(),
                })
            }),
            "meta" => Box::pin(async move {
                for (key, value) in call.context.metadata().iter() {
                    call.context
                        .set_reply_metadata(key.to_owned(), value.to_owned());
                }
                if let Some(peer) = call.context.peer() {
                    call.context.set_reply_metadata("peer", peer.to_string());
                }
                let codec = payload_codec!(());
                decode_argument(&call, &codec, &codec)?;
                encode_reply(&call.context, call.codec, &(), &codec)
            }),
            // Who the server says the caller is (TLS certificate, token).
            "who" => Box::pin(async move {
                let context = &call.context;
                if let Some(identity) = context.identity() {
                    context.set_reply_metadata("identity", identity.name().to_owned());
                }
                if let Some(certificate) = context.peer_certificate() {
                    context.set_reply_metadata("subject", certificate.subject().to_owned());
                    context.set_reply_metadata("dns", certificate.dns_names().join(","));
                }
                let codec = payload_codec!(());
                encode_reply(context, call.codec, &(), &codec)
            }),
            "fail" => Box::pin(async move { Err(Status::application("boom")) }),
            "panic" => Box::pin(async move { panic!("the handler fell over") }),
            "record" => Box::pin(async move {
                counters.oneway.fetch_add(1, Ordering::SeqCst);
                let codec = payload_codec!(());
                encode_reply(&call.context, call.codec, &(), &codec)
            }),
            _ => unknown_method(&call),
        }
    }
}

/// Starts `builder` plus the test service on 127.0.0.1:0.
pub async fn start(builder: ServerBuilder) -> (ServerHandle, Arc<Counters>) {
    let service = TestService::default();
    let counters = Arc::clone(&service.counters);
    let handle = builder
        .service(service)
        .bind("127.0.0.1:0")
        .await
        .expect("bind");
    (handle, counters)
}

/// A client of `handle` with `config`.
pub fn client(handle: &ServerHandle, config: ClientConfig) -> Client {
    let addr = handle.local_addr().expect("tcp server");
    Client::with_config(Target::Tcp(addr.to_string()), config)
}

/// A raw TCP connection to `handle`, for writing frames and bytes by hand.
pub async fn raw(handle: &ServerHandle) -> TcpStream {
    TcpStream::connect(handle.local_addr().expect("tcp server"))
        .await
        .expect("connect")
}

/// Writes one frame.
pub async fn write_frame(stream: &mut TcpStream, frame: &Frame) {
    let mut buf = BytesMut::new();
    FrameCodec::new()
        .encode_frame(frame, &mut buf)
        .expect("encode");
    stream.write_all(&buf).await.expect("write");
}

/// Reads one frame, or `None` when the server closed the connection.
pub async fn read_frame(stream: &mut TcpStream) -> Option<Frame> {
    let mut codec = FrameCodec::new();
    let mut buf = BytesMut::new();
    loop {
        if let Some(frame) = codec.decode(&mut buf).expect("valid frame from the server") {
            return Some(frame);
        }
        let mut chunk = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .expect("the server answers within 10 s")
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.put_slice(&chunk[..n]);
    }
}

/// Whether the server closes `stream` (reads until EOF or reset, 10 s at most).
pub async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut chunk = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

/// A request frame for `Test.method` with `payload` in JSON.
pub fn request(id: u32, method: &str, payload: &'static [u8]) -> Frame {
    Frame {
        request_id: id,
        codec: rpc_codec::Codec::Json,
        compression: rpc_codec::Compression::None,
        message: Message::Request(rpc_core::frame::Request {
            service: "Test".into(),
            method: method.into(),
            payload: Bytes::from_static(payload),
            ..Default::default()
        }),
    }
}

/// Logs to the test output when RUST_LOG is set.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}
