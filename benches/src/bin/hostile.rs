//! The hostile-traffic harness of issue 10: starts a real `bench-server rpc`
//! as a child process (a fresh one per attack) and, over 127.0.0.1, measures
//! a well-behaved bystander connection while each attack runs, then the
//! server's memory under connection churn.
//!
//! ```text
//! hostile [--quick] [--only baseline,metadata,gzip,slowloris,slow_body,oversized,memory]
//!         [--bystander-c 1] [--sustained-secs 10] [--slow-secs 30] [--rounds 12]
//!         [--round-conns 2000] [--strict]
//! ```
//!
//! Prints one `key=value` line per measurement (`hostile attack=…`,
//! `memory phase=…`), then a table. Exits non-zero if the server died, a
//! bystander call failed outside the oversized-frame attack, or a ping of
//! the memory rounds went unanswered; with `--strict`, also if the
//! oversized frames cost the bystander its connection (today's behaviour).

use std::error::Error;
use std::path::{Path, PathBuf};

use benches::hostile::bystander::Bystander;
use benches::hostile::report::{Measurement, print_table};
use benches::hostile::{
    Scale, gzip_bomb, memory_rounds, metadata_flood, oversized_frame, slow_body, slowloris,
};
use benches::load::server_process::ServerProcess;

const ATTACKS: [&str; 7] = [
    "baseline",
    "metadata",
    "gzip",
    "slowloris",
    "slow_body",
    "oversized",
    "memory",
];

struct Options {
    scale: Scale,
    only: Vec<String>,
    strict: bool,
}

fn parse() -> Result<Options, Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut options = Options {
        scale: if args.iter().any(|a| a == "--quick") {
            Scale::quick()
        } else {
            Scale::full()
        },
        only: ATTACKS.iter().map(|a| (*a).to_owned()).collect(),
        strict: false,
    };
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--quick" => continue,
            "--strict" => {
                options.strict = true;
                continue;
            }
            _ => {}
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let scale = &mut options.scale;
        match flag.as_str() {
            "--only" => {
                options.only = value.split(',').map(str::to_owned).collect();
                if let Some(unknown) = options.only.iter().find(|a| !ATTACKS.contains(&a.as_str()))
                {
                    return Err(format!("unknown attack {unknown:?}; known: {ATTACKS:?}").into());
                }
            }
            "--bystander-c" => scale.bystander_concurrency = value.parse()?,
            "--sustained-secs" => scale.sustained = std::time::Duration::from_secs(value.parse()?),
            "--slow-secs" => scale.slow_duration = std::time::Duration::from_secs(value.parse()?),
            "--rounds" => scale.rounds = value.parse()?,
            "--round-conns" => scale.round_connections = value.parse()?,
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    Ok(options)
}

fn main() -> Result<(), Box<dyn Error>> {
    let options = parse()?;
    let bin: PathBuf = std::env::current_exe()?
        .parent()
        .ok_or("no binary directory")?
        .to_path_buf();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let problems = runtime.block_on(run(&bin, &options))?;
    runtime.shutdown_background();
    if problems.is_empty() {
        println!("\nhostile: every check held");
        Ok(())
    } else {
        Err(format!("hostile: {}", problems.join("; ")).into())
    }
}

/// Runs the selected attacks; returns what failed the run.
async fn run(bin: &Path, options: &Options) -> Result<Vec<String>, Box<dyn Error>> {
    let scale = &options.scale;
    let mut measurements: Vec<Measurement> = Vec::new();
    let mut problems = Vec::new();
    for attack in ATTACKS
        .iter()
        .filter(|a| options.only.iter().any(|o| o == *a))
    {
        let mut server = ServerProcess::start(bin, "rpc", &[])?;
        let addr = server.addr().to_owned();
        if *attack == "memory" {
            let report = memory_rounds::run(&addr, server.pid(), scale).await;
            for line in report.lines() {
                println!("{line}");
            }
            if report.failed_pings > 0 {
                problems.push(format!(
                    "{} pings unanswered in the memory rounds",
                    report.failed_pings
                ));
            }
        } else {
            let bystander = Bystander::connect(&addr, scale.bystander_concurrency).await?;
            let found = match *attack {
                "baseline" => vec![baseline(&bystander, scale).await],
                "metadata" => metadata_flood::run(&addr, &bystander, scale).await,
                "gzip" => gzip_bomb::run(&addr, &bystander, scale).await,
                "slowloris" => slowloris::run(&addr, &bystander, scale).await,
                "slow_body" => slow_body::run(&addr, &bystander, scale).await,
                _ => oversized_frame::run(&addr, scale).await,
            };
            for measurement in found {
                println!("{}", measurement.line());
                let oversized = measurement.attack == "oversized_frame";
                if measurement.bystander.errors > 0 && (!oversized || options.strict) {
                    problems.push(format!(
                        "{}: {} bystander calls failed (first: {})",
                        measurement.attack,
                        measurement.bystander.errors,
                        measurement.bystander.first_error.as_deref().unwrap_or("?")
                    ));
                }
                measurements.push(measurement);
            }
        }
        if server.has_exited() {
            problems.push(format!("the server died during {attack}"));
        }
        server.stop()?;
    }
    print_table(&measurements);
    Ok(problems)
}

/// The bystander alone: the reference for every attack's figures.
async fn baseline(bystander: &Bystander, scale: &Scale) -> Measurement {
    let running = bystander.start();
    tokio::time::sleep(scale.baseline).await;
    Measurement {
        attack: "baseline".to_owned(),
        bystander: running.stop().await,
        attacker: None,
        extra: Vec::new(),
    }
}
