//! Handlers of one connection that use CPU before their first `.await` run
//! in parallel on the runtime's workers, not one after another on the
//! connection's reader.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rpc_client::ClientConfig;
use rpc_core::dispatch::unknown_method;
use rpc_core::server::Server;
use rpc_core::{BoxFuture, RpcService, ServiceCall, ServiceReply, Status};

/// `Busy.spin`: 2 ms of CPU, counting how many spin at once.
#[derive(Clone, Default)]
struct Busy {
    running: Arc<AtomicUsize>,
    most_at_once: Arc<AtomicUsize>,
}

impl RpcService for Busy {
    fn name(&self) -> &'static str {
        "Busy"
    }

    fn methods(&self) -> &'static [&'static str] {
        &["spin"]
    }

    fn call(&self, call: ServiceCall) -> BoxFuture<Result<ServiceReply, Status>> {
        if call.context.method() != "spin" {
            return unknown_method(&call);
        }
        let this = self.clone();
        Box::pin(async move {
            let now = this.running.fetch_add(1, Ordering::SeqCst) + 1;
            this.most_at_once.fetch_max(now, Ordering::SeqCst);
            let until = Instant::now() + Duration::from_millis(2);
            let mut x = 1u64;
            while Instant::now() < until {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            }
            this.running.fetch_sub(1, Ordering::SeqCst);
            Ok(ServiceReply {
                payload: x.to_string().into(),
                metadata: Default::default(),
            })
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cpu_bound_handlers_of_one_connection_overlap() {
    let busy = Busy::default();
    let server = Server::builder()
        .service(busy.clone())
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let client = support::client(&server, ClientConfig::default());
    client.connect().await.unwrap();
    let calls: Vec<_> = (0..200)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .call_bytes("Busy", "spin", Default::default(), Default::default())
                    .await
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    // All on one connection: before, every handler ran its CPU on the
    // reader, one at a time.
    assert!(
        busy.most_at_once.load(Ordering::SeqCst) >= 2,
        "handlers never overlapped"
    );
    server.shutdown_and_wait().await;
}
