//! The bytes this project's client writes in rpcx mode, read by a
//! hand-written rpcx peer on 127.0.0.1 (magic, heartbeats outside the call
//! ids, oneway bit, `__ServerTimeout`, `__AUTH`, gzip only above 1 KiB), the
//! codes it gives to Go-style error replies, and what echoed and missing
//! heartbeats do to a quiet connection.

mod rpcx_support;

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use rpc::core::rpcx::{
    AUTH_KEY, CODE_KEY, ERROR_KEY, RpcxCodec, RpcxCompression, RpcxMessage, RpcxMessageType,
    RpcxStatus, SERVER_TIMEOUT_KEY, SerializeType,
};
use rpc::core::tokio_util::codec::Decoder;
use rpc::{CallOptions, Code, Codec, Compression, CompressionPolicy};
use rpcx_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

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
        .heartbeat_interval(Duration::from_millis(50))
        .heartbeat_timeout(Duration::from_secs(1))
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
    // A heartbeat goes out after 50 ms without a read: 30 of them span
    // more than the 1 s timeout.
    while heartbeats < 30 {
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
