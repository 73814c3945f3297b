//! `Who`: a test service whose only method answers with the server's name,
//! and helpers to start servers announced in etcd and to call them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use rpc_client::{CallOptions, Channel, RawRequest, XClient};
use rpc_core::bytes::Bytes;
use rpc_core::server::{Server, ServerHandle};
use rpc_registry::Registration;
use rpc_registry::etcd::{EtcdConfig, EtcdRegistry};

/// Answers every `Who.name` call with its own name.
pub struct Who(pub &'static str);

impl rpc_core::RpcService for Who {
    fn name(&self) -> &'static str {
        "Who"
    }
    fn methods(&self) -> &'static [&'static str] {
        &["name"]
    }
    fn call(
        &self,
        _call: rpc_core::ServiceCall,
    ) -> rpc_core::BoxFuture<Result<rpc_core::ServiceReply, rpc_core::Status>> {
        let name = self.0;
        Box::pin(async move {
            Ok(rpc_core::ServiceReply {
                payload: Bytes::from_static(name.as_bytes()),
                metadata: Default::default(),
            })
        })
    }
}

/// A `Who` server on a free loopback port, announced through its own
/// registry (its own lease), as separate server processes would be.
pub async fn start_who(config: &EtcdConfig, name: &'static str) -> ServerHandle {
    let registry = EtcdRegistry::connect(config.clone()).await.unwrap();
    Server::builder()
        .service(Who(name))
        .registry(Registration::new(registry))
        .grace_period(Duration::from_millis(200))
        .bind("127.0.0.1:0")
        .await
        .unwrap()
}

/// One `Who.name` call through `x`.
pub async fn call_who(x: &XClient) -> Result<Bytes, rpc_core::Status> {
    x.call_raw(RawRequest {
        service: "Who".into(),
        method: "name".into(),
        codec: rpc_core::Codec::Raw,
        payload: Bytes::new(),
        options: CallOptions::new(),
    })
    .await
    .map(|reply| reply.payload)
}

/// Callers that call `Who.name` without pause until stopped, counting
/// successes and failures (and keeping the first failures' messages).
pub struct Load {
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    errors: Arc<std::sync::Mutex<Vec<String>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    /// `callers` concurrent callers through `x`.
    pub fn start(x: &XClient, callers: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let errors = Arc::new(std::sync::Mutex::new(Vec::new()));
        let tasks = (0..callers)
            .map(|_| {
                let (x, stop, ok, failed, errors) = (
                    x.clone(),
                    Arc::clone(&stop),
                    Arc::clone(&ok),
                    Arc::clone(&failed),
                    Arc::clone(&errors),
                );
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        match call_who(&x).await {
                            Ok(_) => {
                                ok.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(status) => {
                                failed.fetch_add(1, Ordering::Relaxed);
                                {
                                    let mut first = errors.lock().unwrap();
                                    if first.len() < 5 {
                                        first.push(status.to_string());
                                    }
                                }
                                // A failing cluster is not hammered in a tight loop.
                                tokio::time::sleep(Duration::from_millis(1)).await;
                            }
                        }
                    }
                })
            })
            .collect();
        Load {
            stop,
            ok,
            failed,
            errors,
            tasks,
        }
    }

    /// Calls that succeeded so far.
    pub fn ok(&self) -> u64 {
        self.ok.load(Ordering::Relaxed)
    }

    /// Stops the callers; returns (succeeded, failed, first failure messages).
    pub async fn stop(self) -> (u64, u64, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks {
            task.await.unwrap();
        }
        let errors = self.errors.lock().unwrap().clone();
        (
            self.ok.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
            errors,
        )
    }
}
