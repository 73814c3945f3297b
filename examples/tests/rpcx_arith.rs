//! `Arith` as Go rpcx's example client calls it: an rpcx message
//! `Arith.Mul` with rpcx-examples' `Args{A: 7, B: 8}` (msgpack map keys and
//! JSON names as declared in Go) reaches the examples' service on a server
//! with rpcx on, and the reply is `Reply{C: 56}`. Lowercase names, which
//! callers of earlier versions send, are still accepted. Real sockets on
//! 127.0.0.1.

use std::collections::BTreeMap;

use bytes::{Bytes, BytesMut};
use examples::{Args, ArithImpl, ArithServer, Reply};
use rpc::core::rpcx::{
    ERROR_KEY, RpcxCodec, RpcxCompression, RpcxHeader, RpcxMessage, RpcxMessageType, RpcxStatus,
    SerializeType,
};
use rpc::core::tokio_util::codec::Decoder;
use rpc::{Client, Server, ServerHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn serve() -> (ServerHandle, String) {
    let server = Server::builder()
        .rpcx(true)
        .service(ArithServer::new(ArithImpl {
            name: "test".to_owned(),
        }))
        .bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = server.local_addr().expect("a TCP address").to_string();
    (server, addr)
}

/// Sends one rpcx request `Arith.{method}` and reads its reply.
async fn rpcx_call(
    addr: &str,
    method: &str,
    serialize: SerializeType,
    payload: Vec<u8>,
) -> RpcxMessage {
    let request = RpcxMessage {
        header: RpcxHeader {
            version: 0,
            message_type: RpcxMessageType::Request,
            heartbeat: false,
            oneway: false,
            compression: RpcxCompression::None,
            status: RpcxStatus::Normal,
            serialize_type: serialize,
            seq: 1,
        },
        service_path: "Arith".to_owned(),
        service_method: method.to_owned(),
        metadata: Vec::new(),
        payload: Bytes::from(payload),
    };
    let mut codec = RpcxCodec::default();
    let mut bytes = BytesMut::new();
    codec.encode_message(&request, &mut bytes).expect("encodes");
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(&bytes).await.expect("write");
    let mut buffer = BytesMut::new();
    loop {
        if let Some(reply) = codec.decode(&mut buffer).expect("a valid reply") {
            assert_eq!(reply.header.seq, 1);
            assert_eq!(
                reply.header.status,
                RpcxStatus::Normal,
                "error: {:?}",
                reply.metadata_value(ERROR_KEY)
            );
            return reply;
        }
        let n = stream.read_buf(&mut buffer).await.expect("read");
        assert!(n > 0, "the server closed before replying");
    }
}

fn go_args(a: i64, b: i64, names: (&str, &str)) -> BTreeMap<String, i64> {
    BTreeMap::from([(names.0.to_owned(), a), (names.1.to_owned(), b)])
}

#[tokio::test]
async fn go_msgpack_args_get_a_go_msgpack_reply() {
    let (server, addr) = serve().await;
    let payload = rmp_serde::to_vec_named(&go_args(7, 8, ("A", "B"))).expect("msgpack");
    let reply = rpcx_call(&addr, "Mul", SerializeType::MsgPack, payload).await;
    // vmihailenco/msgpack decodes a struct from a map keyed by field names.
    let fields: BTreeMap<String, i64> = rmp_serde::from_slice(&reply.payload).expect("a map");
    assert_eq!(fields, BTreeMap::from([("C".to_owned(), 56)]));
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn go_json_args_get_a_go_json_reply() {
    let (server, addr) = serve().await;
    let reply = rpcx_call(
        &addr,
        "Mul",
        SerializeType::Json,
        br#"{"A":7,"B":8}"#.to_vec(),
    )
    .await;
    assert_eq!(reply.payload, Bytes::from_static(br#"{"C":56}"#));
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn lowercase_names_are_still_accepted() {
    let (server, addr) = serve().await;
    let json = rpcx_call(
        &addr,
        "Mul",
        SerializeType::Json,
        br#"{"a":6,"b":7}"#.to_vec(),
    )
    .await;
    assert_eq!(json.payload, Bytes::from_static(br#"{"C":42}"#));
    let payload = rmp_serde::to_vec_named(&go_args(84, 2, ("a", "b"))).expect("msgpack");
    let msgpack = rpcx_call(&addr, "Div", SerializeType::MsgPack, payload).await;
    let reply: Reply = rmp_serde::from_slice(&msgpack.payload).expect("a reply");
    assert_eq!(reply.c, 42);
    // And a reply written lowercase, by an older server, still decodes.
    let old: Reply = serde_json::from_str(r#"{"c":5}"#).expect("lowercase reply");
    assert_eq!(old.c, 5);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn this_projects_client_calls_with_the_go_names() {
    let (server, addr) = serve().await;
    let client = examples::ArithClient::new(Client::new(addr.clone()));
    assert_eq!(client.mul(&Args { a: 7, b: 8 }).await.expect("mul").c, 56);
    let by_name: BTreeMap<String, i64> = Client::new(addr)
        .call("Arith", "Mul", &go_args(3, 4, ("A", "B")))
        .await
        .expect("call by wire name");
    assert_eq!(by_name, BTreeMap::from([("C".to_owned(), 12)]));
    server.shutdown_and_wait().await;
}
