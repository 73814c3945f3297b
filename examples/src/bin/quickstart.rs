//! The one-process quickstart, no external service needed:
//!
//! 1. one `Arith` server on a free loopback port, called through the typed
//!    client in each codec, and once by wire name (`Arith.Mul`);
//! 2. three servers with weights 1, 2 and 3 in the in-process registry, and
//!    an XClient per selector making a few thousand calls: who answered how
//!    many;
//! 3. a failover run under load during which one server stops: every call
//!    still succeeds.

use std::collections::BTreeMap;
use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use examples::{Args, ArithClient, ArithImpl, ArithServer, Reply};
use rpc::{
    CallOptions, Client, Codec, Compression, CompressionPolicy, EndpointMetadata, FailMode,
    MemoryRegistry, Registration, SelectMode, Server, ServerHandle, XClient,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    examples::init_logging();
    one_server().await?;
    let registry = MemoryRegistry::new();
    let mut servers = Vec::new();
    for weight in [1, 2, 3] {
        servers.push(weighted_server(&registry, weight).await?);
    }
    selectors(&registry).await?;
    failover_under_load(&registry, &servers).await?;
    for server in &servers {
        server.shutdown_and_wait().await;
    }
    Ok(())
}

async fn one_server() -> Result<(), Box<dyn Error>> {
    println!("== one server, the typed client, each codec");
    let server = Server::builder()
        .service(ArithServer::new(ArithImpl {
            name: "quickstart".into(),
        }))
        .bind("127.0.0.1:0")
        .await?;
    let addr = server.local_addr().ok_or("the server has no TCP address")?;
    println!("server: Arith listening on {addr}");

    let client = ArithClient::new(Client::new(addr.to_string()));
    let args = Args { a: 7, b: 8 };
    for codec in [Codec::Json, Codec::MsgPack, Codec::Protobuf] {
        let options = CallOptions::new()
            .codec(codec)
            .metadata("trace-id", "quickstart-1");
        let reply = client.mul_with(&args, options).await?;
        println!(
            "client: Arith.Mul({}, {}) = {:<3} codec {codec:<8} served by {}",
            args.a,
            args.b,
            reply.value.c,
            reply.metadata.get("served-by").unwrap_or("?"),
        );
    }
    let compressed = CallOptions::new()
        .codec(Codec::MsgPack)
        .compression(CompressionPolicy::new(Compression::Zstd).with_threshold(0));
    let reply = client.mul_with(&Args { a: 6, b: 7 }, compressed).await?;
    println!(
        "client: Arith.Mul(6, 7) = {}  (msgpack, zstd-compressed)",
        reply.value.c
    );
    match client.div(&Args { a: 1, b: 0 }).await {
        Ok(reply) => return Err(format!("1 / 0 should fail, got {}", reply.c).into()),
        Err(status) => println!("client: Arith.Div(1, 0) failed as expected: {status}"),
    }
    // Without the trait, as a tool or a Go rpcx client calls: by wire name,
    // the method's Rust name in UpperCamelCase (`mul` is `Mul`).
    let by_name: Reply = client
        .channel()
        .call("Arith", "Mul", &Args { a: 9, b: 9 })
        .await?;
    println!(
        "client: Arith.Mul(9, 9) = {}  (a dynamic call by wire name)",
        by_name.c
    );
    server.shutdown_and_wait().await;
    println!("server: stopped\n");
    Ok(())
}

/// A server named `w{weight}` announced in `registry` with that weight.
async fn weighted_server(
    registry: &MemoryRegistry,
    weight: u32,
) -> Result<ServerHandle, Box<dyn Error>> {
    let metadata = EndpointMetadata::new().with("weight", weight.to_string());
    let server = Server::builder()
        .service(ArithServer::new(ArithImpl {
            name: format!("w{weight}"),
        }))
        .registry(Registration::new(registry.clone()).metadata(metadata))
        .grace_period(Duration::from_millis(200))
        .bind("127.0.0.1:0")
        .await?;
    Ok(server)
}

async fn selectors(registry: &MemoryRegistry) -> Result<(), Box<dyn Error>> {
    println!("== three servers, weights 1 / 2 / 3, 3000 calls per selector");
    let modes = [
        SelectMode::RoundRobin,
        SelectMode::WeightedRoundRobin,
        SelectMode::WeightedRandom,
        SelectMode::Random,
        SelectMode::LeastLoaded,
        SelectMode::ConsistentHash,
    ];
    for mode in modes {
        let name = format!("{mode:?}");
        let xclient = XClient::builder("Arith", registry.clone())
            .select_mode(mode)
            .build()
            .await?;
        let arith = ArithClient::new(xclient);
        let mut answered: BTreeMap<String, usize> = BTreeMap::new();
        for i in 0..3000 {
            // Consistent hashing routes by key: 30 "users", 100 calls each.
            let options = CallOptions::new().hash_key(format!("user-{}", i % 30));
            let reply = arith.mul_with(&Args { a: i, b: 2 }, options).await?;
            if reply.value.c != i * 2 {
                return Err(format!("wrong answer {} for {i} * 2", reply.value.c).into());
            }
            let server = reply.metadata.get("served-by").unwrap_or("?").to_owned();
            *answered.entry(server).or_default() += 1;
        }
        let shares: Vec<String> = answered
            .iter()
            .map(|(s, n)| format!("{s}: {n:>4}"))
            .collect();
        println!("{name:<19} {}", shares.join("   "));
    }
    println!();
    Ok(())
}

async fn failover_under_load(
    registry: &MemoryRegistry,
    servers: &[ServerHandle],
) -> Result<(), Box<dyn Error>> {
    println!("== failover: 20 callers, one server stops in the middle");
    let xclient = XClient::builder("Arith", registry.clone())
        .select_mode(SelectMode::RoundRobin)
        .fail_mode(FailMode::Failover { retries: 2 })
        .build()
        .await?;
    let stop = Arc::new(AtomicBool::new(false));
    let callers: Vec<_> = (0..20)
        .map(|_| {
            let arith = ArithClient::new(xclient.clone());
            let stop = Arc::clone(&stop);
            tokio::spawn(async move {
                let (mut ok, mut failed) = (0usize, 0usize);
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    match arith.mul(&Args { a: i, b: 3 }).await {
                        Ok(reply) if reply.c == i * 3 => ok += 1,
                        _ => failed += 1,
                    }
                }
                (ok, failed)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    println!("stopping the server with weight 2 ({})", servers[1].addr());
    servers[1].shutdown_and_wait().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut ok, mut failed) = (0, 0);
    for caller in callers {
        let (o, f) = caller.await?;
        ok += o;
        failed += f;
    }
    println!(
        "calls: {ok} succeeded, {failed} failed; endpoints now: {:?}",
        xclient.endpoints()
    );
    if failed > 0 {
        return Err(format!("{failed} calls failed during failover").into());
    }
    Ok(())
}
