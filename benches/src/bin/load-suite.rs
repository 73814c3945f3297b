//! Runs the whole load comparison: for each concurrency and run, each
//! contender's server as its own process, then its client as its own
//! process, then stops the server (SIGTERM) and collects both sides'
//! figures. Prints one table per concurrency with medians over the runs and
//! each contender's throughput as a ratio to the raw floor and to tonic.
//!
//! ```text
//! load-suite [--runs 3] [-c 100,1000] [-n 200000] [--conns 1] [--only a,b] [--smoke] [--idle 10000]
//! ```
//!
//! `--smoke`: a few thousand calls per contender, one run; exits non-zero
//! unless every contender answered every call correctly. `--idle N`: also
//! measures each server's RSS while it holds N idle connections.

use std::collections::BTreeMap;
use std::error::Error;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use benches::load::contenders::Contender;

type Fields = BTreeMap<String, String>;

fn main() -> Result<(), Box<dyn Error>> {
    let options = Options::parse()?;
    let bin = std::env::current_exe()?
        .parent()
        .ok_or("no binary directory")?
        .to_path_buf();
    let mut failures = Vec::new();
    for &concurrency in &options.concurrency {
        let mut results: BTreeMap<&'static str, Vec<(Fields, Fields)>> = BTreeMap::new();
        for run in 1..=options.runs {
            for contender in &options.contenders {
                let (client, server) = run_once(&bin, *contender, concurrency, &options)?;
                eprintln!(
                    "run {run} c={concurrency} {contender}: {} calls/s, {} errors",
                    client.get("throughput").map_or("?", String::as_str),
                    client.get("errors").map_or("?", String::as_str)
                );
                let ok: u64 = number(&client, "ok") as u64;
                let errors: u64 = number(&client, "errors") as u64;
                let expected = (options.total / concurrency * concurrency) as u64;
                if errors > 0 || ok != expected {
                    failures.push(format!(
                        "{contender} c={concurrency}: ok={ok} of {expected}, errors={errors}"
                    ));
                }
                results
                    .entry(contender.name())
                    .or_default()
                    .push((client, server));
            }
        }
        print_table(concurrency, &options, &results);
    }
    if let Some(connections) = options.idle {
        idle_connections(&bin, connections)?;
    }
    if failures.is_empty() {
        println!("\nall contenders answered every call correctly");
        Ok(())
    } else {
        Err(format!("wrong or missing answers: {}", failures.join("; ")).into())
    }
}

struct Options {
    runs: usize,
    concurrency: Vec<usize>,
    total: usize,
    conns: usize,
    contenders: Vec<Contender>,
    idle: Option<usize>,
}

impl Options {
    fn parse() -> Result<Options, Box<dyn Error>> {
        let mut options = Options {
            runs: 3,
            concurrency: vec![100, 1000],
            total: 200_000,
            conns: 1,
            contenders: Contender::ALL.to_vec(),
            idle: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            if flag == "--smoke" {
                options.runs = 1;
                options.concurrency = vec![50];
                options.total = 2_000;
                continue;
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--runs" => options.runs = value.parse()?,
                "-c" => {
                    options.concurrency =
                        value.split(',').map(str::parse).collect::<Result<_, _>>()?
                }
                "-n" => options.total = value.parse()?,
                "--conns" => options.conns = value.parse()?,
                "--only" => {
                    options.contenders =
                        value.split(',').map(str::parse).collect::<Result<_, _>>()?
                }
                "--idle" => options.idle = Some(value.parse()?),
                other => return Err(format!("unknown flag {other}").into()),
            }
        }
        Ok(options)
    }
}

/// Starts `kind`'s server; returns the child and the address it printed.
fn start_server(
    bin: &Path,
    kind: &str,
) -> Result<(Child, String, BufReader<std::process::ChildStdout>), Box<dyn Error>> {
    let mut child = Command::new(bin.join("bench-server"))
        .arg(kind)
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdout = BufReader::new(child.stdout.take().ok_or("no server stdout")?);
    let mut line = String::new();
    stdout.read_line(&mut line)?;
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .ok_or_else(|| format!("unexpected server output {line:?}"))?
        .to_owned();
    Ok((child, addr, stdout))
}

/// Stops a server with SIGTERM and returns its `server-stats` fields.
fn stop_server(
    mut child: Child,
    mut stdout: BufReader<std::process::ChildStdout>,
) -> Result<Fields, Box<dyn Error>> {
    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()?;
    let mut line = String::new();
    stdout.read_line(&mut line)?;
    child.wait()?;
    Ok(fields(
        line.trim().strip_prefix("server-stats ").unwrap_or(""),
    ))
}

fn run_once(
    bin: &Path,
    contender: Contender,
    concurrency: usize,
    options: &Options,
) -> Result<(Fields, Fields), Box<dyn Error>> {
    let (server, addr, stdout) = start_server(bin, contender.server().name())?;
    let output = Command::new(bin.join("bench-client"))
        .arg(contender.name())
        .args(["--addr", &addr])
        .args(["-c", &concurrency.to_string()])
        .args(["-n", &options.total.to_string()])
        .args(["--conns", &options.conns.to_string()])
        .args(["--server-pid", &server.id().to_string()])
        .output()?;
    let server_stats = stop_server(server, stdout)?;
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
    Ok((fields(line), server_stats))
}

fn fields(line: &str) -> Fields {
    line.split_whitespace()
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn number(fields: &Fields, key: &str) -> f64 {
    fields
        .get(key)
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn print_table(
    concurrency: usize,
    options: &Options,
    results: &BTreeMap<&'static str, Vec<(Fields, Fields)>>,
) {
    let med = |name: &str, side: usize, key: &str| -> f64 {
        results.get(name).map_or(f64::NAN, |runs| {
            median(
                runs.iter()
                    .map(|(client, server)| number(if side == 0 { client } else { server }, key))
                    .collect(),
            )
        })
    };
    let raw = med("raw", 0, "throughput");
    let tonic = med("tonic", 0, "throughput");
    println!(
        "\n### c = {concurrency}, {} calls per run, {} connection(s), median of {} run(s)\n",
        options.total, options.conns, options.runs
    );
    println!(
        "| contender | calls/s | × raw | × tonic | mean µs | p50 µs | p99 µs | p99.9 µs | CPU µs/call (client + server) | allocs/call client | allocs/call server | server peak RSS MiB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for contender in &options.contenders {
        let name = contender.name();
        let throughput = med(name, 0, "throughput");
        let ok = med(name, 0, "ok").max(1.0);
        let cpu_per_call =
            (med(name, 0, "client_cpu_ms") + med(name, 0, "server_cpu_ms")) * 1000.0 / ok;
        let answered = med(name, 1, "answered").max(1.0);
        println!(
            "| {name} | {throughput:.0} | {:.2} | {:.2} | {:.0} | {:.0} | {:.0} | {:.0} | {cpu_per_call:.1} | {:.1} | {:.1} | {:.1} |",
            throughput / raw,
            throughput / tonic,
            med(name, 0, "mean_us"),
            med(name, 0, "p50_us"),
            med(name, 0, "p99_us"),
            med(name, 0, "p999_us"),
            med(name, 0, "client_allocs_per_call"),
            med(name, 1, "allocations") / answered,
            med(name, 1, "peak_rss") / 1_048_576.0,
        );
    }
}

/// RSS of each server before and while it holds `connections` idle connections.
fn idle_connections(bin: &Path, connections: usize) -> Result<(), Box<dyn Error>> {
    println!("\n### {connections} idle connections\n");
    println!("| server | RSS before MiB | RSS with connections MiB | KiB per connection |");
    println!("|---|---|---|---|");
    for kind in ["raw", "rpc", "tarpc", "tonic"] {
        let (server, addr, stdout) = start_server(bin, kind)?;
        let pid = server.id().to_string();
        std::thread::sleep(std::time::Duration::from_millis(200));
        let before = benches::load::process::status_bytes(&pid, "VmRSS").unwrap_or(0);
        let mut held = Vec::with_capacity(connections);
        for _ in 0..connections {
            match std::net::TcpStream::connect(&addr) {
                Ok(stream) => held.push(stream),
                Err(error) => {
                    eprintln!("{kind}: stopped at {} connections: {error}", held.len());
                    break;
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_secs(2));
        let after = benches::load::process::status_bytes(&pid, "VmRSS").unwrap_or(0);
        let per = (after.saturating_sub(before)) as f64 / held.len().max(1) as f64 / 1024.0;
        println!(
            "| {kind} | {:.1} | {:.1} | {per:.1} |",
            before as f64 / 1_048_576.0,
            after as f64 / 1_048_576.0
        );
        drop(held);
        stop_server(server, stdout)?;
    }
    Ok(())
}
