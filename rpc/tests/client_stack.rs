//! A typed stub over a tower client stack (`rpc::Layered`), and metadata a
//! service passes on to its downstream calls (`CallOptions::copy_metadata`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rpc::{CallOptions, Client, Code, Context, Layered, Server, Status};
use tower::ServiceBuilder;

/// A slow service that counts the calls it runs at once.
#[rpc::service]
pub trait Slow {
    /// Sleeps `millis`, then answers the most calls it ran at once so far.
    async fn nap(&self, millis: u64) -> Result<usize, Status>;
}

#[derive(Clone, Default)]
struct Sleeper {
    running: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
}

impl Slow for Sleeper {
    async fn nap(&self, millis: u64) -> Result<usize, Status> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(millis)).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        Ok(self.most.load(Ordering::SeqCst))
    }
}

#[tokio::test]
async fn a_typed_stub_sits_on_a_tower_client_stack() {
    let sleeper = Sleeper::default();
    let server = Server::builder()
        .service(SlowServer::new(sleeper.clone()))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let client = Client::new(server.local_addr().unwrap().to_string());
    let stack = ServiceBuilder::new()
        .timeout(Duration::from_millis(500))
        .concurrency_limit(1);
    let slow = SlowClient::new(Layered::new(client, stack));

    // The concurrency limit: eight calls at once, one at a time on the server.
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let slow = slow.clone();
            tokio::spawn(async move { slow.nap(&20).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(sleeper.most.load(Ordering::SeqCst), 1);

    // The timeout layer: its error comes back as a status.
    let status = slow.nap(&2_000).await.unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");
    assert!(status.to_string().contains("client layer"), "{status}");
    server.shutdown_and_wait().await;
}

/// The downstream service: tells what metadata reached it.
#[rpc::service]
pub trait Echo {
    /// The value of metadata `key`, or "-".
    async fn seen(&self, ctx: &Context, key: String) -> Result<String, Status>;
}

struct EchoImpl;

impl Echo for EchoImpl {
    async fn seen(&self, ctx: &Context, key: String) -> Result<String, Status> {
        Ok(ctx.metadata().get(&key).unwrap_or("-").to_owned())
    }
}

/// The middle service: asks Echo, passing on `tenant` (not `secret`).
#[rpc::service]
pub trait Relay {
    /// Echo's answer for `key`.
    async fn ask(&self, ctx: &Context, key: String) -> Result<String, Status>;
}

struct RelayImpl {
    echo: EchoClient,
}

impl Relay for RelayImpl {
    async fn ask(&self, ctx: &Context, key: String) -> Result<String, Status> {
        let options = CallOptions::propagate(ctx).copy_metadata(ctx, ["tenant", "request-id"]);
        Ok(self.echo.seen_with(&key, options).await?.value)
    }
}

#[tokio::test]
async fn named_metadata_keys_cross_two_hops_and_others_do_not() {
    let echo = Server::builder()
        .service(EchoServer::new(EchoImpl))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let echo_client = EchoClient::new(Client::new(echo.local_addr().unwrap().to_string()));
    let relay = Server::builder()
        .service(RelayServer::new(RelayImpl { echo: echo_client }))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let relay_client = RelayClient::new(Client::new(relay.local_addr().unwrap().to_string()));

    let options = || {
        CallOptions::new()
            .metadata("tenant", "acme")
            .metadata("secret", "s3cr3t")
    };
    let ask = |key: &'static str| {
        let relay_client = relay_client.clone();
        async move {
            relay_client
                .ask_with(&key.to_owned(), options())
                .await
                .unwrap()
                .value
        }
    };
    assert_eq!(ask("tenant").await, "acme");
    assert_eq!(ask("secret").await, "-", "only named keys are passed on");
    assert_eq!(
        ask("request-id").await,
        "-",
        "a key the call lacks is skipped"
    );
    relay.shutdown_and_wait().await;
    echo.shutdown_and_wait().await;
}
