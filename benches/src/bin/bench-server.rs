//! Serves one contender of the load benchmark until SIGTERM, then prints
//! what it used: `server-stats answered=… allocations=… cpu_ms=… peak_rss=…`.
//!
//! ```text
//! bench-server <rpc|tonic|tarpc|raw> [ADDR]     # ADDR defaults to 127.0.0.1:0
//! ```
//!
//! Prints `listening on ADDR` once bound.

use std::error::Error;
use std::io::Write;
use std::sync::atomic::Ordering;

use benches::load::contenders::{ServerKind, serve};
use benches::load::{ANSWERED, process};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let kind: ServerKind = args
        .next()
        .ok_or("usage: bench-server KIND [ADDR]")?
        .parse()?;
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        println!("listening on {}", listener.local_addr()?);
        std::io::stdout().flush()?;
        let allocations_before = GLOBAL.stats().allocations;
        tokio::spawn(async move {
            if let Err(error) = serve(kind, listener).await {
                eprintln!("server failed: {error}");
            }
        });
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        terminate.recv().await;
        let stats = GLOBAL.stats();
        println!(
            "server-stats answered={} allocations={} cpu_ms={} peak_rss={}",
            ANSWERED.load(Ordering::Relaxed),
            stats.allocations + stats.reallocations - allocations_before,
            process::cpu_time("self").map_or(0, |cpu| cpu.as_millis()),
            process::status_bytes("self", "VmHWM").unwrap_or(0),
        );
        std::io::stdout().flush()?;
        Ok::<_, Box<dyn Error>>(())
    })?;
    // Do not wait for connection tasks: the measurement is done.
    runtime.shutdown_background();
    Ok(())
}
