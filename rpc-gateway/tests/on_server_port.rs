//! The gateway on a server's own port, over real HTTP: JSON calls, rpcx's
//! headers, statuses mapped to HTTP codes, limits, CORS, and a binary client
//! on the same port at the same time.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use rpc::{CallOptions, Client, Server, ServerHandle};
use rpc_gateway::{Gateway, GatewayConfig};
use support::{Args, ArithClient, ArithServer, Calculator, post, send};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

async fn server() -> (ServerHandle, SocketAddr) {
    let config = GatewayConfig::builder()
        .max_body_bytes(1024)
        .allow_origin("https://app.example")
        .build()
        .unwrap();
    let server = Server::builder()
        .service(ArithServer::new(Calculator))
        .http(Gateway::new(config))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    (server, addr)
}

#[tokio::test]
async fn a_json_post_calls_the_method_and_answers_json() {
    let (server, addr) = server().await;
    let answer = post(addr, "/Arith/Mul", r#"{"a":7,"b":8}"#).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), 56);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.header("x-rpcx-messagestatustype"), Some("Normal"));
    assert_eq!(answer.header("x-rpcx-meta"), Some("served-by=calculator"));

    // Reflection is reachable the same way; an empty body is `null`.
    let list = send(addr, "POST", "/rpc.Reflection/List", &[], "").await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    assert_eq!(list.json()["services"][0]["name"], "Arith");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn rpcx_gateway_headers_are_understood() {
    let (server, addr) = server().await;
    let msgpack = rmp_serde::to_vec_named(&Args { a: 6, b: 7 }).unwrap();
    let answer = send(
        addr,
        "POST",
        "/",
        &[
            ("X-RPCX-ServicePath", "Arith"),
            ("X-RPCX-ServiceMethod", "Mul"),
            ("X-RPCX-SerializeType", "3"),
            ("X-RPCX-MessageID", "42"),
            ("X-RPCX-Meta", "trace=t%201"),
        ],
        msgpack,
    )
    .await;
    assert_eq!(answer.status, 200);
    let product: i64 = rmp_serde::from_slice(&answer.body).unwrap();
    assert_eq!(product, 42);
    assert_eq!(answer.header("content-type"), Some("application/msgpack"));
    assert_eq!(answer.header("x-rpcx-servicepath"), Some("Arith"));
    assert_eq!(answer.header("x-rpcx-servicemethod"), Some("Mul"));
    assert_eq!(answer.header("x-rpcx-serializetype"), Some("3"));
    assert_eq!(answer.header("x-rpcx-messageid"), Some("42"));
    let meta = answer.header("x-rpcx-meta").unwrap();
    assert!(meta.contains("trace=t+1"), "{meta}");

    // rpcx's layout: the path is the service; Authorization is `__AUTH`.
    let answer = send(
        addr,
        "POST",
        "/Arith",
        &[
            ("X-RPCX-ServiceMethod", "Whoami"),
            ("Authorization", "Bearer abc"),
        ],
        "",
    )
    .await;
    assert_eq!(
        (answer.status, answer.json()),
        (200, serde_json::json!("Bearer abc"))
    );
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn the_authorization_header_reaches_the_servers_authenticator() {
    fn authenticate(token: &str, _: &rpc::Context) -> Result<rpc::Identity, rpc::Status> {
        match token {
            "s3cret" => Ok(rpc::Identity::new("web")),
            _ => Err(rpc::Status::unauthenticated("unknown token")),
        }
    }
    let server = Server::builder()
        .service(ArithServer::new(Calculator))
        .authenticator(authenticate)
        .http(Gateway::new(GatewayConfig::default()))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    let call = |auth: &'static str| async move {
        let headers: &[(&str, &str)] = if auth.is_empty() {
            &[]
        } else {
            &[("authorization", auth)]
        };
        send(addr, "POST", "/Arith/Mul", headers, r#"{"a":6,"b":7}"#).await
    };
    // A bearer token, and a bare token as rpcx clients send it.
    for auth in ["Bearer s3cret", "s3cret"] {
        let answer = call(auth).await;
        assert_eq!(
            (answer.status, answer.json()),
            (200, serde_json::json!(42)),
            "{auth}"
        );
    }
    for auth in ["Bearer guess", ""] {
        let answer = call(auth).await;
        assert_eq!(answer.status, 401, "{auth}: {:?}", answer.body);
        assert_eq!(answer.json()["code"], "unauthenticated");
    }
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn statuses_map_to_http_codes() {
    let (server, addr) = server().await;
    let cases = [
        ("/Arith/Div", r#"{"a":1,"b":0}"#, 500, "application"),
        ("/Nope/Mul", r#"{"a":1,"b":2}"#, 404, "service_not_found"),
        ("/Arith/Nope", r#"{"a":1,"b":2}"#, 404, "method_not_found"),
        ("/Arith/Mul", r#"{"a":"#, 400, "bad_request"),
        ("/Arith", r#"{}"#, 400, "bad_request"),
    ];
    for (path, body, http, code) in cases {
        let answer = post(addr, path, body).await;
        assert_eq!(answer.status, http, "{path}: {:?}", answer.body);
        assert_eq!(answer.header("x-rpc-status"), Some(code), "{path}");
        assert_eq!(answer.header("x-rpcx-messagestatustype"), Some("Error"));
        assert_eq!(answer.json()["code"], code);
        assert!(answer.header("x-rpcx-errormessage").is_some());
    }
    let protobuf = send(
        addr,
        "POST",
        "/Arith/Mul",
        &[("content-type", "application/x-protobuf")],
        "x",
    )
    .await;
    assert_eq!(
        (protobuf.status, protobuf.json()["code"].as_str()),
        (415, Some("unsupported_codec"))
    );
    let get = send(addr, "GET", "/Arith/Mul", &[], "").await;
    assert_eq!(get.status, 405);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_typed_application_error_comes_back_as_json_details() {
    let (server, addr) = server().await;
    let answer = post(addr, "/Arith/Reserve", r#"{"a":5,"b":2}"#).await;
    assert_eq!(answer.status, 400, "{:?}", answer.body);
    let body = answer.json();
    assert_eq!(body["code"], "failed_precondition");
    assert_eq!(body["message"], "only 2 left");
    assert_eq!(body["details"], serde_json::json!({"wanted": 5, "left": 2}));

    // msgpack in, the error's msgpack transcoded to JSON in the body.
    let args = rmp_serde::to_vec_named(&Args { a: 7, b: 1 }).unwrap();
    let answer = send(
        addr,
        "POST",
        "/Arith/Reserve",
        &[("content-type", "application/msgpack")],
        args,
    )
    .await;
    assert_eq!(
        answer.json()["details"],
        serde_json::json!({"wanted": 7, "left": 1})
    );

    // An untyped status has no details.
    let answer = post(addr, "/Arith/Div", r#"{"a":1,"b":0}"#).await;
    assert_eq!(answer.json().get("details"), None);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn oversize_bodies_and_heads_are_refused() {
    let (server, addr) = server().await;
    let big = format!(r#"{{"a":1,"b":2,"pad":"{}"}}"#, "x".repeat(2000));
    let answer = post(addr, "/Arith/Mul", &big).await;
    assert_eq!(answer.status, 413);
    assert_eq!(answer.json()["code"], "payload_too_large");

    // Chunked, so no Content-Length tells in advance: refused as it passes the limit.
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let chunk = "x".repeat(1500);
    let request = format!(
        "POST /Arith/Mul HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut reply = vec![0u8; 4096];
    let n = stream.read(&mut reply).await.unwrap();
    let head = String::from_utf8_lossy(&reply[..n]);
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");

    // A request head over the limit (16 KiB by default) is refused by hyper.
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /Arith/Mul HTTP/1.1\r\nhost: x\r\nx-pad: {}\r\n\r\n",
        "y".repeat(40_000)
    );
    let _ = stream.write_all(request.as_bytes()).await;
    let mut reply = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut reply)).await;
    let head = String::from_utf8_lossy(&reply);
    assert!(
        head.is_empty() || head.starts_with("HTTP/1.1 431"),
        "{head}"
    );
    server.shutdown_and_wait().await;
}

/// A server whose gateway waits 300 ms for heads and bodies.
async fn impatient_server() -> (ServerHandle, SocketAddr) {
    let config = GatewayConfig::builder()
        .header_timeout(Duration::from_millis(300))
        .body_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let server = Server::builder()
        .service(ArithServer::new(Calculator))
        .http(Gateway::new(config))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    (server, addr)
}

#[tokio::test]
async fn a_call_past_the_gateway_timeout_is_504_and_its_handler_is_cancelled() {
    let server = Server::builder()
        .service(ArithServer::new(Calculator))
        .http(Gateway::new(
            GatewayConfig::builder()
                .call_timeout(Duration::from_millis(200))
                .build()
                .unwrap(),
        ))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let answer = post(server.local_addr().unwrap(), "/Arith/Stall", "").await;
    assert_eq!(answer.status, 504, "{:?}", answer.body);
    assert_eq!(answer.json()["code"], "deadline_exceeded");
    let mut cancelled = false;
    for _ in 0..100 {
        if support::STALL_DROPPED.load(std::sync::atomic::Ordering::SeqCst) {
            cancelled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        cancelled,
        "the handler kept running after the gateway gave up"
    );
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn slow_heads_are_cut_off_and_slow_bodies_answered_408() {
    let (server, addr) = impatient_server().await;
    // A head that never ends: the connection is closed (hyper may first
    // answer 408), well before the server's 60 s idle limit.
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"POST /Arith/Mul HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut reply = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut reply)).await;
    assert!(read.is_ok(), "the connection stayed open");
    let head = String::from_utf8_lossy(&reply);
    assert!(
        head.is_empty() || head.starts_with("HTTP/1.1 408"),
        "{head}"
    );

    // A body announced as 100 bytes of which 10 come.
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request =
        "POST /Arith/Mul HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{\"a\":1,\"b\"";
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut reply)).await;
    assert!(read.is_ok(), "the connection stayed open");
    let head = String::from_utf8_lossy(&reply);
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn cors_preflight_and_replies_name_only_allowed_origins() {
    let (server, addr) = server().await;
    let preflight = send(
        addr,
        "OPTIONS",
        "/Arith/Mul",
        &[
            ("origin", "https://app.example"),
            ("access-control-request-method", "POST"),
        ],
        "",
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert!(
        preflight
            .header("access-control-allow-methods")
            .unwrap()
            .contains("POST")
    );
    let reply = send(
        addr,
        "POST",
        "/Arith/Mul",
        &[("origin", "https://app.example")],
        r#"{"a":2,"b":3}"#,
    )
    .await;
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let other = send(
        addr,
        "POST",
        "/Arith/Mul",
        &[("origin", "https://evil.example")],
        r#"{"a":2,"b":3}"#,
    )
    .await;
    assert_eq!(other.status, 200);
    assert!(other.header("access-control-allow-origin").is_none());
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn binary_and_http_clients_share_the_port_at_the_same_time() {
    let (server, addr) = server().await;
    let arith = ArithClient::new(Client::new(addr.to_string()));
    let binary = async {
        for i in 0..50 {
            let reply = arith
                .mul_with(&Args { a: i, b: 2 }, CallOptions::new())
                .await
                .unwrap();
            assert_eq!(reply.value, i * 2);
        }
    };
    let http = async {
        for i in 0..50 {
            let answer = post(addr, "/Arith/Mul", &format!(r#"{{"a":{i},"b":3}}"#)).await;
            assert_eq!(answer.json(), i * 3);
        }
    };
    tokio::join!(binary, http);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_silent_connection_does_not_hold_shutdown() {
    let server = Server::builder()
        .service(ArithServer::new(Calculator))
        .http(Gateway::default())
        .first_frame_timeout(Duration::from_secs(120))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let silent = tokio::net::TcpStream::connect(server.local_addr().unwrap())
        .await
        .unwrap();
    // Let the server accept it and start waiting for its first byte.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let shutdown = tokio::time::timeout(Duration::from_secs(30), server.shutdown_and_wait()).await;
    assert!(
        shutdown.is_ok(),
        "shutdown waited for the silent connection's first byte"
    );
    drop(silent);
}

#[tokio::test]
async fn without_a_gateway_an_http_request_is_refused_as_a_bad_frame() {
    let server = Server::builder()
        .service(ArithServer::new(Calculator))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let mut stream = tokio::net::TcpStream::connect(server.local_addr().unwrap())
        .await
        .unwrap();
    stream
        .write_all(b"POST /Arith/Mul HTTP/1.1\r\n\r\n")
        .await
        .unwrap();
    let mut reply = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut reply)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn curl_calls_through_the_gateway() {
    let (server, addr) = server().await;
    let output = tokio::process::Command::new("curl")
        .args([
            "-sS",
            "-i",
            "-d",
            r#"{"a":4,"b":5}"#,
            "-H",
            "X-RPCX-Meta: trace=curl",
        ])
        .arg(format!("http://{addr}/Arith/Mul"))
        .output()
        .await
        .expect("curl must be installed for this test (apt-get install curl)");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("x-rpcx-meta: "),
        "{text}"
    );
    assert!(text.trim_end().ends_with("20"), "{text}");
    server.shutdown_and_wait().await;
}
