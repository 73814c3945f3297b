//! A single real etcd with TLS (client URL https, optionally requiring
//! client certificates) or with auth enabled, started for one test and
//! killed on drop. Certificates are made by rcgen at test time.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::certs::{Ca, Pem};

/// How the etcd is secured.
pub enum Security {
    /// TLS; with `client_certificates`, etcd's `--client-cert-auth`.
    Tls { client_certificates: bool },
    /// Plain HTTP, `root` with this password, auth enabled.
    Auth { root_password: &'static str },
}

pub struct SecureEtcd {
    child: Child,
    dir: PathBuf,
    pub url: String,
    pub ca: Option<Ca>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

impl SecureEtcd {
    pub async fn start(security: Security) -> SecureEtcd {
        let (client_port, peer_port) = (free_port(), free_port());
        let dir = std::env::temp_dir().join(format!(
            "rpc-secure-etcd-{}-{client_port}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let tls = matches!(security, Security::Tls { .. });
        let scheme = if tls { "https" } else { "http" };
        let url = format!("{scheme}://127.0.0.1:{client_port}");
        let mut command = Command::new("etcd");
        command
            .arg("--name=secure")
            .arg(format!("--data-dir={}", dir.join("data").display()))
            .arg(format!("--listen-client-urls={url}"))
            .arg(format!("--advertise-client-urls={url}"))
            .arg(format!("--listen-peer-urls=http://127.0.0.1:{peer_port}"))
            .arg(format!(
                "--initial-advertise-peer-urls=http://127.0.0.1:{peer_port}"
            ))
            .arg(format!(
                "--initial-cluster=secure=http://127.0.0.1:{peer_port}"
            ));
        let mut ca = None;
        if let Security::Tls {
            client_certificates,
        } = security
        {
            let authority = Ca::new("etcd test CA");
            let server = authority.server();
            for (name, text) in [
                ("ca.pem", &authority.pem.cert),
                ("server.pem", &server.cert),
                ("server.key", &server.key),
            ] {
                std::fs::write(dir.join(name), text).unwrap();
            }
            command
                .arg(format!("--cert-file={}", dir.join("server.pem").display()))
                .arg(format!("--key-file={}", dir.join("server.key").display()));
            if client_certificates {
                command
                    .arg(format!(
                        "--trusted-ca-file={}",
                        dir.join("ca.pem").display()
                    ))
                    .arg("--client-cert-auth");
            }
            ca = Some(authority);
        }
        let log = std::fs::File::create(dir.join("etcd.log")).unwrap();
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start etcd");
        let etcd = SecureEtcd {
            child,
            dir,
            url,
            ca,
        };
        etcd.wait_listening().await;
        if let Security::Auth { root_password } = security {
            etcd.enable_auth(root_password).await;
        }
        etcd
    }

    /// A client certificate signed by etcd's CA.
    pub fn client_identity(&self, name: &str) -> Pem {
        self.ca.as_ref().expect("a TLS etcd").client(name)
    }

    async fn wait_listening(&self) {
        let port: u16 = self.url.rsplit(':').next().unwrap().parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "etcd did not listen; its log:\n{}",
                std::fs::read_to_string(self.dir.join("etcd.log")).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `root` with `password`, then auth on (the etcd-client auth API,
    /// as `etcdctl user add root` and `etcdctl auth enable` do).
    async fn enable_auth(&self, password: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut client = loop {
            if let Ok(mut client) = etcd_client::Client::connect([self.url.clone()], None).await
                && client.get("ready", None).await.is_ok()
            {
                break client;
            }
            assert!(Instant::now() < deadline, "etcd not ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        client
            .user_add("root", password, None)
            .await
            .expect("user add root");
        client
            .user_grant_role("root", "root")
            .await
            .expect("grant root");
        client.auth_enable().await.expect("auth enable");
    }
}

impl Drop for SecureEtcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
