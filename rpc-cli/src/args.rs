//! The command line, as clap parses it.

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::duration;
use crate::json_payload::CliCodec;

/// Reach services of the rpc framework from a shell.
#[derive(Debug, Parser)]
#[command(name = "rpc", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Services of a server (ADDR), or services and endpoints of a registry.
    #[command(override_usage = "rpc list ADDR\n       rpc list --registry URL [SERVICE]")]
    List(ListArgs),
    /// Methods of a service: wire names, types, codecs, JSON Schemas.
    #[command(
        override_usage = "rpc describe ADDR SERVICE\n       rpc describe --registry URL SERVICE"
    )]
    Describe(DescribeArgs),
    /// Calls SERVICE.METHOD with a JSON argument and prints the reply as JSON.
    #[command(
        override_usage = "rpc call [OPTIONS] ADDR SERVICE.METHOD [JSON]\n       rpc call [OPTIONS] --registry URL SERVICE.METHOD [JSON]"
    )]
    Call(CallArgs),
    /// Prints a service's endpoints, then every change as it happens.
    Watch(WatchArgs),
    /// Sends protocol pings to a server and prints the round-trip times.
    Ping(PingArgs),
    /// Load-tests a method and draws a latency histogram.
    Bench(BenchArgs),
    /// Runs the HTTP/JSON gateway in front of the services of a registry.
    Gateway(GatewayArgs),
}

/// Where the services are: an address, or a registry.
#[derive(Debug, Args)]
pub(crate) struct Where {
    /// A registry instead of an address: etcd://host:port/base or static://host:port,…
    #[arg(long, value_name = "URL")]
    pub(crate) registry: Option<String>,
}

/// `rpc list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    pub(crate) place: Where,
    /// The server's address (host:port), unless --registry is given; with
    /// --registry, an optional service to list alone.
    pub(crate) target: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `rpc describe`.
#[derive(Debug, Args)]
pub(crate) struct DescribeArgs {
    #[command(flatten)]
    pub(crate) place: Where,
    /// ADDR SERVICE, or SERVICE alone with --registry.
    #[arg(required = true, num_args = 1..=2, value_name = "ARGS")]
    pub(crate) targets: Vec<String>,
    /// Print the description as JSON (what reflection answered).
    #[arg(long)]
    pub(crate) json: bool,
}

/// `rpc call`.
#[derive(Debug, Args)]
pub(crate) struct CallArgs {
    #[command(flatten)]
    pub(crate) place: Where,
    /// ADDR SERVICE.METHOD JSON, or SERVICE.METHOD JSON with --registry.
    /// Without JSON (or with -), the argument is read from standard input.
    #[arg(required = true, num_args = 1..=3, value_name = "ARGS")]
    pub(crate) targets: Vec<String>,
    #[command(flatten)]
    pub(crate) call: CallOptionsArgs,
    /// Print the reply metadata (and an error's) on standard error.
    #[arg(short, long)]
    pub(crate) verbose: bool,
}

/// Options shared by `call` and `bench`.
#[derive(Debug, Args)]
pub(crate) struct CallOptionsArgs {
    /// The payload codec.
    #[arg(long, value_enum, default_value = "json")]
    pub(crate) codec: CliCodec,
    /// Metadata to send, as key=value (repeatable).
    #[arg(short = 'H', long = "header", value_name = "KEY=VALUE")]
    pub(crate) headers: Vec<String>,
    /// The call's timeout (sent as its deadline), e.g. 500ms, 5s.
    #[arg(long, default_value = "10s", value_parser = duration::parse)]
    pub(crate) timeout: Duration,
    /// Speak Go rpcx's protocol: to a Go rpcx server, or (with --registry)
    /// to the endpoints whose metadata names no protocol.
    #[arg(long)]
    pub(crate) rpcx: bool,
}

impl CallOptionsArgs {
    /// The protocol `--rpcx` asks for.
    pub(crate) fn protocol(&self) -> rpc::Protocol {
        if self.rpcx {
            rpc::Protocol::Rpcx
        } else {
            rpc::Protocol::Native
        }
    }
}

/// `rpc watch`.
#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    /// The registry to watch: etcd://host:port/base (the base is optional).
    #[arg(long, value_name = "URL", required = true)]
    pub(crate) registry: String,
    /// The service whose endpoints to follow.
    pub(crate) service: String,
}

/// `rpc ping`.
#[derive(Debug, Args)]
pub(crate) struct PingArgs {
    /// The server's address (host:port).
    pub(crate) addr: String,
    /// How many pings to send.
    #[arg(short = 'c', long, default_value_t = 1)]
    pub(crate) count: u32,
    /// Time to wait for each pong.
    #[arg(long, default_value = "5s", value_parser = duration::parse)]
    pub(crate) timeout: Duration,
}

/// `rpc bench`.
#[derive(Debug, Args)]
pub(crate) struct BenchArgs {
    /// The server's address (host:port).
    pub(crate) addr: String,
    /// The method to call, as SERVICE.METHOD.
    pub(crate) method: String,
    /// The argument, as JSON.
    pub(crate) json: String,
    /// Concurrent callers.
    #[arg(short = 'c', long, default_value_t = 10)]
    pub(crate) concurrency: usize,
    /// Calls in all.
    #[arg(short = 'n', long, default_value_t = 10_000)]
    pub(crate) calls: u64,
    /// Connections the callers share.
    #[arg(long, default_value_t = 1)]
    pub(crate) conns: usize,
    #[command(flatten)]
    pub(crate) call: CallOptionsArgs,
    /// No progress bar (for logs and scripts).
    #[arg(long)]
    pub(crate) quiet: bool,
}

/// `rpc gateway`.
#[derive(Debug, Args)]
pub(crate) struct GatewayArgs {
    /// The registry whose services to serve: etcd://… or static://….
    #[arg(long, value_name = "URL", required = true)]
    pub(crate) registry: String,
    /// The HTTP address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub(crate) listen: String,
    /// The largest request body, in bytes.
    #[arg(long, default_value_t = 4 * 1024 * 1024)]
    pub(crate) max_body: usize,
    /// Each call's timeout.
    #[arg(long, default_value = "30s", value_parser = duration::parse)]
    pub(crate) timeout: Duration,
    /// An origin browsers may call from (repeatable; `*` for any).
    #[arg(long = "cors", value_name = "ORIGIN")]
    pub(crate) cors: Vec<String>,
}
