//! `#[rpc(oneway)]` methods: the typed stub sends them oneway (no reply
//! waited for, none sent), the handler still runs, reflection says so, and
//! the other methods of the same service are ordinary calls.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rpc::core::reflection::{DescribeRequest, REFLECTION_SERVICE, ServiceDescription};
use rpc::{Client, Server, Status};
use tokio::sync::Notify;

/// An audit log.
#[rpc::service]
pub trait Audit {
    /// Appends a line; callers do not wait for it.
    #[rpc(oneway)]
    async fn record(&self, line: String) -> Result<(), Status>;
    /// A oneway method without an argument.
    #[rpc(oneway)]
    async fn mark(&self) -> Result<(), Status>;
    /// The lines so far.
    async fn lines(&self) -> Result<Vec<String>, Status>;
}

#[derive(Clone, Default)]
struct Log {
    lines: Arc<Mutex<Vec<String>>>,
    added: Arc<Notify>,
}

impl Audit for Log {
    async fn record(&self, line: String) -> Result<(), Status> {
        self.lines.lock().unwrap().push(line);
        self.added.notify_one();
        Ok(())
    }

    async fn mark(&self) -> Result<(), Status> {
        self.lines.lock().unwrap().push("--".to_owned());
        self.added.notify_one();
        // A failure of a oneway handler reaches nobody: the caller was told
        // nothing but that its request left.
        Err(Status::internal("not reported to anyone"))
    }

    async fn lines(&self) -> Result<Vec<String>, Status> {
        Ok(self.lines.lock().unwrap().clone())
    }
}

/// Waits until `log` holds `count` lines.
async fn wait_for(log: &Log, count: usize) {
    tokio::time::timeout(Duration::from_secs(10), async {
        while log.lines.lock().unwrap().len() < count {
            log.added.notified().await;
        }
    })
    .await
    .expect("the oneway calls reach the handler");
}

#[tokio::test]
async fn oneway_stub_methods_send_without_a_reply_and_the_handler_runs() {
    let log = Log::default();
    let server = Server::builder()
        .service(AuditServer::new(log.clone()))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let client = Client::new(server.local_addr().unwrap().to_string());
    let audit = AuditClient::new(client.clone());

    // The stub's return type is `Result<(), Status>` and nothing is waited
    // for: the handler may not have run yet when it returns.
    let sent: Result<(), Status> = audit.record(&"first".to_owned()).await;
    sent.unwrap();
    audit.mark().await.unwrap();
    audit
        .record_with(&"second".to_owned(), rpc::CallOptions::new())
        .await
        .unwrap();
    wait_for(&log, 3).await;
    // One connection keeps the order of its frames.
    assert_eq!(audit.lines().await.unwrap(), ["first", "--", "second"]);

    let description: ServiceDescription = client
        .call(
            REFLECTION_SERVICE,
            "Describe",
            &DescribeRequest {
                service: "Audit".to_owned(),
            },
        )
        .await
        .unwrap();
    let oneway: Vec<(&str, bool)> = description
        .methods
        .iter()
        .map(|method| (method.name.as_str(), method.oneway))
        .collect();
    assert_eq!(oneway, [("Record", true), ("Mark", true), ("Lines", false)]);
    server.shutdown_and_wait().await;
}
