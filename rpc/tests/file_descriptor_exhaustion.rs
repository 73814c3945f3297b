//! A server out of file descriptors (EMFILE on `accept`): a real server
//! process started with a low descriptor limit (`ulimit -n`) is flooded with
//! idle connections until it cannot accept another. It must keep serving the
//! connections it has, stay up (no exit, no panic), and once descriptors come
//! back, accept the connections that waited in the kernel's backlog: a call
//! started on a new connection during the exhaustion ends with its reply, not
//! lost.

#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rpc::{CallOptions, Client, Server, Status};

/// Echoes numbers.
#[rpc::service]
pub trait Echo {
    /// Returns `value`.
    async fn echo(&self, value: u64) -> Result<u64, Status>;
}

struct Echoer;

impl Echo for Echoer {
    async fn echo(&self, value: u64) -> Result<u64, Status> {
        Ok(value)
    }
}

/// The descriptor limit of the server process: its runtime, listener and
/// standard streams take about a dozen, so a few dozen connections exhaust it.
const DESCRIPTOR_LIMIT: usize = 48;

/// More idle connections than the server can hold.
const FLOOD: usize = 2 * DESCRIPTOR_LIMIT;

/// The variable that makes this test binary the server process.
const SERVER_MODE: &str = "RPC_TEST_FD_SERVER";

/// The server process: run by [`start_server`] only.
#[tokio::test]
#[ignore = "the server child process of the test below, not a test"]
async fn server_process() {
    assert!(
        std::env::var_os(SERVER_MODE).is_some(),
        "run by start_server only"
    );
    let server = Server::builder()
        .service(EchoServer::new(Echoer))
        .bind("127.0.0.1:0")
        .await
        .expect("bind");
    println!("listening on {}", server.local_addr().unwrap());
    std::future::pending::<()>().await;
}

/// The server process, killed when dropped (also when the test fails).
struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl ServerProcess {
    fn is_running(&mut self) -> bool {
        self.0.try_wait().expect("wait on the server").is_none()
    }

    /// The descriptors the process has open now.
    fn open_descriptors(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.0.id()))
            .expect("the server's /proc entry")
            .count()
    }
}

/// Starts the server under `ulimit -n DESCRIPTOR_LIMIT`; returns it and
/// its address once it listens.
fn start_server() -> (ServerProcess, String) {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n {DESCRIPTOR_LIMIT} && exec \"$0\" \"$@\""
        ))
        .arg(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "server_process", "--nocapture"])
        .env(SERVER_MODE, "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server process (needs sh)");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    break addr.to_owned();
                }
            }
            _ => {
                let status = child.wait();
                panic!("the server process ended before listening: {status:?}");
            }
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    (ServerProcess(child), addr)
}

#[tokio::test]
async fn a_server_out_of_descriptors_keeps_serving_and_accepts_again_when_they_return() {
    let (mut server, addr) = start_server();
    let before = EchoClient::new(Client::new(addr.clone()));
    assert_eq!(before.echo(&1).await.unwrap(), 1);

    // Idle connections until the process holds every descriptor it may.
    let mut flood = Vec::new();
    for _ in 0..FLOOD {
        // Connecting succeeds even when the server cannot accept: the
        // kernel completes the handshake into the listen backlog.
        flood.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    let exhausted = tokio::time::timeout(Duration::from_secs(10), async {
        while server.open_descriptors() < DESCRIPTOR_LIMIT {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        exhausted.is_ok(),
        "the server never ran out of descriptors ({} open)",
        server.open_descriptors()
    );

    // A call on a new connection now waits in the backlog.
    let waiting = tokio::spawn({
        let addr = addr.clone();
        async move {
            let late = EchoClient::new(Client::new(addr));
            late.echo_with(&3, CallOptions::new().timeout(Duration::from_secs(30)))
                .await
        }
    });
    // The connection it already had still serves, while accepts fail.
    assert_eq!(before.echo(&2).await.unwrap(), 2);
    assert!(server.is_running(), "the server exited out of descriptors");
    assert!(
        !waiting.is_finished(),
        "a connection was accepted with no descriptor free"
    );

    // Descriptors come back: the waiting connection is accepted and served.
    drop(flood);
    let late = waiting.await.unwrap();
    assert_eq!(
        late.unwrap().value,
        3,
        "the call made during the exhaustion"
    );
    assert_eq!(before.echo(&4).await.unwrap(), 4);
    assert!(server.is_running());
}
