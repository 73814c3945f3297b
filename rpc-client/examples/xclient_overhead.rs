//! What an `XClient` costs on top of a plain `Client`: the same calls to the
//! same server, through each, in one process, and the ratio.
//!
//! ```text
//! cargo run --release -p rpc-client --example xclient_overhead -- \
//!     [--calls 200000] [--concurrency 100] [--runs 7] [--payload 581] [--metadata 0] \
//!     [--calibrate 1] [--only client|xclient]
//! ```
//!
//! `--only client` (or `xclient`) makes one warm-up and one pass through
//! that channel alone and prints nothing else: for counting instructions
//! per call under `valgrind --tool=cachegrind`, which, unlike wall-clock
//! figures on a shared machine, repeat from one run to the next.
//!
//! `--calibrate 1` puts a second plain `Client` where the `XClient` goes:
//! the ratio it prints is the harness's own bias (two connections of the
//! same kind are not always equally fast), to read the real ratio against.
//!
//! The server runs on its own two-thread runtime, the callers on another
//! (threads named `bench-client`), so the CPU time the callers' threads used
//! (from `/proc/self/task/*/schedstat`, in nanoseconds) is the client side's
//! cost alone. Each run measures both clients, alternating which goes first,
//! after a warm-up; the summary gives medians. Nothing here is a pass/fail
//! threshold: it prints figures.

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use bytestring::ByteString;
use rpc_client::{CallOptions, Channel, Client, RawRequest, XClient};
use rpc_codec::Codec;
use rpc_core::dispatch::unknown_method;
use rpc_core::server::Server;
use rpc_core::{BoxFuture, RpcService, ServiceCall, ServiceReply, Status};
use rpc_registry::StaticDiscovery;

/// Thread name of the callers' runtime, so their CPU time can be told apart.
const CLIENT_THREADS: &str = "bench-client";

/// `Bench.echo`: the payload back, nothing else.
struct Echo;

impl RpcService for Echo {
    fn name(&self) -> &'static str {
        "Bench"
    }

    fn methods(&self) -> &'static [&'static str] {
        &["echo"]
    }

    fn call(&self, call: ServiceCall) -> BoxFuture<Result<ServiceReply, Status>> {
        match call.context.method() {
            "echo" => Box::pin(async move {
                Ok(ServiceReply {
                    payload: call.payload,
                    metadata: Default::default(),
                })
            }),
            _ => unknown_method(&call),
        }
    }
}

struct Settings {
    calls: usize,
    concurrency: usize,
    runs: usize,
    payload: usize,
    metadata: usize,
    calibrate: bool,
    only: Option<String>,
}

impl Settings {
    fn from_args() -> Result<Settings, Box<dyn Error>> {
        let mut settings = Settings {
            calls: 200_000,
            concurrency: 100,
            runs: 7,
            payload: 581,
            metadata: 0,
            calibrate: false,
            only: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            if flag == "--only" {
                settings.only = Some(value);
                continue;
            }
            let value: usize = value.parse()?;
            match flag.as_str() {
                "--calls" => settings.calls = value,
                "--concurrency" => settings.concurrency = value.max(1),
                "--runs" => settings.runs = value.max(1),
                "--payload" => settings.payload = value,
                "--metadata" => settings.metadata = value,
                "--calibrate" => settings.calibrate = value != 0,
                _ => return Err(format!("unknown flag {flag}").into()),
            }
        }
        Ok(settings)
    }

    fn request(&self) -> RawRequest {
        let mut options = CallOptions::new();
        for i in 0..self.metadata {
            options = options.metadata(&format!("key-{i}"), "a-value-of-some-length");
        }
        RawRequest {
            service: ByteString::from_static("Bench"),
            method: ByteString::from_static("echo"),
            codec: Codec::Raw,
            payload: Bytes::from(vec![7u8; self.payload]),
            options,
        }
    }
}

/// One measured pass of `calls` calls.
#[derive(Debug, Clone, Copy)]
struct Pass {
    calls_per_sec: f64,
    client_cpu_us_per_call: f64,
}

/// Runs `calls` calls from `concurrency` tasks on `channel`.
async fn pass<C: Channel>(
    channel: &C,
    request: &RawRequest,
    calls: usize,
    concurrency: usize,
) -> Pass {
    let left = Arc::new(AtomicUsize::new(calls));
    let cpu_before = client_cpu();
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let channel = channel.clone();
            let request = request.clone();
            let left = Arc::clone(&left);
            tokio::spawn(async move {
                while left
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                    .is_ok()
                {
                    let reply = channel.call_raw(request.clone()).await.expect("call");
                    assert_eq!(reply.payload.len(), request.payload.len());
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("caller task");
    }
    let elapsed = started.elapsed();
    let cpu = client_cpu().saturating_sub(cpu_before);
    Pass {
        calls_per_sec: calls as f64 / elapsed.as_secs_f64(),
        client_cpu_us_per_call: cpu.as_secs_f64() * 1e6 / calls as f64,
    }
}

/// CPU time used so far by the callers' runtime threads.
fn client_cpu() -> Duration {
    let mut total = Duration::ZERO;
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return total;
    };
    for task in tasks.flatten() {
        let path = task.path();
        let is_client = std::fs::read_to_string(path.join("comm"))
            .is_ok_and(|comm| comm.trim_end().starts_with(CLIENT_THREADS));
        if !is_client {
            continue;
        }
        // The first field of schedstat is the time spent on the CPU, in ns.
        if let Some(nanos) = std::fs::read_to_string(path.join("schedstat"))
            .ok()
            .and_then(|line| line.split_whitespace().next()?.parse::<u64>().ok())
        {
            total += Duration::from_nanos(nanos);
        }
    }
    total
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// One run: both channels warmed up, then measured, in the order given.
async fn run_once<C: Channel, X: Channel>(
    client: &C,
    xclient: &X,
    xclient_first: bool,
    settings: &Settings,
) -> (Pass, Pass) {
    let request = settings.request();
    let warm_up = (settings.calls / 10).max(1_000);
    pass(client, &request, warm_up, settings.concurrency).await;
    pass(xclient, &request, warm_up, settings.concurrency).await;
    if xclient_first {
        let cluster = pass(xclient, &request, settings.calls, settings.concurrency).await;
        let plain = pass(client, &request, settings.calls, settings.concurrency).await;
        (plain, cluster)
    } else {
        let plain = pass(client, &request, settings.calls, settings.concurrency).await;
        let cluster = pass(xclient, &request, settings.calls, settings.concurrency).await;
        (plain, cluster)
    }
}

/// A connected `Client` of `addr`.
async fn client(addr: &str) -> Result<Client, Box<dyn Error>> {
    let client = Client::new(addr);
    client.connect().await?;
    Ok(client)
}

/// An `XClient` (default settings: failover, round-robin) over `addr`
/// alone, its connection opened.
async fn xclient(addr: &str, settings: &Settings) -> Result<XClient, Box<dyn Error>> {
    let xclient = XClient::builder("Bench", StaticDiscovery::single(addr))
        .build()
        .await?;
    xclient.call_raw(settings.request()).await?;
    Ok(xclient)
}

/// Runs both kinds `settings.runs` times and prints each run and the
/// medians. Every run opens new connections, the one measured first also
/// connected first, alternating: which of two connections a server
/// accepted first, and which pass comes first, both bias a run.
async fn compare(addr: &str, settings: &Settings) -> Result<(), Box<dyn Error>> {
    println!(
        "{} calls per pass, c = {}, payload {} B, {} metadata entries{}",
        settings.calls,
        settings.concurrency,
        settings.payload,
        settings.metadata,
        if settings.calibrate {
            " (calibration: Client against Client)"
        } else {
            ""
        }
    );
    println!(
        "run  order  client calls/s  xclient calls/s  ratio  client cpu us/call  xclient cpu us/call"
    );
    let (mut ratios, mut client_rates, mut xclient_rates) = (vec![], vec![], vec![]);
    let (mut client_cpus, mut xclient_cpus) = (vec![], vec![]);
    for run in 0..settings.runs {
        let xclient_first = run % 2 == 1;
        let (plain, cluster) = match (settings.calibrate, xclient_first) {
            (true, _) => {
                let (first, second) = (client(addr).await?, client(addr).await?);
                let (a, b) = if xclient_first {
                    (second, first)
                } else {
                    (first, second)
                };
                run_once(&a, &b, xclient_first, settings).await
            }
            (false, true) => {
                let cluster = xclient(addr, settings).await?;
                let plain = client(addr).await?;
                run_once(&plain, &cluster, true, settings).await
            }
            (false, false) => {
                let plain = client(addr).await?;
                let cluster = xclient(addr, settings).await?;
                run_once(&plain, &cluster, false, settings).await
            }
        };
        let ratio = cluster.calls_per_sec / plain.calls_per_sec;
        println!(
            "{run:>3}  {:<5}  {:>14.0}  {:>15.0}  {ratio:>5.3}  {:>18.2}  {:>19.2}",
            if xclient_first { "X, C" } else { "C, X" },
            plain.calls_per_sec,
            cluster.calls_per_sec,
            plain.client_cpu_us_per_call,
            cluster.client_cpu_us_per_call,
        );
        ratios.push(ratio);
        client_rates.push(plain.calls_per_sec);
        xclient_rates.push(cluster.calls_per_sec);
        client_cpus.push(plain.client_cpu_us_per_call);
        xclient_cpus.push(cluster.client_cpu_us_per_call);
    }
    let client_cpu = median(&mut client_cpus);
    let xclient_cpu = median(&mut xclient_cpus);
    println!(
        "median  client {:.0} calls/s  xclient {:.0} calls/s  ratio {:.3}  client cpu {client_cpu:.2} us/call  xclient cpu {xclient_cpu:.2} us/call (cpu ratio {:.3})",
        median(&mut client_rates),
        median(&mut xclient_rates),
        median(&mut ratios),
        client_cpu / xclient_cpu,
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let settings = Settings::from_args()?;
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bench-server")
        .enable_all()
        .build()?;
    let server = server_runtime.block_on(Server::builder().service(Echo).bind("127.0.0.1:0"))?;
    let addr = server.local_addr().ok_or("no tcp address")?.to_string();

    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(CLIENT_THREADS)
        .enable_all()
        .build()?;
    client_runtime.block_on(async move {
        match settings.only.as_deref() {
            None => compare(&addr, &settings).await,
            Some(only) => {
                let request = settings.request();
                let warm_up = (settings.calls / 10).max(1_000);
                if only == "client" {
                    let client = client(&addr).await?;
                    pass(&client, &request, warm_up, settings.concurrency).await;
                    pass(&client, &request, settings.calls, settings.concurrency).await;
                } else {
                    let xclient = xclient(&addr, &settings).await?;
                    pass(&xclient, &request, warm_up, settings.concurrency).await;
                    pass(&xclient, &request, settings.calls, settings.concurrency).await;
                }
                Ok(())
            }
        }
    })?;
    server.shutdown();
    Ok(())
}
