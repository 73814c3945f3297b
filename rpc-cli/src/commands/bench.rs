//! `rpc bench ADDR SERVICE.METHOD JSON -c N -n N --conns N`: N calls from
//! C concurrent callers over K connections, a live progress bar, then the
//! throughput, latency percentiles and a histogram.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytestring::ByteString;
use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use rpc::{CallOptions, Channel as _, Client, RawRequest, Status};

use crate::args::BenchArgs;
use crate::commands::histogram::{draw, micros};
use crate::commands::{metadata, split_method};
use crate::exit::Failure;
use crate::json_payload;

/// What one caller saw.
struct Tally {
    latencies: Histogram<u64>,
    errors: BTreeMap<String, u64>,
    first_error: Option<Status>,
}

pub(crate) async fn run(args: BenchArgs) -> Result<(), Failure> {
    if args.concurrency == 0 || args.conns == 0 || args.calls == 0 {
        return Err(Failure::Usage(
            "-c, -n and --conns must be at least 1".to_owned(),
        ));
    }
    let (service, method) = split_method(&args.method)?;
    let codec = args.call.codec.codec()?;
    let payload = json_payload::encode(&args.json, codec)?;
    let mut options = CallOptions::new().timeout(args.call.timeout).codec(codec);
    options.metadata = metadata(&args.call)?;
    let request = RawRequest {
        service: ByteString::from(service),
        method: ByteString::from(method),
        codec,
        payload,
        options,
    };
    let clients: Vec<Client> = (0..args.conns)
        .map(|_| crate::reach::client(&args.addr, args.call.protocol()))
        .collect();
    for client in &clients {
        client.connect().await?;
    }

    let progress = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(args.calls)
    };
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} calls  {rate}  eta {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key(
            "rate",
            |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "{:.0} calls/s", state.per_sec());
            },
        );
    progress.set_style(style);
    let issued = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut callers = Vec::with_capacity(args.concurrency);
    for caller in 0..args.concurrency {
        let client = clients[caller % clients.len()].clone();
        let (issued, progress, request, total) = (
            Arc::clone(&issued),
            progress.clone(),
            request.clone(),
            args.calls,
        );
        callers.push(tokio::spawn(async move {
            let mut tally = Tally {
                latencies: new_histogram(),
                errors: BTreeMap::new(),
                first_error: None,
            };
            while issued.fetch_add(1, Ordering::Relaxed) < total {
                let sent = Instant::now();
                match client.call_raw(request.clone()).await {
                    Ok(_) => {
                        let micros = sent.elapsed().as_micros().try_into().unwrap_or(u64::MAX);
                        let _ = tally.latencies.record(micros.max(1));
                    }
                    Err(status) => {
                        *tally.errors.entry(status.code().to_string()).or_default() += 1;
                        tally.first_error.get_or_insert(status);
                    }
                }
                progress.inc(1);
            }
            tally
        }));
    }
    let mut latencies = new_histogram();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let mut first_error = None;
    for caller in callers {
        let tally = caller
            .await
            .map_err(|error| Failure::Local(format!("a caller failed: {error}")))?;
        let _ = latencies.add(&tally.latencies);
        for (code, count) in tally.errors {
            *errors.entry(code).or_default() += count;
        }
        if first_error.is_none() {
            first_error = tally.first_error;
        }
    }
    let elapsed = started.elapsed();
    progress.finish_and_clear();
    report(&args, elapsed, &latencies, &errors);
    match first_error {
        None => Ok(()),
        Some(status) => Err(Failure::from(status)),
    }
}

/// Microsecond latencies with three significant figures.
fn new_histogram() -> Histogram<u64> {
    Histogram::new(3).expect("3 significant figures is a valid precision")
}

fn report(
    args: &BenchArgs,
    elapsed: Duration,
    latencies: &Histogram<u64>,
    errors: &BTreeMap<String, u64>,
) {
    let ok = latencies.len();
    let failed: u64 = errors.values().sum();
    println!(
        "{} calls to {} at {} in {:.2} s: {} ok, {} failed; {} caller(s) over {} connection(s)",
        ok + failed,
        args.method,
        args.addr,
        elapsed.as_secs_f64(),
        ok,
        failed,
        args.concurrency,
        args.conns
    );
    for (code, count) in errors {
        println!("  {code}: {count}");
    }
    let throughput = (ok + failed) as f64 / elapsed.as_secs_f64().max(f64::EPSILON);
    println!("throughput: {throughput:.0} calls/s");
    if ok > 0 {
        let at = |q: f64| micros(latencies.value_at_quantile(q) as f64);
        println!(
            "latency: min {}  p50 {}  p90 {}  p99 {}  p99.9 {}  max {}",
            micros(latencies.min() as f64),
            at(0.5),
            at(0.9),
            at(0.99),
            at(0.999),
            micros(latencies.max() as f64)
        );
    }
    for line in draw(latencies) {
        println!("{line}");
    }
}
