//! A handler's status is not a verdict on its endpoint (issue 15, item 1).
//!
//! `Orders` calls `Inventory` through an XClient and passes its failures on
//! with `?`. While Inventory is down, a caller's XClient (failover, circuit
//! breakers on by default) must neither retry `place_order` (not idempotent)
//! on the other Orders server nor open the breakers of the healthy Orders
//! servers; it sees Inventory's `unavailable` as the application's error. Once
//! Inventory is back on its address, calls succeed again at once.
//!
//! Inventory is a real process (this test binary run again, as the ignored
//! test `inventory_process`), killed with SIGKILL and started again on its
//! address.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rpc::{
    CallOptions, Code, Context, Endpoint, FailMode, MemoryRegistry, Origin, Registry, Server,
    Status, XClient,
};

/// Stock reservations.
#[rpc::service]
pub trait Inventory {
    /// Reserves one unit of `item`; returns the units reserved so far.
    async fn reserve(&self, item: String) -> Result<u64, Status>;
}

#[derive(Clone, Default)]
struct Stock {
    reserved: Arc<AtomicUsize>,
}

impl Inventory for Stock {
    async fn reserve(&self, _item: String) -> Result<u64, Status> {
        Ok(self.reserved.fetch_add(1, Ordering::SeqCst) as u64 + 1)
    }
}

/// Orders, which reserve stock downstream.
#[rpc::service]
pub trait Orders {
    /// Places an order for `item` (not idempotent: it reserves stock).
    async fn place_order(&self, ctx: &Context, item: String) -> Result<u64, Status>;
}

#[derive(Clone)]
struct OrderDesk {
    inventory: InventoryClient<XClient>,
    placed: Arc<AtomicUsize>,
}

impl Orders for OrderDesk {
    async fn place_order(&self, ctx: &Context, item: String) -> Result<u64, Status> {
        self.placed.fetch_add(1, Ordering::SeqCst);
        let reply = self
            .inventory
            .reserve_with(&item, CallOptions::propagate(ctx))
            .await?;
        Ok(reply.value)
    }
}

/// The variable that makes this test binary an Inventory server: the
/// address to serve on.
const INVENTORY_ADDR: &str = "RPC_TEST_INVENTORY_ADDR";

/// The Inventory server process: run by [`start_inventory`] only.
#[tokio::test]
#[ignore = "the Inventory child process of the test below, not a test"]
async fn inventory_process() {
    let addr = std::env::var(INVENTORY_ADDR).expect("run by start_inventory only");
    let server = Server::builder()
        .service(InventoryServer::new(Stock::default()))
        .bind(&addr)
        .await
        .expect("bind Inventory");
    println!("inventory listening on {}", server.local_addr().unwrap());
    std::future::pending::<()>().await;
}

/// The Inventory process, killed with SIGKILL when dropped (also when the
/// test fails half-way, so that no server outlives it).
struct InventoryProcess(Child);

impl Drop for InventoryProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts Inventory as a child process serving on `addr`; returns once it
/// listens.
fn start_inventory(addr: &str) -> InventoryProcess {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "inventory_process", "--nocapture"])
        .env(INVENTORY_ADDR, addr)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the Inventory process");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.starts_with("inventory listening on ") => break,
            Some(Ok(_)) => continue,
            _ => {
                let status = child.wait();
                panic!("the Inventory process ended before listening: {status:?}");
            }
        }
    }
    // The rest of its output is not read: keep the pipe drained.
    std::thread::spawn(move || lines.for_each(drop));
    InventoryProcess(child)
}

/// A free loopback address (bound, then released for the child to take).
fn free_addr() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// Kills Inventory with SIGKILL and reaps it.
fn kill(mut inventory: InventoryProcess) {
    inventory.0.kill().expect("SIGKILL Inventory");
    inventory.0.wait().expect("reap Inventory");
}

#[tokio::test]
async fn a_handler_passing_on_unavailable_is_neither_retried_nor_held_against_its_server() {
    let registry = MemoryRegistry::new();
    let inventory_addr = free_addr();
    let inventory = start_inventory(&inventory_addr);
    registry
        .register("Inventory", &Endpoint::tcp(inventory_addr.clone()))
        .await
        .unwrap();

    let placed = Arc::new(AtomicUsize::new(0));
    let mut orders_servers = Vec::new();
    for _ in 0..2 {
        let inventory_client = XClient::builder("Inventory", registry.clone())
            .build()
            .await
            .unwrap();
        let desk = OrderDesk {
            inventory: InventoryClient::new(inventory_client),
            placed: Arc::clone(&placed),
        };
        let server = Server::builder()
            .service(OrdersServer::new(desk))
            .bind("127.0.0.1:0")
            .await
            .unwrap();
        let endpoint = Endpoint::tcp(server.local_addr().unwrap().to_string());
        registry.register("Orders", &endpoint).await.unwrap();
        orders_servers.push(server);
    }
    let caller = XClient::builder("Orders", registry.clone())
        .fail_mode(FailMode::Failover { retries: 2 })
        .build()
        .await
        .unwrap();
    let orders = OrdersClient::new(caller);
    assert_eq!(orders.place_order(&"apple".to_owned()).await.unwrap(), 1);

    // Inventory is killed; its address stays in the registry.
    kill(inventory);
    let before = placed.load(Ordering::SeqCst);
    const CALLS: usize = 30;
    for _ in 0..CALLS {
        let status = orders
            .place_order(&"apple".to_owned())
            .await
            .expect_err("Inventory is down");
        assert_eq!(status.code(), Code::Unavailable, "{status}");
        assert_eq!(status.origin(), Origin::Application, "{status}");
        assert!(!status.is_retryable(), "{status}");
    }
    // One run of the handler per call: no retry on the other Orders server.
    assert_eq!(placed.load(Ordering::SeqCst) - before, CALLS);

    // Inventory back on the same address: the Orders servers were never
    // held responsible, so calls go through as soon as Inventory answers.
    let inventory = start_inventory(&inventory_addr);
    let back = Instant::now();
    let value = loop {
        match orders.place_order(&"apple".to_owned()).await {
            Ok(value) => break value,
            Err(status) => {
                // Only Inventory's own unavailability (its client may still
                // be backing off), never "no endpoint of Orders available".
                assert_eq!(status.origin(), Origin::Application, "{status}");
                assert!(
                    back.elapsed() < Duration::from_secs(20),
                    "no success 20 s after Inventory came back: {status}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    assert_eq!(value, 1, "the restarted Inventory's first reservation");
    kill(inventory);
    for server in orders_servers {
        server.shutdown_and_wait().await;
    }
}
