//! What `#[rpc::service]` generates, driven in-process with no network: the
//! server wrapper called through `RpcService::call` with hand-built calls, and
//! the typed client over a loopback `Channel` that hands each request to the
//! server wrapper.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rpc::codec::PayloadCodec;
use rpc::core::bytes::Bytes;
use rpc::core::{ServiceCall, ServiceReply};
use rpc::{
    CallOptions, Channel, Code, Codec, Context, Metadata, RawReply, RawRequest, RpcService, Status,
};

/// Two factors or two terms; serde and prost, so every codec but raw.
#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
pub struct Args {
    /// The first operand.
    #[prost(int64, tag = "1")]
    pub a: i64,
    /// The second operand.
    #[prost(int64, tag = "2")]
    pub b: i64,
}

/// A result; serde and prost.
#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
pub struct Answer {
    /// The value.
    #[prost(int64, tag = "1")]
    pub value: i64,
}

/// Two strings; serde only, so JSON and msgpack.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Words {
    /// The first word.
    pub first: String,
    /// The second word.
    pub second: String,
}

/// The handlers' own error, which becomes a `Status` on the wire.
#[derive(Debug)]
pub enum ArithError {
    /// The result does not fit in an `i64`.
    Overflow,
}

impl From<ArithError> for Status {
    fn from(error: ArithError) -> Status {
        match error {
            ArithError::Overflow => Status::application("overflow"),
        }
    }
}

/// The service under test.
#[rpc::service]
pub trait Arith {
    /// `a * b`; echoes the caller's `trace-id` metadata on the reply.
    async fn mul(&self, ctx: &rpc::Context, args: Args) -> Result<Answer, rpc::Status>;
    /// `a + b`, refusing overflow with the handler's own error type; named
    /// `Sum` on the wire.
    #[rpc(name = "Sum")]
    async fn add(&self, args: Args) -> Result<Answer, ArithError>;
    /// How many times it was called, this call included.
    async fn ping(&self) -> Result<u64, rpc::Status>;
    /// The two words joined by a space.
    async fn join(&self, words: Words) -> Result<String, rpc::Status>;
}

/// The implementation.
#[derive(Debug, Default)]
pub struct Calculator {
    pings: AtomicU64,
}

impl Arith for Calculator {
    async fn mul(&self, ctx: &Context, args: Args) -> Result<Answer, Status> {
        if let Some(trace) = ctx.metadata().get("trace-id") {
            ctx.set_reply_metadata("trace-id", trace.to_owned());
        }
        Ok(Answer {
            value: args.a * args.b,
        })
    }

    async fn add(&self, args: Args) -> Result<Answer, ArithError> {
        let value = args.a.checked_add(args.b).ok_or(ArithError::Overflow)?;
        Ok(Answer { value })
    }

    async fn ping(&self) -> Result<u64, Status> {
        Ok(self.pings.fetch_add(1, Ordering::Relaxed) + 1)
    }

    async fn join(&self, words: Words) -> Result<String, Status> {
        Ok(format!("{} {}", words.first, words.second))
    }
}

/// A second service with a wire name of its own.
#[rpc::service(name = "tools.Echo")]
pub trait Echo {
    /// Returns the argument.
    #[rpc(name = "speak")]
    async fn say(&self, text: String) -> Result<String, rpc::Status>;
}

/// Implements [`Echo`].
#[derive(Debug)]
pub struct Parrot;

impl Echo for Parrot {
    async fn say(&self, text: String) -> Result<String, Status> {
        Ok(text)
    }
}

const SERDE_AND_PROTOBUF: [Codec; 3] = [Codec::Json, Codec::MsgPack, Codec::Protobuf];

fn arith() -> ArithServer<Calculator> {
    ArithServer::new(Calculator::default())
}

fn encode<T>(codec_table: PayloadCodec<T>, value: &T, codec: Codec) -> Bytes {
    codec_table
        .encode_to_bytes(value, codec)
        .expect("encodable")
}

async fn serve(
    service: &dyn RpcService,
    context: Context,
    codec: Codec,
    payload: Bytes,
) -> Result<ServiceReply, Status> {
    service
        .call(ServiceCall {
            context,
            codec,
            payload,
        })
        .await
}

#[test]
fn name_and_methods_are_the_wire_names() {
    let server = arith();
    assert_eq!(server.name(), "Arith");
    assert_eq!(server.methods(), ["Mul", "Sum", "Ping", "Join"]);
    let echo = EchoServer::new(Parrot);
    assert_eq!(echo.name(), "tools.Echo");
    assert_eq!(echo.methods(), ["speak"]);
    assert_eq!(
        format!("{:?}", echo.clone()),
        r#"EchoServer { service: "tools.Echo", .. }"#
    );
    assert_eq!(ArithClient::<rpc::Client>::SERVICE_NAME, "Arith");
    assert_eq!(EchoClient::<rpc::Client>::SERVICE_NAME, "tools.Echo");
}

#[tokio::test]
async fn each_codec_is_answered_in_that_codec() {
    let server = arith();
    let args = Args { a: 7, b: 8 };
    for codec in SERDE_AND_PROTOBUF {
        let payload = encode(PayloadCodec::all(), &args, codec);
        let reply = serve(&server, Context::new("Arith", "Mul"), codec, payload)
            .await
            .unwrap_or_else(|status| panic!("{codec}: {status}"));
        let answer = PayloadCodec::<Answer>::all()
            .decode(codec, reply.payload)
            .unwrap();
        assert_eq!(answer, Answer { value: 56 }, "{codec}");
    }
    let payload = Bytes::from_static(br#"{"a":7,"b":8}"#);
    let reply = serve(&server, Context::new("Arith", "Mul"), Codec::Json, payload)
        .await
        .unwrap();
    assert_eq!(&reply.payload[..], br#"{"value":56}"#);
}

#[tokio::test]
async fn the_context_carries_metadata_both_ways() {
    let metadata: Metadata = [("trace-id", "abc-123")].into_iter().collect();
    let context = Context::new("Arith", "Mul").with_metadata(metadata);
    let payload = encode(PayloadCodec::all(), &Args { a: 2, b: 3 }, Codec::MsgPack);
    let reply = serve(&arith(), context, Codec::MsgPack, payload)
        .await
        .unwrap();
    assert_eq!(reply.metadata.get("trace-id"), Some("abc-123"));
    assert_eq!(reply.metadata.len(), 1);
}

#[tokio::test]
async fn a_method_answers_to_its_upper_camel_case_name_only() {
    let server = arith();
    let payload = encode(PayloadCodec::all(), &Args { a: 6, b: 7 }, Codec::Json);
    let reply = serve(
        &server,
        Context::new("Arith", "Mul"),
        Codec::Json,
        payload.clone(),
    )
    .await
    .unwrap();
    assert_eq!(&reply.payload[..], br#"{"value":42}"#);
    for method in ["mul", "MUL"] {
        let status = serve(
            &server,
            Context::new("Arith", method),
            Codec::Json,
            payload.clone(),
        )
        .await
        .unwrap_err();
        assert_eq!(status.code(), Code::MethodNotFound, "{method}: {status}");
    }
}

#[tokio::test]
async fn a_renamed_method_answers_to_its_wire_name_only() {
    let server = arith();
    let payload = encode(PayloadCodec::all(), &Args { a: 2, b: 3 }, Codec::Json);
    let reply = serve(
        &server,
        Context::new("Arith", "Sum"),
        Codec::Json,
        payload.clone(),
    )
    .await
    .unwrap();
    assert_eq!(&reply.payload[..], br#"{"value":5}"#);
    for method in ["Add", "add"] {
        let status = serve(
            &server,
            Context::new("Arith", method),
            Codec::Json,
            payload.clone(),
        )
        .await
        .unwrap_err();
        assert_eq!(status.code(), Code::MethodNotFound, "{method}: {status}");
    }
}

#[tokio::test]
async fn a_method_without_argument_takes_the_unit_payload() {
    let server = arith();
    for (count, codec) in (1..).zip(SERDE_AND_PROTOBUF) {
        let payload = encode(PayloadCodec::all(), &(), codec);
        let reply = serve(&server, Context::new("Arith", "Ping"), codec, payload)
            .await
            .unwrap();
        assert_eq!(
            PayloadCodec::<u64>::all()
                .decode(codec, reply.payload)
                .unwrap(),
            count
        );
    }
    let status = serve(
        &server,
        Context::new("Arith", "Ping"),
        Codec::Json,
        Bytes::from_static(b"[1, 2"),
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::BadRequest, "{status}");
}

#[tokio::test]
async fn an_unsupported_codec_is_refused_before_the_handler_runs() {
    let server = arith();
    let status = serve(
        &server,
        Context::new("Arith", "Mul"),
        Codec::Raw,
        Bytes::from_static(b"x"),
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::UnsupportedCodec, "{status}");
    // `Words` is serde only.
    let status = serve(
        &server,
        Context::new("Arith", "Join"),
        Codec::Protobuf,
        Bytes::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::UnsupportedCodec, "{status}");
    // `ping` did not run for a refused call.
    let status = serve(
        &server,
        Context::new("Arith", "Ping"),
        Codec::Raw,
        Bytes::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::UnsupportedCodec, "{status}");
    let reply = serve(
        &server,
        Context::new("Arith", "Ping"),
        Codec::Json,
        Bytes::from_static(b"null"),
    )
    .await
    .unwrap();
    assert_eq!(&reply.payload[..], b"1");
}

#[tokio::test]
async fn a_payload_that_does_not_decode_is_a_bad_request() {
    let server = arith();
    for (codec, garbage) in [
        (Codec::Json, &b"{\"a\": 7"[..]),
        (Codec::Json, &b"{\"a\": \"seven\", \"b\": 8}"[..]),
        (Codec::MsgPack, &b"\xc1"[..]),
        (Codec::Protobuf, &b"\x08"[..]),
    ] {
        let status = serve(
            &server,
            Context::new("Arith", "Mul"),
            codec,
            Bytes::from_static(garbage),
        )
        .await
        .unwrap_err();
        assert_eq!(status.code(), Code::BadRequest, "{codec}: {status}");
    }
}

#[tokio::test]
async fn an_unknown_method_is_method_not_found() {
    let status = serve(
        &arith(),
        Context::new("Arith", "Div"),
        Codec::Json,
        Bytes::from_static(b"{}"),
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::MethodNotFound);
    assert!(status.message().contains("Div"), "{status}");
}

#[tokio::test]
async fn the_handlers_error_comes_back_as_its_status() {
    let payload = encode(
        PayloadCodec::all(),
        &Args { a: i64::MAX, b: 1 },
        Codec::Json,
    );
    let status = serve(&arith(), Context::new("Arith", "Sum"), Codec::Json, payload)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Application);
    assert_eq!(status.message(), "overflow");
}

#[tokio::test]
async fn calls_run_on_spawned_tasks() {
    let server: Arc<dyn RpcService> = Arc::new(arith());
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let server = Arc::clone(&server);
            tokio::spawn(async move {
                let payload = encode(PayloadCodec::all(), &Args { a: n, b: n }, Codec::Json);
                serve(&*server, Context::new("Arith", "Mul"), Codec::Json, payload).await
            })
        })
        .collect();
    for (n, task) in (0..).zip(tasks) {
        let reply = task.await.unwrap().unwrap();
        let answer = PayloadCodec::<Answer>::all()
            .decode(Codec::Json, reply.payload)
            .unwrap();
        assert_eq!(answer.value, n * n);
    }
}

/// A `Channel` that hands each request straight to a service in the same
/// process, recording the codec of each call.
#[derive(Clone)]
struct Loopback {
    service: Arc<dyn RpcService>,
    default_codec: Codec,
    codecs: Arc<std::sync::Mutex<Vec<Codec>>>,
}

impl Loopback {
    fn new(service: impl RpcService, default_codec: Codec) -> Loopback {
        Loopback {
            service: Arc::new(service),
            default_codec,
            codecs: Arc::default(),
        }
    }

    fn last_codec(&self) -> Option<Codec> {
        self.codecs.lock().unwrap().last().copied()
    }
}

impl Channel for Loopback {
    fn default_codec(&self) -> Codec {
        self.default_codec
    }

    fn call_raw(
        &self,
        request: RawRequest,
    ) -> impl Future<Output = Result<RawReply, Status>> + Send {
        let service = Arc::clone(&self.service);
        self.codecs.lock().unwrap().push(request.codec);
        async move {
            if request.service != service.name() {
                return Err(Status::service_not_found(&request.service));
            }
            let context = Context::new(request.service, request.method)
                .with_metadata(request.options.metadata)
                .with_retry(request.options.retry);
            let reply = serve(&*service, context, request.codec, request.payload).await?;
            Ok(RawReply {
                payload: reply.payload,
                metadata: reply.metadata,
            })
        }
    }

    fn send_oneway(&self, request: RawRequest) -> impl Future<Output = Result<(), Status>> + Send {
        let call = self.call_raw(request);
        async move {
            let _ = call.await;
            Ok(())
        }
    }
}

#[tokio::test]
async fn the_client_calls_in_the_codec_it_is_asked_for() {
    let channel = Loopback::new(arith(), Codec::Json);
    let client = ArithClient::new(channel.clone());
    let args = Args { a: 6, b: 7 };
    for codec in SERDE_AND_PROTOBUF {
        let reply = client
            .mul_with(&args, CallOptions::new().codec(codec))
            .await
            .unwrap();
        assert_eq!(reply.value, Answer { value: 42 }, "{codec}");
        assert_eq!(channel.last_codec(), Some(codec));
    }
    assert_eq!(client.mul(&args).await.unwrap(), Answer { value: 42 });
    assert_eq!(channel.last_codec(), Some(Codec::Json));
    assert_eq!(client.add(&args).await.unwrap(), Answer { value: 13 });
    assert_eq!(client.ping().await.unwrap(), 1);
    assert_eq!(
        client
            .ping_with(CallOptions::new().codec(Codec::Protobuf))
            .await
            .unwrap()
            .value,
        2
    );
    assert_eq!(channel.last_codec(), Some(Codec::Protobuf));
    assert!(client.channel().last_codec().is_some());
}

#[tokio::test]
async fn the_client_falls_back_to_a_codec_both_types_support() {
    let channel = Loopback::new(arith(), Codec::Protobuf);
    let client = ArithClient::new(channel.clone());
    let words = Words {
        first: "hello".into(),
        second: "world".into(),
    };
    assert_eq!(client.join(&words).await.unwrap(), "hello world");
    assert_eq!(channel.last_codec(), Some(Codec::MsgPack));
    let status = client
        .join_with(&words, CallOptions::new().codec(Codec::Protobuf))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::UnsupportedCodec, "{status}");
}

#[tokio::test]
async fn metadata_round_trips_through_the_client() {
    let client = ArithClient::new(Loopback::new(arith(), Codec::MsgPack));
    let options = CallOptions::new().metadata("trace-id", "t-1");
    let reply = client
        .mul_with(&Args { a: 1, b: 2 }, options)
        .await
        .unwrap();
    assert_eq!(reply.value.value, 2);
    assert_eq!(reply.metadata.get("trace-id"), Some("t-1"));
    let reply = client
        .mul_with(&Args { a: 1, b: 2 }, CallOptions::new())
        .await
        .unwrap();
    assert!(reply.metadata.is_empty());
}

#[tokio::test]
async fn the_servers_errors_reach_the_client_as_status() {
    let client = ArithClient::new(Loopback::new(arith(), Codec::Json));
    let status = client.add(&Args { a: i64::MAX, b: 1 }).await.unwrap_err();
    assert_eq!(status.code(), Code::Application);
    assert_eq!(status.message(), "overflow");
    // A client of another service, through the same channel, is refused by name.
    let echo = EchoClient::new(client.channel().clone());
    let status = echo.say(&"hi".to_owned()).await.unwrap_err();
    assert_eq!(status.code(), Code::ServiceNotFound, "{status}");
}

#[tokio::test]
async fn renamed_services_and_methods_are_called_by_their_wire_names() {
    let echo = EchoClient::new(Loopback::new(EchoServer::new(Parrot), Codec::Json));
    assert_eq!(echo.say(&"polly".to_owned()).await.unwrap(), "polly");
    let reply = echo
        .say_with(
            &"cracker".to_owned(),
            CallOptions::new().codec(Codec::Protobuf),
        )
        .await;
    assert_eq!(reply.unwrap().value, "cracker");
}

#[tokio::test]
async fn client_futures_can_be_spawned() {
    let client = ArithClient::new(Loopback::new(arith(), Codec::Json));
    let task = tokio::spawn(async move { client.mul(&Args { a: 3, b: 3 }).await });
    assert_eq!(task.await.unwrap().unwrap(), Answer { value: 9 });
}
