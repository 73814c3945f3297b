//! The admin listener over real HTTP: `/metrics` parses as Prometheus text
//! and carries the calls made, `/ready` turns 503 as soon as shutdown starts
//! while the RPC listener is still open, and hostile requests get a status,
//! not a hang.

mod cluster;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use cluster::NodeService;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use rpc_client::Client;
use rpc_core::server::{Announcer, Server, ServerHandle};
use rpc_core::{BoxFuture, PeerAddr};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;

/// The process-wide Prometheus recorder (installed once for every test here).
fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| PrometheusBuilder::new().install_recorder().unwrap())
        .clone()
}

fn node() -> NodeService {
    NodeService {
        name: "n".to_owned(),
        behaviour: Arc::new(std::sync::Mutex::new(cluster::Behaviour::Answer)),
        seen: Arc::default(),
    }
}

/// Sends `request` as is and returns the status code and body.
async fn http(addr: std::net::SocketAddr, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the admin listener answers in time")
        .unwrap();
    let text = String::from_utf8(answer).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a whole response");
    let code = head.split(' ').nth(1).unwrap().parse().unwrap();
    (code, body.to_owned())
}

async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    http(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").as_bytes(),
    )
    .await
}

/// One sample line of Prometheus' text format: `name{labels} value`.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

/// Parses the text exposition format strictly enough to catch a broken
/// rendering: every line is a comment or a sample with a numeric value.
fn parse_prometheus(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(comment) = line.strip_prefix("# ") {
            assert!(
                comment.starts_with("HELP ") || comment.starts_with("TYPE "),
                "{line}"
            );
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect(line);
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("value of {line}"));
        let (name, labels) = match series.split_once('{') {
            None => (series, Vec::new()),
            Some((name, rest)) => {
                let inner = rest.strip_suffix('}').expect(line);
                let labels = inner
                    .split("\",")
                    .filter(|pair| !pair.is_empty())
                    .map(|pair| {
                        let (key, value) = pair.split_once("=\"").expect(line);
                        (key.to_owned(), value.trim_end_matches('"').to_owned())
                    })
                    .collect();
                (name, labels)
            }
        };
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "{line}"
        );
        samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    samples
}

fn value_of(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|(sk, sv)| sk == k && sv == v))
        })
        .map(|s| s.value)
}

async fn serve_with_admin(announcer: Option<HoldingAnnouncer>) -> ServerHandle {
    let handle = prometheus();
    let mut builder = Server::builder().service(node()).admin(
        "127.0.0.1:0".parse().unwrap(),
        Some(Arc::new(move || handle.render())),
    );
    if let Some(announcer) = announcer {
        builder = builder.registry(announcer);
    }
    builder.bind("127.0.0.1:0").await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_scraped_over_http_as_prometheus_text() {
    let server = serve_with_admin(None).await;
    let admin = server.admin_addr().unwrap();
    let client = Client::new(server.local_addr().unwrap().to_string());
    for _ in 0..3 {
        let _: String = client
            .call("Node", "whoami", &"k".to_owned())
            .await
            .unwrap();
    }
    let (code, body) = get(admin, "/metrics").await;
    assert_eq!(code, 200);
    let samples = parse_prometheus(&body);
    let ok = [("service", "Node"), ("method", "whoami"), ("code", "ok")];
    assert!(value_of(&samples, "rpc_server_calls_total", &ok).unwrap() >= 3.0);
    let node = [("service", "Node"), ("method", "whoami")];
    assert!(value_of(&samples, "rpc_server_call_duration_seconds_count", &node).unwrap() >= 3.0);
    assert!(value_of(&samples, "rpc_server_connections_open", &[]).unwrap() >= 1.0);

    assert_eq!(get(admin, "/health").await, (200, "alive\n".to_owned()));
    assert_eq!(get(admin, "/ready").await.0, 200);
    assert_eq!(get(admin, "/nope").await.0, 404);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn hostile_admin_requests_get_a_status() {
    let server = serve_with_admin(None).await;
    let admin = server.admin_addr().unwrap();
    assert_eq!(http(admin, b"POST /ready HTTP/1.1\r\n\r\n").await.0, 405);
    assert_eq!(http(admin, b"GET /ready HTTP/9\r\n\r\n").await.0, 400);
    let mut endless = b"GET /ready HTTP/1.1\r\n".to_vec();
    endless.extend(std::iter::repeat_n(b'x', 64 * 1024));
    let mut stream = TcpStream::connect(admin).await.unwrap();
    // The listener may close before reading everything: ignore write errors.
    let _ = stream.write_all(&endless).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
    // Still serving others.
    assert_eq!(get(admin, "/health").await.0, 200);
    server.shutdown_and_wait().await;
}

/// An announcer whose withdrawal waits until the test releases it: the
/// window between "shutdown started" and "listener closed".
#[derive(Clone, Default)]
struct HoldingAnnouncer {
    withdrawing: Arc<Notify>,
    release: Arc<Notify>,
}

impl Announcer for HoldingAnnouncer {
    fn announce(
        &self,
        _: PeerAddr,
        _: Vec<&'static str>,
    ) -> BoxFuture<Result<(), rpc_core::server::AnnounceError>> {
        Box::pin(async { Ok(()) })
    }

    fn withdraw(&self, _: PeerAddr, _: Vec<&'static str>) -> BoxFuture<()> {
        let this = self.clone();
        Box::pin(async move {
            this.withdrawing.notify_one();
            this.release.notified().await;
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_turns_503_when_shutdown_starts_before_the_listener_closes() {
    let announcer = HoldingAnnouncer::default();
    let server = serve_with_admin(Some(announcer.clone())).await;
    let admin = server.admin_addr().unwrap();
    let rpc_addr = server.local_addr().unwrap();
    assert_eq!(get(admin, "/ready").await, (200, "ready\n".to_owned()));

    server.shutdown();
    announcer.withdrawing.notified().await;
    // Shutdown has started; the server is still withdrawing from its
    // registry, so its listener is still bound.
    assert_eq!(get(admin, "/ready").await, (503, "draining\n".to_owned()));
    assert_eq!(get(admin, "/health").await.0, 200, "still alive");
    TcpStream::connect(rpc_addr)
        .await
        .expect("the RPC listener is still open");

    announcer.release.notify_one();
    server.stopped().await;
    assert!(
        TcpStream::connect(rpc_addr).await.is_err(),
        "the RPC listener closed after the withdrawal"
    );
}
