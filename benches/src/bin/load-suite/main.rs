//! Runs the whole load comparison: for each number of connections, each
//! concurrency and each run, each contender's server as its own process,
//! then its client as its own process, then stops the server (SIGTERM) and
//! collects both sides' figures. Prints one table per (connections,
//! concurrency) with medians over the runs, ratios to the raw floor and to
//! tonic, CPU per call split client/server, allocations per call and peak
//! RSS of both sides.
//!
//! ```text
//! load-suite [--runs 3] [-c 100,1000] [-n 200000] [--conns 1,4,16] [--only a,b]
//!            [--work-us N] [--smoke] [--idle 10000]
//! ```
//!
//! Each client spreads its `-c` callers over `--conns` connections (caller
//! `i` on connection `i % conns`; the XClient spreads them itself). `--work-us
//! N`: every server's handler first spends N µs of CPU (calibrated once here,
//! the same iterations for every server). `--smoke`: a few thousand calls per
//! contender over 2 connections, one run. Exits non-zero unless every
//! contender answered every call correctly. `--idle N`: also measures each
//! server's RSS while it holds N idle connections.
//!
//! Metrics and tracing: `RPC_BENCH_INSTRUMENT=off|on|prometheus|full` in the
//! environment (default `on`) is inherited by every server and client
//! process (`benches::load::instrumentation`); the overhead is the
//! difference between two runs, e.g.
//! `RPC_BENCH_INSTRUMENT=off load-suite --only rpc-msgpack -c 100` against
//! `RPC_BENCH_INSTRUMENT=full load-suite --only rpc-msgpack -c 100`.

mod idle;
mod options;
mod table;

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;
use std::process::Command;

use benches::load::contenders::Contender;
use benches::load::server_process::{Fields, ServerProcess, parse_fields};
use benches::load::work;

use crate::options::Options;
use crate::table::{Runs, Setting, number};

fn main() -> Result<(), Box<dyn Error>> {
    let options = Options::parse()?;
    let bin = std::env::current_exe()?
        .parent()
        .ok_or("no binary directory")?
        .to_path_buf();
    let work_iters = work::calibrate(options.work_us);
    if options.work_us > 0 {
        eprintln!(
            "handler work: {} µs = {work_iters} iterations on this machine",
            options.work_us
        );
    }
    let order: Vec<&'static str> = options.contenders.iter().map(|c| c.name()).collect();
    let mut failures = Vec::new();
    for &conns in &options.conns {
        for &concurrency in &options.concurrency {
            let setting = Setting {
                conns,
                concurrency,
                total: options.total,
                runs: options.runs,
                work_us: options.work_us,
                work_iters,
            };
            let mut results: BTreeMap<&str, Runs> = BTreeMap::new();
            for run in 1..=options.runs {
                for &contender in &options.contenders {
                    let (client, server) = run_once(&bin, contender, &setting)?;
                    eprintln!(
                        "run {run} conns={conns} c={concurrency} {contender}: {} calls/s, {} errors",
                        client.get("throughput").map_or("?", String::as_str),
                        client.get("errors").map_or("?", String::as_str)
                    );
                    let ok = number(&client, "ok") as u64;
                    let errors = number(&client, "errors") as u64;
                    let expected = (options.total / concurrency * concurrency) as u64;
                    if errors > 0 || ok != expected {
                        failures.push(format!(
                            "{contender} conns={conns} c={concurrency}: ok={ok} of {expected}, errors={errors}"
                        ));
                    }
                    results
                        .entry(contender.name())
                        .or_default()
                        .push((client, server));
                }
            }
            table::print(&setting, &order, &results);
        }
    }
    if let Some(connections) = options.idle {
        idle::idle_connections(&bin, connections)?;
    }
    if failures.is_empty() {
        println!("\nall contenders answered every call correctly");
        Ok(())
    } else {
        Err(format!("wrong or missing answers: {}", failures.join("; ")).into())
    }
}

/// One contender once at `setting`: (client fields, server fields).
fn run_once(
    bin: &Path,
    contender: Contender,
    setting: &Setting,
) -> Result<(Fields, Fields), Box<dyn Error>> {
    let server_args = vec!["--work-iters".to_owned(), setting.work_iters.to_string()];
    let server = ServerProcess::start(bin, contender.server().name(), &server_args)?;
    let output = Command::new(bin.join("bench-client"))
        .arg(contender.name())
        .args(["--addr", server.addr()])
        .args(["-c", &setting.concurrency.to_string()])
        .args(["-n", &setting.total.to_string()])
        .args(["--conns", &setting.conns.to_string()])
        .args(["--server-pid", &server.pid().to_string()])
        .output()?;
    let server_stats = server.stop()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("result "))
        .ok_or_else(|| {
            format!(
                "{contender}: no result; stderr: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    Ok((parse_fields(line), server_stats))
}
