//! Serves one contender of the load benchmark until SIGTERM, then prints
//! what it used: `server-stats answered=… allocations=… cpu_ms=… peak_rss=…`.
//!
//! ```text
//! bench-server <rpc|tonic|tarpc|raw> [ADDR] [--work-iters K | --work-us N]
//! ```
//!
//! ADDR defaults to 127.0.0.1:0. `--work-iters K`: every handler first runs
//! K iterations of the benchmark's busy work (the load suite calibrates K
//! once and passes the same K to every server); `--work-us N` calibrates
//! here instead. Prints `listening on ADDR` once bound.

use std::error::Error;
use std::io::Write;
use std::sync::atomic::Ordering;

use benches::load::contenders::{ServerKind, serve};
use benches::load::{ANSWERED, process, work};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

fn main() -> Result<(), Box<dyn Error>> {
    // Metrics and tracing as `RPC_BENCH_INSTRUMENT` says, before anything is built.
    benches::load::instrumentation::install()?;
    let mut args = std::env::args().skip(1);
    let kind: ServerKind = args
        .next()
        .ok_or("usage: bench-server KIND [ADDR]")?
        .parse()?;
    let mut addr = "127.0.0.1:0".to_owned();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--work-iters" => {
                work::set_work_iterations(args.next().ok_or("--work-iters needs a value")?.parse()?)
            }
            "--work-us" => work::set_work_iterations(work::calibrate(
                args.next().ok_or("--work-us needs a value")?.parse()?,
            )),
            _ if arg.starts_with("--") => return Err(format!("unknown flag {arg}").into()),
            _ => addr = arg,
        }
    }
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
            "server-stats answered={} allocations={} cpu_ms={} peak_rss={} work_iters={}",
            ANSWERED.load(Ordering::Relaxed),
            stats.allocations + stats.reallocations - allocations_before,
            process::cpu_time("self").map_or(0, |cpu| cpu.as_millis()),
            process::status_bytes("self", "VmHWM").unwrap_or(0),
            work::work_iterations(),
        );
        std::io::stdout().flush()?;
        Ok::<_, Box<dyn Error>>(())
    })?;
    // Do not wait for connection tasks: the measurement is done.
    runtime.shutdown_background();
    Ok(())
}
