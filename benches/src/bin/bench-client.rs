//! Drives one contender of the load benchmark against a running server and
//! prints one `result key=value…` line.
//!
//! ```text
//! bench-client CONTENDER --addr HOST:PORT [-c 100] [-n 100000] [--conns 1] [--server-pid PID]
//! ```
//!
//! CONTENDER: raw, rpc-protobuf, rpc-msgpack, rpc-json, rpc-xclient-protobuf, rpc-spread-protobuf, tarpc, tonic.

use std::error::Error;
use std::net::SocketAddr;

use benches::load::contenders::{Contender, drive};
use benches::load::{LoadConfig, process};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

fn main() -> Result<(), Box<dyn Error>> {
    // Metrics and tracing as `RPC_BENCH_INSTRUMENT` says, before anything is built.
    benches::load::instrumentation::install()?;
    let mut args = std::env::args().skip(1);
    let contender: Contender = args
        .next()
        .ok_or("usage: bench-client CONTENDER --addr A ...")?
        .parse()?;
    let (mut addr, mut concurrency, mut total, mut conns, mut server_pid) =
        (None, 100, 100_000, 1, None);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--addr" => addr = Some(value.parse::<SocketAddr>()?),
            "-c" => concurrency = value.parse()?,
            "-n" => total = value.parse()?,
            "--conns" => conns = value.parse()?,
            "--server-pid" => server_pid = Some(value),
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    let addr = addr.ok_or("--addr is required")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let config = LoadConfig { concurrency, total };
    let server_cpu_before = server_pid.as_deref().and_then(process::cpu_time);
    let client_cpu_before = process::cpu_time("self");
    let allocations_before = GLOBAL.stats();
    let report = runtime.block_on(drive(contender, addr, conns, config))?;
    let allocations = GLOBAL.stats();
    let client_cpu = process::cpu_time("self")
        .zip(client_cpu_before)
        .map_or(0, |(after, before)| (after - before).as_millis());
    let server_cpu = server_pid
        .as_deref()
        .and_then(process::cpu_time)
        .zip(server_cpu_before)
        .map_or(0, |(after, before)| (after - before).as_millis());
    let client_allocations = (allocations.allocations + allocations.reallocations)
        - (allocations_before.allocations + allocations_before.reallocations);
    let latency = &report.latency_us;
    println!(
        "result contender={contender} c={concurrency} conns={conns} ok={} errors={} secs={:.3} throughput={:.0} \
         mean_us={:.0} p50_us={} p99_us={} p999_us={} client_cpu_ms={client_cpu} server_cpu_ms={server_cpu} \
         client_allocs_per_call={:.2} client_peak_rss={}",
        report.ok,
        report.errors,
        report.elapsed.as_secs_f64(),
        report.throughput(),
        latency.mean(),
        latency.value_at_quantile(0.50),
        latency.value_at_quantile(0.99),
        latency.value_at_quantile(0.999),
        client_allocations as f64 / report.ok.max(1) as f64,
        process::status_bytes("self", "VmHWM").unwrap_or(0),
    );
    for sample in &report.error_samples {
        eprintln!("error sample: {sample}");
    }
    runtime.shutdown_background();
    Ok(())
}
