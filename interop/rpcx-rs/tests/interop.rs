//! rpcx's protocol between this project and rpcx-rs, over 127.0.0.1, each
//! side in its own process where rpcx-rs is involved: rpcx-rs's client
//! (`peer/`, a child process) calls this project's `arith` example server
//! with rpcx on, in JSON and msgpack, plain and gzipped; this project's
//! `Client` with `Protocol::Rpcx` calls rpcx-rs's server in JSON and
//! msgpack. `docs/PROTOCOL.md` §13.6 lists the rpcx-rs deviations met here
//! and how this project tolerates them.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use examples::{Args, ArithClient, ArithImpl, ArithServer};
use rpc::{CallOptions, Client, ClientConfig, Code, Codec, Protocol, Server, ServerHandle, Target};

/// Builds the rpcx-rs peer once per test run and returns its path.
fn peer_binary() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peer/Cargo.toml");
        let target_dir = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peer/target"));
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target_dir)
            .status()
            .expect("run cargo build for the rpcx-rs peer");
        assert!(status.success(), "the rpcx-rs peer did not build");
        target_dir.join("debug/rpcx-rs-peer")
    })
}

/// Runs the rpcx-rs client with `args` and returns the first line it
/// printed (its reader thread may add "failed to read" as the process
/// exits and the connection closes under it).
async fn rpcx_rs_client(args: Vec<String>) -> String {
    tokio::task::spawn_blocking(move || {
        let output = Command::new(peer_binary())
            .args(&args)
            .output()
            .expect("run the rpcx-rs peer");
        assert!(
            output.status.success(),
            "rpcx-rs peer {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).expect("UTF-8");
        stdout.lines().next().unwrap_or_default().trim().to_owned()
    })
    .await
    .expect("joined")
}

/// rpcx-rs's server as a child process, killed on drop.
struct RpcxRsServer {
    child: Child,
    addr: String,
}

impl RpcxRsServer {
    fn start() -> RpcxRsServer {
        let mut child = Command::new(peer_binary())
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the rpcx-rs server");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read its address");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        RpcxRsServer { child, addr }
    }
}

impl Drop for RpcxRsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn our_server() -> (ServerHandle, String) {
    let server = Server::builder()
        .rpcx(true)
        .service(ArithServer::new(ArithImpl {
            name: "interop".to_owned(),
        }))
        .bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = server.local_addr().expect("a TCP address").to_string();
    (server, addr)
}

fn call(addr: &str, codec: &str, compress: &str, method: &str, a: u64, b: u64) -> Vec<String> {
    [
        "call",
        addr,
        codec,
        compress,
        method,
        &a.to_string(),
        &b.to_string(),
    ]
    .map(str::to_owned)
    .to_vec()
}

#[tokio::test]
async fn their_client_calls_our_server_in_json_and_msgpack() {
    let (server, addr) = our_server().await;
    for codec in ["json", "msgpack"] {
        let printed = rpcx_rs_client(call(&addr, codec, "none", "Mul", 7, 8)).await;
        assert_eq!(printed, "C=56", "{codec}");
    }
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn their_gzipped_calls_are_inflated() {
    // rpcx-rs gzips every request (and so every reply) when asked to, even
    // tiny ones that Go would send as they are.
    let (server, addr) = our_server().await;
    for codec in ["json", "msgpack"] {
        let printed = rpcx_rs_client(call(&addr, codec, "gzip", "Mul", 6, 7)).await;
        assert_eq!(printed, "C=42", "{codec}");
    }
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn their_client_gets_our_errors() {
    let (server, addr) = our_server().await;
    let printed = rpcx_rs_client(call(&addr, "json", "none", "Nope", 1, 2)).await;
    assert!(printed.starts_with("error:"), "{printed}");
    assert!(printed.contains("Nope"), "{printed}");
    // Arith.Div by zero: an application error, with the error status bit.
    let printed = rpcx_rs_client(call(&addr, "json", "none", "Div", 1, 0)).await;
    assert!(printed.contains("division by zero"), "{printed}");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn their_oneway_call_gets_no_reply_and_the_connection_goes_on() {
    let (server, addr) = our_server().await;
    let printed = rpcx_rs_client(["oneway", &addr, "9"].map(str::to_owned).to_vec()).await;
    assert_eq!(printed, "C=18");
    server.shutdown_and_wait().await;
}

fn rpcx_client(addr: &str, codec: Codec) -> ArithClient<Client> {
    let config = ClientConfig::builder()
        .protocol(Protocol::Rpcx)
        .codec(codec)
        .build()
        .expect("a valid config");
    ArithClient::new(Client::with_config(Target::Tcp(addr.to_owned()), config))
}

#[tokio::test]
async fn our_client_calls_their_server_in_json_and_msgpack() {
    let server = RpcxRsServer::start();
    for codec in [Codec::Json, Codec::MsgPack] {
        let client = rpcx_client(&server.addr, codec);
        // rpcx-rs answers msgpack with an array ([56]), where Go writes a
        // map ({"C": 56}): serde reads a struct from either.
        let reply = client
            .mul(&Args { a: 7, b: 8 })
            .await
            .unwrap_or_else(|status| panic!("{codec}: {status}"));
        assert_eq!(reply.c, 56, "{codec}");
    }
}

#[tokio::test]
async fn their_server_s_unknown_method_reply_is_an_error() {
    // rpcx-rs answers an unknown service or method without the error status
    // bit, with `__rpcx_error__` set and no payload: read as an error.
    let server = RpcxRsServer::start();
    let client = rpcx_client(&server.addr, Codec::Json);
    let status = client
        .div(&Args { a: 1, b: 1 })
        .await
        .expect_err("rpcx-rs serves no Arith.Div");
    assert_eq!(status.code(), Code::Application, "{status}");
    assert!(status.message().contains("not found"), "{status}");
    // The connection is still in service.
    assert_eq!(client.mul(&Args { a: 2, b: 3 }).await.expect("ok").c, 6);
}

#[tokio::test]
async fn our_oneway_call_to_their_server_and_the_reply_it_should_not_send() {
    // rpcx-rs answers oneway requests; the answer matches no waiting call
    // and is dropped.
    let server = RpcxRsServer::start();
    let client = rpcx_client(&server.addr, Codec::Json);
    client
        .channel()
        .oneway("Arith", "Mul", &Args { a: 4, b: 4 }, CallOptions::new())
        .await
        .expect("sent");
    assert_eq!(client.mul(&Args { a: 5, b: 5 }).await.expect("ok").c, 25);
}

#[tokio::test]
async fn heartbeats_to_their_server_keep_the_connection() {
    // rpcx-rs does not echo heartbeats: it answers them as a call to the
    // service "." that it does not have. The answer carries the
    // heartbeat's sequence number (above every call's), which is enough.
    let server = RpcxRsServer::start();
    let config = ClientConfig::builder()
        .protocol(Protocol::Rpcx)
        .codec(Codec::Json)
        .heartbeat_interval(Duration::from_millis(50))
        .heartbeat_timeout(Duration::from_millis(500))
        .build()
        .expect("a valid config");
    let client = Client::with_config(Target::Tcp(server.addr.clone()), config);
    let arith = ArithClient::new(client.clone());
    assert_eq!(arith.mul(&Args { a: 2, b: 2 }).await.expect("ok").c, 4);
    // Quiet for four heartbeat timeouts: only answered heartbeats keep it.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(client.is_connected(), "the connection was declared dead");
    assert_eq!(arith.mul(&Args { a: 3, b: 3 }).await.expect("ok").c, 9);
}
