//! `rpc`: the command line of the rpc framework. Lists, describes, calls,
//! pings and load-tests services by address or through a registry, watches
//! a registry, and runs the HTTP/JSON gateway in front of a cluster.
//!
//! Exit status: 0 on success; 1 for a local failure (bad JSON, a registry
//! that cannot be read); 2 for a usage error; `10 + code` when a call ends
//! in a status (`docs/PROTOCOL.md` §4: `service_not_found` → 11,
//! `bad_request` → 13, `unavailable` → 20, `application` → 22…; a code this
//! version does not know → 9).

#![forbid(unsafe_code)]

mod args;
mod commands;
mod duration;
mod exit;
mod json_payload;
mod reach;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::from(exit::LOCAL);
        }
    };
    let outcome = runtime.block_on(commands::run(cli));
    // Background tasks (connections, discovery watches) must not hold the
    // exit: they end with the runtime.
    runtime.shutdown_background();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            failure.report();
            ExitCode::from(failure.exit_code())
        }
    }
}
