//! The CLI with a real etcd (started by the fixture of `rpc-registry`'s
//! tests): list, describe and call through the registry, watch an endpoint
//! come and go, and the standalone gateway routing HTTP through XClients.

#[allow(dead_code, unreachable_pub, clippy::all)]
#[path = "../../rpc-client/tests/support/certs.rs"]
mod certs;
#[allow(dead_code, unreachable_pub, clippy::all)]
#[path = "../../rpc-registry/tests/support/mod.rs"]
mod etcd_support;
#[allow(dead_code, unreachable_pub, clippy::all)]
#[path = "../../rpc-registry/tests/support/secure_etcd.rs"]
mod secure_etcd;
mod support;

use std::process::Stdio;
use std::time::Duration;

use etcd_support::Etcd;
use rpc::registry::etcd::{EtcdConfig, EtcdRegistry};
use rpc::{EndpointMetadata, Registration, Server, ServerHandle};
use secure_etcd::{SecureEtcd, Security};
use support::{CalcImpl, CalcServer, rpc, run};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader, Lines};
use tokio::process::ChildStdout;

/// `etcd://host:port` of the fixture.
fn url(etcd: &Etcd) -> String {
    let endpoint = etcd.endpoint(0);
    format!("etcd://{}", endpoint.trim_start_matches("http://"))
}

/// A `Calc` server announced in etcd with weight 3.
async fn announced_calc(etcd: &Etcd) -> (ServerHandle, String) {
    announced_calc_in(EtcdConfig::new(etcd.endpoints())).await
}

/// A `Calc` server announced with weight 3 in the etcd `config` names.
async fn announced_calc_in(config: EtcdConfig) -> (ServerHandle, String) {
    let registry = EtcdRegistry::connect(config).await.unwrap();
    let server = Server::builder()
        .service(CalcServer::new(CalcImpl))
        .registry(Registration::new(registry).metadata(EndpointMetadata::new().with("weight", "3")))
        .grace_period(Duration::from_millis(100))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let addr = server.local_addr().unwrap().to_string();
    (server, addr)
}

/// The next line of a child's output, waiting up to 30 s.
async fn next_line(lines: &mut Lines<BufReader<ChildStdout>>) -> String {
    tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("a line within 30 s")
        .expect("readable output")
        .expect("the command is still running")
}

#[tokio::test]
async fn list_describe_and_call_through_the_registry() {
    let etcd = Etcd::start().await;
    let url = url(&etcd);
    let (server, addr) = announced_calc(&etcd).await;

    let every = run(&["list", "--registry", &url]).await;
    assert_eq!(every.code, 0, "{every:?}");
    assert!(every.stdout.starts_with("Calc\n"), "{}", every.stdout);
    assert!(
        every.stdout.contains(&format!("  tcp@{addr}  weight=3")),
        "{}",
        every.stdout
    );
    let one = run(&["list", "--registry", &url, "Calc", "--json"])
        .await
        .json();
    assert_eq!(one["Calc"][format!("tcp@{addr}")], "weight=3");

    let described = run(&["describe", "--registry", &url, "Calc", "--json"])
        .await
        .json();
    assert_eq!(described["methods"][0]["name"], "Mul");

    let reply = run(&["call", "--registry", &url, "Calc.Mul", r#"{"a":2,"b":21}"#]).await;
    assert_eq!(
        (reply.code, reply.stdout.as_str()),
        (0, "42\n"),
        "{reply:?}"
    );
    let nobody = run(&["call", "--registry", &url, "Nobody.Mul", "{}"]).await;
    assert_eq!(nobody.code, 11, "{nobody:?}");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn every_service_is_listed_from_an_etcd_over_tls() {
    let etcd = SecureEtcd::start(Security::Tls {
        client_certificates: false,
    })
    .await;
    let dir = std::env::temp_dir().join(format!("rpc-cli-etcds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &etcd.ca.as_ref().unwrap().pem.cert).unwrap();
    let host = etcd.url.trim_start_matches("https://");
    let url = format!("etcds://{host}?ca={}", ca.display());
    let (server, addr) = announced_calc_in(EtcdConfig::from_url(&url).unwrap()).await;

    let every = run(&["list", "--registry", &url]).await;
    assert_eq!(every.code, 0, "{every:?}");
    assert!(
        every
            .stdout
            .contains(&format!("Calc\n  tcp@{addr}  weight=3")),
        "{}",
        every.stdout
    );
    // Plaintext to the TLS port gets nothing: the listing did use TLS.
    let plain = run(&["list", "--registry", &format!("etcd://{host}")]).await;
    assert_ne!(plain.code, 0, "{plain:?}");
    server.shutdown_and_wait().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn watch_prints_an_endpoint_coming_and_going() {
    let etcd = Etcd::start().await;
    // `hold=0s`: no self-preservation, so the last endpoint leaving shows at once.
    let url = format!("{}?hold=0s", url(&etcd));
    let mut watch = rpc()
        .args(["watch", "--registry", &url, "Calc"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    assert_eq!(next_line(&mut lines).await, "Calc: 0 endpoint(s)");

    let (server, addr) = announced_calc(&etcd).await;
    assert_eq!(
        next_line(&mut lines).await,
        format!("+ tcp@{addr} weight=3")
    );
    server.shutdown_and_wait().await;
    assert_eq!(next_line(&mut lines).await, format!("- tcp@{addr}"));
    watch.kill().await.unwrap();
}

/// One HTTP/1.1 request on a new connection; the status and the body.
async fn http_post(addr: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_string(&mut answer))
        .await
        .expect("an answer within 30 s")
        .unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn the_standalone_gateway_routes_http_through_the_registry() {
    let etcd = Etcd::start().await;
    let url = url(&etcd);
    let (server, _) = announced_calc(&etcd).await;
    let mut gateway = rpc()
        .args(["gateway", "--registry", &url, "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(gateway.stdout.take().unwrap()).lines();
    let banner = next_line(&mut lines).await;
    let http_addr = banner
        .strip_prefix("gateway on http://")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{banner}"))
        .to_owned();

    let (status, body) = http_post(&http_addr, "/Calc/Mul", r#"{"a":6,"b":7}"#).await;
    assert_eq!((status, body.as_str()), (200, "42"));
    let (status, body) = http_post(&http_addr, "/Calc/Div", r#"{"a":6,"b":0}"#).await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("division by zero"), "{body}");
    let (status, _) = http_post(&http_addr, "/Nobody/Mul", "{}").await;
    assert_eq!(status, 404);
    gateway.kill().await.unwrap();
    server.shutdown_and_wait().await;
}
