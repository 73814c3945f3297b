//! This project's `Client`, typed stubs and `XClient` speaking Go rpcx's
//! protocol (`ClientConfig::protocol(Protocol::Rpcx)`), on real sockets on
//! 127.0.0.1: against this project's server with rpcx on (every codec,
//! errors with their codes, deadline, oneway, credential, a reply over the
//! limits, gzip), and against a hand-written rpcx peer that shows the bytes
//! the client writes (magic, heartbeats, oneway bit, `__ServerTimeout`,
//! `__AUTH`, gzip only above 1 KiB) and whether it echoes heartbeats.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use rpc::core::rpcx::{
    AUTH_KEY, CODE_KEY, ERROR_KEY, RpcxCodec, RpcxCompression, RpcxMessage, RpcxMessageType,
    RpcxStatus, SERVER_TIMEOUT_KEY, SerializeType,
};
use rpc::core::tokio_util::codec::Decoder;
use rpc::{
    CallOptions, Client, ClientConfig, Code, Codec, Compression, CompressionPolicy, Context,
    Credential, Identity, Protocol, Server, ServerHandle, Status, Target,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// Two operands, in every codec (rpcx's example names on the wire).
#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
pub struct Args {
    /// The left operand.
    #[prost(int64, tag = "1")]
    #[serde(rename = "A")]
    pub a: i64,
    /// The right operand.
    #[prost(int64, tag = "2")]
    #[serde(rename = "B")]
    pub b: i64,
}

/// A product.
#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
pub struct Reply {
    /// The value.
    #[prost(int64, tag = "1")]
    #[serde(rename = "C")]
    pub c: i64,
}

/// What the handlers report to the test.
#[derive(Debug)]
enum Seen {
    Recorded(i64),
    Budget(Option<Duration>),
    Auth(Option<String>),
}

/// The service the tests call over rpcx.
#[rpc::service]
pub trait Arith {
    /// `A * B`; `A == 0` fails with the code numbered `B`.
    async fn mul(&self, args: Args) -> Result<Reply, Status>;
    /// Reports `A` (called oneway).
    async fn record(&self, args: Args) -> Result<(), Status>;
    /// Reports the deadline budget, then waits forever.
    async fn wait(&self, ctx: &Context, args: Args) -> Result<Reply, Status>;
    /// Reports the `__AUTH` metadata the rpcx connection passed on.
    async fn whoami(&self, ctx: &Context, args: Args) -> Result<Reply, Status>;
    /// `A` bytes of text.
    async fn text(&self, args: Args) -> Result<String, Status>;
    /// The text it was given.
    async fn echo(&self, text: String) -> Result<String, Status>;
}

struct Calculator {
    seen: mpsc::UnboundedSender<Seen>,
}

impl Arith for Calculator {
    async fn mul(&self, args: Args) -> Result<Reply, Status> {
        if args.a == 0 {
            let code = Code::from_u8(u8::try_from(args.b).unwrap_or(0));
            return Err(Status::new(code, format!("asked to fail with {code}")));
        }
        Ok(Reply { c: args.a * args.b })
    }

    async fn record(&self, args: Args) -> Result<(), Status> {
        let _ = self.seen.send(Seen::Recorded(args.a));
        Ok(())
    }

    async fn wait(&self, ctx: &Context, _: Args) -> Result<Reply, Status> {
        let _ = self.seen.send(Seen::Budget(ctx.remaining()));
        std::future::pending().await
    }

    async fn whoami(&self, ctx: &Context, _: Args) -> Result<Reply, Status> {
        let auth = ctx.metadata().get(AUTH_KEY).map(str::to_owned);
        let _ = self.seen.send(Seen::Auth(auth));
        Ok(Reply { c: 1 })
    }

    async fn text(&self, args: Args) -> Result<String, Status> {
        Ok("x".repeat(usize::try_from(args.a).unwrap_or(0)))
    }

    async fn echo(&self, text: String) -> Result<String, Status> {
        Ok(text)
    }
}

fn accept_token(token: &str, _: &Context) -> Result<Identity, Status> {
    match token {
        "s3cret" => Ok(Identity::new("go-client")),
        _ => Err(Status::unauthenticated("unknown token")),
    }
}

async fn serve(rpcx: bool) -> (ServerHandle, String, mpsc::UnboundedReceiver<Seen>) {
    let (seen, rx) = mpsc::unbounded_channel();
    let server = Server::builder()
        .rpcx(rpcx)
        .authenticator(accept_token)
        .service(ArithServer::new(Calculator { seen }))
        .bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = server.local_addr().expect("a TCP address").to_string();
    (server, addr, rx)
}

fn rpcx_config() -> rpc::ClientConfigBuilder {
    ClientConfig::builder()
        .protocol(Protocol::Rpcx)
        .credential(Credential::bearer("s3cret"))
}

fn rpcx_client(addr: &str, config: rpc::ClientConfigBuilder) -> ArithClient<Client> {
    let config = config.build().expect("a valid config");
    ArithClient::new(Client::with_config(Target::Tcp(addr.to_owned()), config))
}

#[tokio::test]
async fn every_codec_round_trips_over_rpcx() {
    let (server, addr, _) = serve(true).await;
    let client = rpcx_client(&addr, rpcx_config());
    for codec in [Codec::Json, Codec::MsgPack, Codec::Protobuf] {
        let reply = client
            .mul_with(&Args { a: 6, b: 7 }, CallOptions::new().codec(codec))
            .await
            .unwrap_or_else(|status| panic!("{codec}: {status}"));
        assert_eq!(reply.value.c, 42, "{codec}");
    }
    // Calls by wire name on the same client.
    let by_name: Reply = client
        .channel()
        .call("Arith", "Mul", &Args { a: 3, b: 4 })
        .await
        .expect("by name");
    assert_eq!(by_name.c, 12);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_server_without_rpcx_closes_an_rpcx_client() {
    let (server, addr, _) = serve(false).await;
    let client = rpcx_client(&addr, rpcx_config());
    let status = client
        .mul(&Args { a: 1, b: 1 })
        .await
        .expect_err("not rpcx");
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn errors_keep_their_codes() {
    let (server, addr, _) = serve(true).await;
    let client = rpcx_client(&addr, rpcx_config());
    for code in [
        Code::NotFound,
        Code::Application,
        Code::Overloaded,
        Code::Internal,
    ] {
        let status = client
            .mul(&Args {
                a: 0,
                b: i64::from(code.as_u8()),
            })
            .await
            .expect_err("asked to fail");
        assert_eq!(status.code(), code, "{status}");
        assert_eq!(status.message(), format!("asked to fail with {code}"));
    }
    let status = client
        .channel()
        .call::<_, Reply>("Arith", "Nope", &Args { a: 1, b: 1 })
        .await
        .expect_err("no such method");
    assert_eq!(status.code(), Code::MethodNotFound, "{status}");
    let status = client
        .channel()
        .call::<_, Reply>("Nope", "Mul", &Args { a: 1, b: 1 })
        .await
        .expect_err("no such service");
    assert_eq!(status.code(), Code::ServiceNotFound, "{status}");
    // The connection is still in service.
    assert_eq!(client.mul(&Args { a: 2, b: 2 }).await.expect("ok").c, 4);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn the_credential_travels_as_auth_and_a_wrong_one_is_refused() {
    let (server, addr, mut seen) = serve(true).await;
    let client = rpcx_client(&addr, rpcx_config());
    client
        .whoami(&Args { a: 1, b: 1 })
        .await
        .expect("authenticated");
    match seen.recv().await {
        Some(Seen::Auth(auth)) => assert_eq!(auth.as_deref(), Some("s3cret")),
        other => panic!("{other:?}"),
    }
    let wrong = rpcx_client(&addr, rpcx_config().credential(Credential::bearer("guess")));
    let status = wrong.mul(&Args { a: 1, b: 1 }).await.expect_err("refused");
    assert_eq!(status.code(), Code::Unauthenticated, "{status}");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn the_deadline_budget_reaches_the_server_and_the_call_times_out() {
    let (server, addr, mut seen) = serve(true).await;
    let client = rpcx_client(&addr, rpcx_config());
    let timeout = Duration::from_millis(300);
    let status = client
        .wait_with(&Args { a: 1, b: 1 }, CallOptions::new().timeout(timeout))
        .await
        .expect_err("never answered");
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");
    match seen.recv().await {
        Some(Seen::Budget(Some(budget))) => assert!(budget <= timeout, "{budget:?}"),
        other => panic!("no budget: {other:?}"),
    }
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_oneway_call_runs_on_the_server() {
    let (server, addr, mut seen) = serve(true).await;
    let client = rpcx_client(&addr, rpcx_config());
    client
        .channel()
        .oneway("Arith", "Record", &Args { a: 11, b: 0 }, CallOptions::new())
        .await
        .expect("sent");
    match seen.recv().await {
        Some(Seen::Recorded(a)) => assert_eq!(a, 11),
        other => panic!("{other:?}"),
    }
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_reply_over_the_limit_fails_its_call_alone() {
    let (server, addr, _) = serve(true).await;
    let client = rpcx_client(&addr, rpcx_config().max_frame_size(16 * 1024));
    let status = client
        .text(&Args { a: 64 * 1024, b: 0 })
        .await
        .expect_err("too large");
    assert_eq!(status.code(), Code::PayloadTooLarge, "{status}");
    // The rest of the oversized reply was skipped: the connection goes on.
    assert_eq!(
        client.text(&Args { a: 5, b: 0 }).await.expect("small"),
        "xxxxx"
    );
    assert!(client.channel().is_connected());
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn gzip_arguments_and_replies_round_trip() {
    let (server, addr, _) = serve(true).await;
    let gzip = CompressionPolicy::new(Compression::Zstd).with_threshold(1);
    // Zstd asked for: rpcx has only gzip, which is used instead. Above
    // 1 KiB the argument is gzipped, and so the server gzips the reply.
    let client = rpcx_client(
        &addr,
        rpcx_config().compression(gzip).max_frame_size(32 * 1024),
    );
    let text = "z".repeat(100 * 1024);
    let echoed = client.echo(&text).await.expect("compressed both ways");
    assert_eq!(
        echoed, text,
        "100 KiB in less than 32 KiB frames: compressed"
    );
    let small = client.echo(&"s".to_owned()).await.expect("small");
    assert_eq!(small, "s");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn an_xclient_calls_rpcx_endpoints() {
    let (server, addr, _) = serve(true).await;
    let discovery = rpc::registry::StaticDiscovery::single(addr.as_str());
    let xclient = rpc::XClient::builder("Arith", discovery)
        .client_config(rpcx_config().build().expect("config"))
        .build()
        .await
        .expect("an xclient");
    let arith = ArithClient::new(xclient);
    assert_eq!(arith.mul(&Args { a: 5, b: 5 }).await.expect("ok").c, 25);
    server.shutdown_and_wait().await;
}

/// The server side of one rpcx connection, written by hand.
struct Peer {
    stream: TcpStream,
    buffer: BytesMut,
    codec: RpcxCodec,
}

impl Peer {
    async fn accept(listener: &TcpListener) -> Peer {
        let (stream, _) = listener.accept().await.expect("accept");
        Peer {
            stream,
            buffer: BytesMut::new(),
            codec: RpcxCodec::default(),
        }
    }

    /// The next message, `None` once the client closed.
    async fn next(&mut self) -> Option<RpcxMessage> {
        loop {
            if let Some(message) = self.codec.decode(&mut self.buffer).expect("valid rpcx") {
                return Some(message);
            }
            if self.stream.read_buf(&mut self.buffer).await.ok()? == 0 {
                return None;
            }
        }
    }

    /// The next message that is not a heartbeat, echoing heartbeats if asked.
    async fn next_call(&mut self, echo: bool) -> RpcxMessage {
        loop {
            let message = self.next().await.expect("a message");
            if !message.header.heartbeat {
                return message;
            }
            if echo {
                self.echo(&message).await;
            }
        }
    }

    async fn echo(&mut self, heartbeat: &RpcxMessage) {
        let mut echo = heartbeat.clone();
        echo.header = heartbeat.reply_header();
        self.send(&echo).await;
    }

    async fn send(&mut self, message: &RpcxMessage) {
        let mut bytes = BytesMut::new();
        self.codec
            .encode_message(message, &mut bytes)
            .expect("encodes");
        self.stream.write_all(&bytes).await.expect("write");
    }

    async fn answer(&mut self, request: &RpcxMessage, payload: &'static [u8]) {
        let mut reply = request.clone();
        reply.header = request.reply_header();
        reply.metadata.clear();
        reply.payload = Bytes::from_static(payload);
        self.send(&reply).await;
    }
}

async fn listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    (listener, addr)
}

#[tokio::test]
async fn the_wire_shows_rpcx_messages_as_go_rpcx_writes_them() {
    let (listener, addr) = listener().await;
    let gzip = CompressionPolicy::new(Compression::Gzip).with_threshold(1);
    let client = rpcx_client(&addr, rpcx_config().compression(gzip).codec(Codec::Json));
    let call = tokio::spawn({
        let client = client.clone();
        async move {
            let small = client.mul_with(
                &Args { a: 2, b: 3 },
                CallOptions::new().timeout(Duration::from_secs(5)),
            );
            small.await
        }
    });
    let mut peer = Peer::accept(&listener).await;
    let first = peer.next().await.expect("a first message");
    assert!(
        first.header.heartbeat,
        "the connection opens with a heartbeat"
    );
    assert!(
        first.header.seq > u64::from(u32::MAX),
        "outside the call ids"
    );
    peer.echo(&first).await;
    let request = peer.next_call(true).await;
    assert_eq!(request.header.message_type, RpcxMessageType::Request);
    assert_eq!(
        (
            request.service_path.as_str(),
            request.service_method.as_str()
        ),
        ("Arith", "Mul")
    );
    assert_eq!(request.header.serialize_type, SerializeType::Json);
    assert_eq!(
        request.header.compression,
        RpcxCompression::None,
        "under 1 KiB"
    );
    assert!(!request.header.oneway);
    assert_eq!(request.metadata_value(AUTH_KEY), Some("s3cret"));
    let millis: u64 = request
        .metadata_value(SERVER_TIMEOUT_KEY)
        .expect("a budget")
        .parse()
        .expect("milliseconds");
    assert!(millis <= 5000, "{millis}");
    assert_eq!(&request.payload[..], br#"{"A":2,"B":3}"#);
    peer.answer(&request, br#"{"C":6}"#).await;
    assert_eq!(call.await.expect("joined").expect("answered").value.c, 6);

    // Above 1 KiB, gzip; a oneway call has the oneway bit.
    client
        .channel()
        .oneway("Arith", "Record", &"y".repeat(4096), CallOptions::new())
        .await
        .expect("sent");
    let oneway = peer.next_call(true).await;
    assert!(oneway.header.oneway);
    assert_eq!(oneway.header.compression, RpcxCompression::Gzip);
    let inflated = oneway.decompressed_payload(1 << 20).expect("gzip");
    assert_eq!(inflated.len(), 4096 + 2);
}

#[tokio::test]
async fn errors_from_a_go_style_server_get_codes() {
    let (listener, addr) = listener().await;
    let client = rpcx_client(&addr, rpcx_config().codec(Codec::Json));
    let calls = tokio::spawn({
        let client = client.clone();
        async move {
            let mut codes = Vec::new();
            for _ in 0..3 {
                let status = client.mul(&Args { a: 1, b: 1 }).await.expect_err("fails");
                codes.push((status.code(), status.message().to_owned()));
            }
            codes
        }
    });
    let mut peer = Peer::accept(&listener).await;
    let texts = [
        ("rpcx: can't find service Arith", None),
        ("something broke", None),
        ("told", Some("not_found")),
    ];
    for (text, code) in texts {
        let request = peer.next_call(true).await;
        let mut reply = request.clone();
        reply.header = request.reply_header();
        reply.header.status = RpcxStatus::Error;
        reply.payload = Bytes::new();
        reply.metadata = vec![(ERROR_KEY.to_owned(), text.to_owned())];
        if let Some(code) = code {
            reply.metadata.push((CODE_KEY.to_owned(), code.to_owned()));
        }
        peer.send(&reply).await;
    }
    let codes = calls.await.expect("joined");
    assert_eq!(
        codes,
        vec![
            (
                Code::ServiceNotFound,
                "rpcx: can't find service Arith".to_owned()
            ),
            (Code::Application, "something broke".to_owned()),
            (Code::NotFound, "told".to_owned()),
        ]
    );
}

#[tokio::test]
async fn echoed_heartbeats_keep_a_quiet_connection_and_silence_ends_it() {
    let (listener, addr) = listener().await;
    let config = rpcx_config()
        .heartbeat_interval(Duration::from_millis(20))
        .heartbeat_timeout(Duration::from_millis(60))
        .timeout(Duration::from_secs(30));
    let client = rpcx_client(&addr, config);
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.mul(&Args { a: 2, b: 2 }).await }
    });
    let mut peer = Peer::accept(&listener).await;
    let request = peer.next_call(true).await;
    // The call waits while the peer echoes heartbeats: more of them than
    // fit in one heartbeat timeout, so only the echoes kept it alive.
    let mut heartbeats = 0;
    while heartbeats < 6 {
        let heartbeat = peer.next().await.expect("a heartbeat");
        assert!(heartbeat.header.heartbeat);
        peer.echo(&heartbeat).await;
        heartbeats += 1;
    }
    peer.answer(&request, b"\x81\xa1C\x04").await;
    assert_eq!(call.await.expect("joined").expect("answered").c, 4);

    // Now the peer stops answering anything: the connection is declared
    // dead (heartbeat timeout), long before the 30 s call timeout.
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.mul(&Args { a: 3, b: 3 }).await }
    });
    let status = call.await.expect("joined").expect_err("connection dead");
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    assert!(status.message().contains("heartbeat"), "{status}");
    drop(peer);
}

#[tokio::test]
async fn an_xclient_speaks_each_endpoint_s_protocol_and_skips_unknown_ones() {
    use rpc::registry::{Endpoint, EndpointMetadata, StaticDiscovery};
    // Rpcx off: only this project's protocol works with this server.
    let (native_only, native_addr, _) = serve(false).await;
    let endpoint = |protocol: &str| {
        Endpoint::tcp(native_addr.clone())
            .with_metadata(EndpointMetadata::new().with("protocol", protocol))
    };
    let xclient = |endpoints: Vec<Endpoint>| async move {
        let x = rpc::XClient::builder("Arith", StaticDiscovery::new(endpoints))
            .client_config(rpcx_config().build().expect("config"))
            .protocol(Protocol::Rpcx)
            .build()
            .await
            .expect("an xclient");
        ArithClient::new(x)
    };
    let marked = xclient(vec![endpoint("native")]).await;
    assert_eq!(
        marked.mul(&Args { a: 2, b: 5 }).await.expect("native").c,
        10
    );
    // Unmarked: the XClient's default, rpcx, which this server refuses.
    let unmarked = xclient(vec![Endpoint::tcp(native_addr.clone())]).await;
    let status = unmarked.mul(&Args { a: 2, b: 5 }).await.expect_err("rpcx");
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    // A protocol this client does not speak: the endpoint is skipped.
    let unknown = xclient(vec![endpoint("grpc")]).await;
    let status = unknown
        .mul(&Args { a: 2, b: 5 })
        .await
        .expect_err("skipped");
    assert!(
        status.message().contains("no endpoint of Arith is known"),
        "{status}"
    );
    native_only.shutdown_and_wait().await;
}
