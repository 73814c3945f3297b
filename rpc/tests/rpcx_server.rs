//! Go rpcx's protocol on the server's own listener, against real sockets on
//! 127.0.0.1: rpcx messages hand-built with the rpcx codec are answered by
//! the same services as native calls (JSON and msgpack, as Go rpcx's
//! `Arith.Mul` example), with heartbeats, oneway calls, errors, deadlines,
//! gzip and the auth hook mapped as `docs/PROTOCOL.md` says.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use rpc::codec::PayloadCodec;
use rpc::core::rpcx::{
    CODE_KEY, ERROR_KEY, RpcxCodec, RpcxCompression, RpcxHeader, RpcxMessage, RpcxMessageType,
    RpcxStatus, SerializeType,
};
use rpc::core::tokio_util::codec::Decoder;
use rpc::{
    Client, Codec, Compression, Context, Identity, MetadataLimits, Server, ServerHandle, Status,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// Go rpcx's example argument: `Args {A int, B int}`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Args {
    /// First factor (Go's encoding/json matches `a` too).
    #[serde(rename = "A", alias = "a")]
    pub a: i64,
    /// Second factor.
    #[serde(rename = "B", alias = "b")]
    pub b: i64,
}

/// Go rpcx's example reply: `Reply {C int}`, written `{"C":56}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reply {
    /// The product.
    #[serde(rename = "C", alias = "c")]
    pub c: i64,
}

/// The service rpcx's examples call.
#[rpc::service]
pub trait Arith {
    /// `A * B`.
    async fn mul(&self, args: Args) -> Result<Reply, Status>;
    /// Reports `A` to the test and answers nothing useful (called oneway).
    async fn record(&self, args: Args) -> Result<(), Status>;
    /// Reports `A` to the test, then waits until the caller's deadline has
    /// passed (or forever without one).
    async fn wait(&self, args: Args) -> Result<(), Status>;
    /// `A` bytes of text, to see replies compressed.
    async fn text(&self, args: Args) -> Result<String, Status>;
}

struct Calculator {
    recorded: mpsc::UnboundedSender<i64>,
}

impl Arith for Calculator {
    async fn mul(&self, args: Args) -> Result<Reply, Status> {
        Ok(Reply { c: args.a * args.b })
    }

    async fn record(&self, args: Args) -> Result<(), Status> {
        let _ = self.recorded.send(args.a);
        Ok(())
    }

    async fn wait(&self, args: Args) -> Result<(), Status> {
        let _ = self.recorded.send(args.a);
        std::future::pending().await
    }

    async fn text(&self, args: Args) -> Result<String, Status> {
        Ok("x".repeat(usize::try_from(args.a).unwrap_or(0)))
    }
}

fn authenticate(token: &str, _: &Context) -> Result<Identity, Status> {
    match token {
        "s3cret" => Ok(Identity::new("go-client")),
        _ => Err(Status::unauthenticated("unknown token")),
    }
}

struct Harness {
    server: ServerHandle,
    addr: String,
    recorded: mpsc::UnboundedReceiver<i64>,
}

async fn start(builder: rpc::ServerBuilder) -> Harness {
    let (tx, recorded) = mpsc::unbounded_channel();
    let server = builder
        .rpcx(true)
        .service(ArithServer::new(Calculator { recorded: tx }))
        .bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = server.local_addr().expect("a TCP address").to_string();
    Harness {
        server,
        addr,
        recorded,
    }
}

/// A client side of one rpcx connection.
struct Conn {
    stream: TcpStream,
    buffer: BytesMut,
    codec: RpcxCodec,
}

impl Conn {
    async fn open(addr: &str) -> Conn {
        Conn {
            stream: TcpStream::connect(addr).await.expect("connect"),
            buffer: BytesMut::new(),
            codec: RpcxCodec::default(),
        }
    }

    async fn send(&mut self, message: &RpcxMessage) {
        let bytes = encode(message);
        self.stream.write_all(&bytes).await.expect("write");
    }

    /// The next message, or `None` when the server closed the connection.
    async fn next(&mut self) -> Option<RpcxMessage> {
        loop {
            if let Some(message) = self.codec.decode(&mut self.buffer).expect("valid reply") {
                return Some(message);
            }
            let n = self.stream.read_buf(&mut self.buffer).await.ok()?;
            if n == 0 {
                assert!(self.buffer.is_empty(), "closed mid-message");
                return None;
            }
        }
    }

    async fn reply(&mut self) -> RpcxMessage {
        self.next().await.expect("a reply before the server closed")
    }
}

fn encode(message: &RpcxMessage) -> BytesMut {
    let mut bytes = BytesMut::new();
    RpcxCodec::default()
        .encode_message(message, &mut bytes)
        .expect("encodes");
    bytes
}

fn request(seq: u64, method: &str, serialize: SerializeType, payload: Bytes) -> RpcxMessage {
    RpcxMessage {
        header: RpcxHeader {
            version: 0,
            message_type: RpcxMessageType::Request,
            heartbeat: false,
            oneway: false,
            compression: RpcxCompression::None,
            status: RpcxStatus::Normal,
            serialize_type: serialize,
            seq,
        },
        service_path: "Arith".to_owned(),
        service_method: method.to_owned(),
        metadata: Vec::new(),
        payload,
    }
}

fn json(seq: u64, method: &str, body: &str) -> RpcxMessage {
    request(
        seq,
        method,
        SerializeType::Json,
        Bytes::copy_from_slice(body.as_bytes()),
    )
}

fn assert_ok(reply: &RpcxMessage, seq: u64) {
    assert_eq!(reply.header.message_type, RpcxMessageType::Response);
    assert_eq!(reply.header.seq, seq);
    assert_eq!(
        reply.header.status,
        RpcxStatus::Normal,
        "error: {:?}",
        reply.metadata_value(ERROR_KEY)
    );
}

fn assert_error(reply: &RpcxMessage, seq: u64, code: &str) {
    assert_eq!(reply.header.message_type, RpcxMessageType::Response);
    assert_eq!(reply.header.seq, seq);
    assert_eq!(reply.header.status, RpcxStatus::Error);
    assert!(
        !reply
            .metadata_value(ERROR_KEY)
            .unwrap_or_default()
            .is_empty(),
        "{ERROR_KEY} set"
    );
    assert_eq!(reply.metadata_value(CODE_KEY), Some(code), "{reply:?}");
}

#[tokio::test]
async fn arith_mul_in_json_as_go_rpcx_calls_it() {
    let h = start(Server::builder()).await;
    let mut conn = Conn::open(&h.addr).await;
    conn.send(&json(1, "Mul", r#"{"A":7,"B":8}"#)).await;
    let reply = conn.reply().await;
    assert_ok(&reply, 1);
    assert_eq!(reply.service_path, "Arith");
    assert_eq!(reply.service_method, "Mul");
    assert_eq!(reply.header.serialize_type, SerializeType::Json);
    assert_eq!(&reply.payload[..], br#"{"C":56}"#);
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn arith_mul_in_msgpack() {
    let h = start(Server::builder()).await;
    let mut conn = Conn::open(&h.addr).await;
    let args = PayloadCodec::<Args>::serde()
        .encode_to_bytes(&Args { a: 6, b: 7 }, Codec::MsgPack)
        .unwrap();
    conn.send(&request(2, "Mul", SerializeType::MsgPack, args))
        .await;
    let reply = conn.reply().await;
    assert_ok(&reply, 2);
    assert_eq!(reply.header.serialize_type, SerializeType::MsgPack);
    let product = PayloadCodec::<Reply>::serde()
        .decode(Codec::MsgPack, reply.payload)
        .unwrap();
    assert_eq!(product, Reply { c: 42 });
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_heartbeat_is_echoed_with_the_response_bit() {
    let h = start(Server::builder()).await;
    let mut conn = Conn::open(&h.addr).await;
    let mut ping = request(77, "", SerializeType::Raw, Bytes::new());
    ping.service_path.clear();
    ping.header.heartbeat = true;
    conn.send(&ping).await;
    let echo = conn.reply().await;
    assert!(echo.header.heartbeat);
    assert_eq!(echo.header.message_type, RpcxMessageType::Response);
    assert_eq!(echo.header.seq, 77);
    assert_eq!(echo.header.status, RpcxStatus::Normal);
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_oneway_call_runs_and_gets_no_reply() {
    let mut h = start(Server::builder()).await;
    let mut conn = Conn::open(&h.addr).await;
    let mut oneway = json(5, "Record", r#"{"A":11,"B":0}"#);
    oneway.header.oneway = true;
    conn.send(&oneway).await;
    assert_eq!(h.recorded.recv().await, Some(11), "the handler ran");
    // The next message on the connection answers the next request.
    conn.send(&json(6, "Mul", r#"{"A":2,"B":3}"#)).await;
    let reply = conn.reply().await;
    assert_ok(&reply, 6);
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn unknown_methods_and_bad_arguments_get_the_error_bit() {
    let h = start(Server::builder()).await;
    let mut conn = Conn::open(&h.addr).await;
    conn.send(&json(1, "Div", r#"{"A":1,"B":1}"#)).await;
    assert_error(&conn.reply().await, 1, "method_not_found");
    let mut unknown = json(2, "Mul", r#"{"A":1,"B":1}"#);
    unknown.service_path = "Nope".to_owned();
    conn.send(&unknown).await;
    assert_error(&conn.reply().await, 2, "service_not_found");
    conn.send(&json(3, "Mul", r#"{"A":"seven"}"#)).await;
    assert_error(&conn.reply().await, 3, "bad_request");
    let mut thrift = json(4, "Mul", "");
    thrift.header.serialize_type = SerializeType::Thrift;
    conn.send(&thrift).await;
    assert_error(&conn.reply().await, 4, "unsupported_codec");
    // The connection is still in service.
    conn.send(&json(5, "Mul", r#"{"A":3,"B":3}"#)).await;
    assert_ok(&conn.reply().await, 5);
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn an_oversized_length_closes_the_connection() {
    let h = start(Server::builder().max_frame_size(64 * 1024)).await;
    let mut conn = Conn::open(&h.addr).await;
    let mut header = encode(&json(1, "Mul", ""));
    header.truncate(16);
    header[12..16].copy_from_slice(&u32::MAX.to_be_bytes());
    conn.stream.write_all(&header).await.unwrap();
    assert!(conn.next().await.is_none(), "closed without a reply");
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_gzip_bomb_is_refused_and_the_connection_kept() {
    let h = start(Server::builder().max_payload_size(64 * 1024)).await;
    let mut conn = Conn::open(&h.addr).await;
    let mut bomb = json(1, "Mul", "");
    bomb.header.compression = RpcxCompression::Gzip;
    // 1 MiB of spaces, a few KiB on the wire: within the 4 MiB message
    // limit, sixteen times the payload limit once inflated.
    bomb.payload = Compression::Gzip.compress(&vec![b' '; 1 << 20]).unwrap();
    assert!(bomb.payload.len() < 64 * 1024, "{}", bomb.payload.len());
    conn.send(&bomb).await;
    assert_error(&conn.reply().await, 1, "payload_too_large");
    // A sane compressed call on the same connection still works.
    let mut fine = json(2, "Mul", "");
    fine.header.compression = RpcxCompression::Gzip;
    fine.payload = Compression::Gzip.compress(br#"{"A":4,"B":5}"#).unwrap();
    conn.send(&fine).await;
    let reply = conn.reply().await;
    assert_ok(&reply, 2);
    assert_eq!(
        reply.header.compression,
        RpcxCompression::None,
        "small reply"
    );
    assert_eq!(&reply.payload[..], br#"{"C":20}"#);
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn large_replies_to_gzip_requests_are_gzipped() {
    let h = start(Server::builder()).await;
    let mut conn = Conn::open(&h.addr).await;
    let mut call = json(1, "Text", "");
    call.header.compression = RpcxCompression::Gzip;
    call.payload = Compression::Gzip.compress(br#"{"A":5000,"B":0}"#).unwrap();
    conn.send(&call).await;
    let reply = conn.reply().await;
    assert_ok(&reply, 1);
    assert_eq!(reply.header.compression, RpcxCompression::Gzip);
    let text = reply.decompressed_payload(1 << 20).unwrap();
    assert_eq!(text.len(), 5002, "a JSON string of 5000 x");
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_message_split_across_two_writes_is_served() {
    let h = start(Server::builder()).await;
    let mut conn = Conn::open(&h.addr).await;
    let bytes = encode(&json(9, "Mul", r#"{"A":12,"B":12}"#));
    conn.stream.write_all(&bytes[..10]).await.unwrap();
    conn.stream.flush().await.unwrap();
    // A call on another connection goes round while this one waits with
    // ten bytes of a header sent.
    let mut other = Conn::open(&h.addr).await;
    other.send(&json(1, "Mul", r#"{"A":1,"B":1}"#)).await;
    assert_ok(&other.reply().await, 1);
    conn.stream.write_all(&bytes[10..]).await.unwrap();
    let reply = conn.reply().await;
    assert_ok(&reply, 9);
    assert_eq!(&reply.payload[..], br#"{"C":144}"#);
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn server_timeout_metadata_is_the_call_deadline() {
    let h = start(Server::builder()).await;
    let mut conn = Conn::open(&h.addr).await;
    let mut call = json(3, "Wait", r#"{"A":0,"B":0}"#);
    call.metadata
        .push(("__ServerTimeout".to_owned(), "50".to_owned()));
    conn.send(&call).await;
    // `Wait` never returns: only the deadline can answer it.
    assert_error(&conn.reply().await, 3, "deadline_exceeded");
    let mut bad = json(4, "Mul", r#"{"A":0,"B":0}"#);
    bad.metadata
        .push(("__ServerTimeout".to_owned(), "soon".to_owned()));
    conn.send(&bad).await;
    assert_error(&conn.reply().await, 4, "bad_request");
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn the_auth_token_goes_through_the_authenticator() {
    let h = start(Server::builder().authenticator(authenticate)).await;
    let mut conn = Conn::open(&h.addr).await;
    conn.send(&json(1, "Mul", r#"{"A":2,"B":2}"#)).await;
    assert_error(&conn.reply().await, 1, "unauthenticated");
    let mut wrong = json(2, "Mul", r#"{"A":2,"B":2}"#);
    wrong
        .metadata
        .push(("__AUTH".to_owned(), "guess".to_owned()));
    conn.send(&wrong).await;
    assert_error(&conn.reply().await, 2, "unauthenticated");
    let mut right = json(3, "Mul", r#"{"A":2,"B":2}"#);
    right
        .metadata
        .push(("__AUTH".to_owned(), "s3cret".to_owned()));
    conn.send(&right).await;
    let reply = conn.reply().await;
    assert_ok(&reply, 3);
    assert_eq!(&reply.payload[..], br#"{"C":4}"#);
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_native_client_and_an_rpcx_connection_share_the_listener() {
    let h = start(Server::builder()).await;
    let native = Client::new(h.addr.clone());
    let mut conn = Conn::open(&h.addr).await;
    // Both connections open and in use at once, interleaved.
    conn.send(&json(1, "Mul", r#"{"A":3,"B":4}"#)).await;
    let product: Reply = native
        .call("Arith", "Mul", &Args { a: 5, b: 6 })
        .await
        .expect("native call");
    assert_eq!(product, Reply { c: 30 });
    let reply = conn.reply().await;
    assert_ok(&reply, 1);
    assert_eq!(&reply.payload[..], br#"{"C":12}"#);
    let product: Reply = native
        .call("Arith", "Mul", &Args { a: 7, b: 7 })
        .await
        .expect("native call after");
    assert_eq!(product, Reply { c: 49 });
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn without_rpcx_enabled_an_rpcx_connection_is_closed() {
    let (tx, _rx) = mpsc::unbounded_channel();
    let server = Server::builder()
        .service(ArithServer::new(Calculator { recorded: tx }))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let addr = server.local_addr().unwrap().to_string();
    let mut conn = Conn::open(&addr).await;
    conn.send(&json(1, "Mul", r#"{"A":3,"B":4}"#)).await;
    let mut rest = Vec::new();
    let _ = conn.stream.read_to_end(&mut rest).await;
    let reply = conn.codec.decode(&mut BytesMut::from(&rest[..]));
    assert!(
        !matches!(reply, Ok(Some(_))),
        "no rpcx reply from a server without rpcx"
    );
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_body_error_refuses_one_message_and_keeps_the_connection() {
    let h = start(Server::builder()).await;
    let mut conn = Conn::open(&h.addr).await;
    let mut bad = encode(&json(1, "Mul", "{}"));
    bad[16 + 4] = 0xff; // service path "Arith" -> not UTF-8
    conn.stream.write_all(&bad).await.unwrap();
    assert_error(&conn.reply().await, 1, "bad_request");
    conn.send(&json(2, "Mul", r#"{"A":2,"B":5}"#)).await;
    assert_ok(&conn.reply().await, 2);
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn metadata_over_the_limits_refuses_that_message_alone() {
    let limits = MetadataLimits::new(4, 64);
    let h = start(Server::builder().metadata_limits(limits)).await;
    let mut conn = Conn::open(&h.addr).await;
    let mut heavy = json(1, "Mul", r#"{"A":1,"B":1}"#);
    heavy.metadata.push(("big".to_owned(), "v".repeat(100)));
    conn.send(&heavy).await;
    assert_error(&conn.reply().await, 1, "bad_request");
    let mut many = json(2, "Mul", r#"{"A":1,"B":1}"#);
    for i in 0..5 {
        many.metadata.push((format!("k{i}"), "v".to_owned()));
    }
    conn.send(&many).await;
    assert_error(&conn.reply().await, 2, "bad_request");
    conn.send(&json(3, "Mul", r#"{"A":2,"B":9}"#)).await;
    assert_ok(&conn.reply().await, 3);
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn shutdown_cancels_calls_still_running_after_the_grace_period() {
    let mut h = start(Server::builder().grace_period(Duration::from_millis(100))).await;
    let mut conn = Conn::open(&h.addr).await;
    conn.send(&json(1, "Wait", r#"{"A":1,"B":0}"#)).await;
    assert_eq!(h.recorded.recv().await, Some(1), "the call is running");
    h.server.shutdown();
    // `Wait` never returns: the call is answered `cancelled` when the grace
    // period ends, then the connection closes.
    let mut replies = Vec::new();
    while let Some(reply) = conn.next().await {
        replies.push(reply);
    }
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_error(&replies[0], 1, "cancelled");
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_message_that_stops_arriving_closes_the_connection() {
    let h = start(Server::builder().frame_timeout(Duration::from_millis(100))).await;
    let mut conn = Conn::open(&h.addr).await;
    let bytes = encode(&json(1, "Mul", r#"{"A":1,"B":1}"#));
    conn.stream.write_all(&bytes[..20]).await.unwrap();
    // The rest never comes: the watchdog's frame timeout closes the
    // connection, with nothing answered.
    assert!(conn.next().await.is_none());
    h.server.shutdown_and_wait().await;
}

#[tokio::test]
async fn the_auth_hook_sees_the_rpcx_token_as_metadata() {
    let hook = |ctx: &Context| match ctx.metadata().get("__AUTH") {
        Some("k3y") => Ok(()),
        _ => Err(Status::permission_denied("no key")),
    };
    let h = start(Server::builder().auth(hook)).await;
    let mut conn = Conn::open(&h.addr).await;
    conn.send(&json(1, "Mul", r#"{"A":2,"B":3}"#)).await;
    assert_error(&conn.reply().await, 1, "permission_denied");
    let mut keyed = json(2, "Mul", r#"{"A":2,"B":3}"#);
    keyed.metadata.push(("__AUTH".to_owned(), "k3y".to_owned()));
    conn.send(&keyed).await;
    assert_ok(&conn.reply().await, 2);
    h.server.shutdown_and_wait().await;
}
