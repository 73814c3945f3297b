//! Test fixtures: a real etcd (one member or a cluster) on free loopback
//! ports with temporary data directories, started and stopped by the test.

#![allow(dead_code, unreachable_pub)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One etcd member.
struct Member {
    name: String,
    client_port: u16,
    peer_port: u16,
    data_dir: PathBuf,
    child: Option<Child>,
}

impl Member {
    fn client_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.client_port)
    }

    fn peer_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.peer_port)
    }
}

/// Real etcd processes, killed and their data removed on drop.
pub struct Etcd {
    members: Vec<Member>,
    token: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

fn etcd_binary() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("etcd"))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "the `etcd` binary is not on PATH: these tests need a real etcd. \\
             Install Debian's package with `apt-get install etcd-server` \\
             (scripts/test does this when run as root)"
        )
    })
}

impl Etcd {
    /// A single-member etcd.
    pub async fn start() -> Etcd {
        Etcd::start_cluster(1).await
    }

    /// A single-member etcd with its ports chosen but not started: clients
    /// given [`Etcd::endpoints`] find nothing listening until [`Etcd::launch`].
    pub fn unstarted() -> Etcd {
        Etcd::plan(1)
    }

    /// Starts the members of an [`Etcd::unstarted`] etcd and waits until they answer.
    pub async fn launch(&mut self) {
        for i in 0..self.members.len() {
            self.spawn(i);
        }
        self.wait_ready().await;
    }

    /// A cluster of `size` members on loopback.
    pub async fn start_cluster(size: usize) -> Etcd {
        let mut etcd = Etcd::plan(size);
        etcd.launch().await;
        etcd
    }

    /// Ports and data directories for `size` members, none started.
    fn plan(size: usize) -> Etcd {
        let token = format!("rpc-test-{}-{}", std::process::id(), free_port());
        let members = (0..size)
            .map(|i| {
                let data_dir = std::env::temp_dir().join(format!("{token}-m{i}"));
                let _ = std::fs::remove_dir_all(&data_dir);
                std::fs::create_dir_all(&data_dir).expect("temporary data dir");
                Member {
                    name: format!("m{i}"),
                    client_port: free_port(),
                    peer_port: free_port(),
                    data_dir,
                    child: None,
                }
            })
            .collect();
        Etcd { members, token }
    }

    fn initial_cluster(&self) -> String {
        self.members
            .iter()
            .map(|m| format!("{}={}", m.name, m.peer_url()))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn spawn(&mut self, i: usize) {
        let initial_cluster = self.initial_cluster();
        let member = &self.members[i];
        let log = std::fs::File::create(member.data_dir.with_extension("log")).expect("log file");
        let child = Command::new(etcd_binary())
            .arg("--name")
            .arg(&member.name)
            .arg("--data-dir")
            .arg(member.data_dir.join("data"))
            .arg("--listen-client-urls")
            .arg(member.client_url())
            .arg("--advertise-client-urls")
            .arg(member.client_url())
            .arg("--listen-peer-urls")
            .arg(member.peer_url())
            .arg("--initial-advertise-peer-urls")
            .arg(member.peer_url())
            .arg("--initial-cluster")
            .arg(initial_cluster)
            .arg("--initial-cluster-state")
            .arg("new")
            .arg("--initial-cluster-token")
            .arg(&self.token)
            .arg("--heartbeat-interval")
            .arg("50")
            .arg("--election-timeout")
            .arg("500")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("start etcd");
        self.members[i].child = Some(child);
    }

    /// Every member's client URL.
    pub fn endpoints(&self) -> Vec<String> {
        self.members.iter().map(Member::client_url).collect()
    }

    /// The client URL of member `i`.
    pub fn endpoint(&self, i: usize) -> String {
        self.members[i].client_url()
    }

    /// Kills member `i` (SIGKILL), keeping its data directory.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.members[i].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Freezes member `i` (SIGSTOP): its sockets stay open, nothing answers.
    pub fn freeze(&self, i: usize) {
        self.signal(i, "-STOP");
    }

    /// Resumes a frozen member `i` (SIGCONT).
    pub fn thaw(&self, i: usize) {
        self.signal(i, "-CONT");
    }

    fn signal(&self, i: usize, signal: &str) {
        let pid = self.members[i]
            .child
            .as_ref()
            .expect("a running member")
            .id();
        let status = Command::new("kill")
            .arg(signal)
            .arg(pid.to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// Kills a single-member etcd, wipes its data and starts it again on the
    /// same ports: every key and lease is gone, and the revisions start
    /// again from 1. It comes back as a new cluster (new cluster id).
    pub async fn restart_empty(&mut self) {
        self.token = format!("{}-again", self.token);
        self.restart_wiped().await;
    }

    /// Like [`Etcd::restart_empty`], but with the same name, peer URL and
    /// cluster token, so the new store has the old cluster id: only its
    /// revisions tell it apart.
    pub async fn restart_wiped(&mut self) {
        assert_eq!(self.members.len(), 1, "only for a single member");
        self.kill(0);
        let _ = std::fs::remove_dir_all(self.members[0].data_dir.join("data"));
        self.spawn(0);
        self.wait_ready().await;
    }

    /// Starts killed member `i` of a cluster again with its data.
    pub async fn restart_member(&mut self, i: usize) {
        assert!(self.members[i].child.is_none(), "member {i} is running");
        self.spawn(i);
        self.wait_ready().await;
    }

    /// Starts a killed single member again with its data.
    pub async fn restart(&mut self) {
        self.spawn(0);
        self.wait_ready().await;
    }

    /// Waits until every running member answers reads.
    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        for member in self.members.iter().filter(|m| m.child.is_some()) {
            loop {
                let ready = async {
                    let mut client =
                        etcd_client::Client::connect([member.client_url()], None).await?;
                    client.get("ready-check", None).await
                };
                match tokio::time::timeout(Duration::from_secs(2), ready).await {
                    Ok(Ok(_)) => break,
                    _ if Instant::now() > deadline => {
                        let log = std::fs::read_to_string(member.data_dir.with_extension("log"))
                            .unwrap_or_default();
                        panic!(
                            "etcd member {} did not become ready; its log:\n{log}",
                            member.name
                        );
                    }
                    _ => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        }
    }

    /// The index of the current leader.
    pub async fn leader(&self) -> usize {
        for _ in 0..100 {
            for (i, member) in self.members.iter().enumerate() {
                if member.child.is_none() {
                    continue;
                }
                let Ok(mut client) =
                    etcd_client::Client::connect([member.client_url()], None).await
                else {
                    continue;
                };
                if let Ok(status) = client.status().await {
                    let me = status.header().map(|h| h.member_id());
                    if me == Some(status.leader()) {
                        return i;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no etcd leader found");
    }

    /// A plain etcd client, for reading keys back independently of the code under test.
    pub async fn client(&self) -> etcd_client::Client {
        let running: Vec<String> = self
            .members
            .iter()
            .filter(|m| m.child.is_some())
            .map(Member::client_url)
            .collect();
        etcd_client::Client::connect(running, None)
            .await
            .expect("etcd client")
    }

    /// The value of `key`, read with a plain client.
    pub async fn value(&self, key: &str) -> Option<String> {
        let mut client = self.client().await;
        let response = client.get(key, None).await.expect("get");
        response
            .kvs()
            .first()
            .map(|kv| String::from_utf8_lossy(kv.value()).into_owned())
    }
}

impl Drop for Etcd {
    fn drop(&mut self) {
        for i in 0..self.members.len() {
            self.kill(i);
            let member = &self.members[i];
            let _ = std::fs::remove_dir_all(&member.data_dir);
            let _ = std::fs::remove_file(member.data_dir.with_extension("log"));
        }
    }
}

/// Polls `check` every 50 ms for at most `limit`; returns how long it took.
pub async fn eventually<F, Fut>(limit: Duration, mut check: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// Logs to the test output when RUST_LOG is set.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

pub mod who;
