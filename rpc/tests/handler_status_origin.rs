//! A handler's status is not a verdict on its endpoint (issue 15, item 1).
//!
//! `Orders` calls `Inventory` through an XClient and passes its failures on
//! with `?`. While Inventory is down, a caller's XClient (failover, circuit
//! breakers on by default) must neither retry `place_order` (not idempotent)
//! on the other Orders server nor open the breakers of the healthy Orders
//! servers; it sees Inventory's `unavailable` as the application's error. Once
//! Inventory is back on its address, calls succeed again at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rpc::{
    CallOptions, Code, Context, Endpoint, FailMode, MemoryRegistry, Origin, Registry, Server,
    ServerHandle, Status, XClient,
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

async fn start_inventory(addr: &str, stock: &Stock) -> ServerHandle {
    Server::builder()
        .service(InventoryServer::new(stock.clone()))
        .bind(addr)
        .await
        .expect("bind Inventory")
}

#[tokio::test]
async fn a_handler_passing_on_unavailable_is_neither_retried_nor_held_against_its_server() {
    let registry = MemoryRegistry::new();
    let stock = Stock::default();
    let inventory = start_inventory("127.0.0.1:0", &stock).await;
    let inventory_addr = inventory.local_addr().unwrap().to_string();
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

    // Inventory goes away; its address stays in the registry.
    inventory.shutdown_and_wait().await;
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
    let inventory = start_inventory(&inventory_addr, &stock).await;
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
    assert_eq!(value, 2, "one reservation before the outage, one after");
    inventory.shutdown_and_wait().await;
    for server in orders_servers {
        server.shutdown_and_wait().await;
    }
}
