//! What the CLI tests share: a service to call, and the built `rpc` binary
//! run as a child process.

#![allow(dead_code, unreachable_pub)]

use std::process::Stdio;
use std::time::Duration;

use rpc::{Context, Server, ServerHandle, Status};
use tokio::io::AsyncWriteExt as _;

/// Serde types with a JSON Schema.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Args {
    /// First.
    pub a: i64,
    /// Second.
    pub b: i64,
}

/// A serde type without a JSON Schema.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Note {
    /// Anything.
    pub text: String,
}

/// Why `Calc.Take` failed: a typed application error.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Shortage {
    /// Units asked for.
    pub wanted: i64,
    /// Units left.
    pub left: i64,
}

impl rpc::ApplicationError for Shortage {
    fn status(&self) -> Status {
        Status::failed_precondition(format!("only {} left", self.left))
    }
}

/// The service the CLI calls.
#[rpc::service]
pub trait Calc {
    /// `a * b`; echoes the `trace` metadata in the reply's.
    async fn mul(&self, ctx: &Context, args: Args) -> Result<i64, Status>;
    /// `a / b`; `application` on division by zero.
    async fn div(&self, args: Args) -> Result<i64, Status>;
    /// The note back, upper-cased.
    async fn shout(&self, note: Note) -> Result<Note, Status>;
    /// Sleeps the given milliseconds.
    async fn sleep(&self, millis: u64) -> Result<(), Status>;
    /// Takes `a` of the `b` in stock: a [`Shortage`] when `a > b`.
    #[rpc(typed_error)]
    async fn take(&self, args: Args) -> Result<i64, Shortage>;
}

/// The implementation.
pub struct CalcImpl;

impl Calc for CalcImpl {
    async fn mul(&self, ctx: &Context, args: Args) -> Result<i64, Status> {
        if let Some(trace) = ctx.metadata().get("trace") {
            ctx.set_reply_metadata("trace", trace.to_owned());
        }
        Ok(args.a * args.b)
    }
    async fn div(&self, args: Args) -> Result<i64, Status> {
        args.a
            .checked_div(args.b)
            .ok_or_else(|| Status::application("division by zero"))
    }
    async fn shout(&self, note: Note) -> Result<Note, Status> {
        Ok(Note {
            text: note.text.to_uppercase(),
        })
    }
    async fn sleep(&self, millis: u64) -> Result<(), Status> {
        tokio::time::sleep(Duration::from_millis(millis)).await;
        Ok(())
    }
    async fn take(&self, args: Args) -> Result<i64, Shortage> {
        if args.a > args.b {
            return Err(Shortage {
                wanted: args.a,
                left: args.b,
            });
        }
        Ok(args.b - args.a)
    }
}

/// A server of `Calc` on a free loopback port, and its address.
pub async fn calc_server() -> (ServerHandle, String) {
    let server = Server::builder()
        .service(CalcServer::new(CalcImpl))
        .bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = server.local_addr().expect("a TCP address").to_string();
    (server, addr)
}

/// A server of `Calc` that also speaks Go rpcx's protocol, and its address.
pub async fn calc_server_rpcx() -> (ServerHandle, String) {
    let server = Server::builder()
        .rpcx(true)
        .service(CalcServer::new(CalcImpl))
        .bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = server.local_addr().expect("a TCP address").to_string();
    (server, addr)
}

/// What a run of the binary left.
#[derive(Debug)]
pub struct Run {
    /// The exit status (`-1` if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }
}

/// The built `rpc` binary as a command.
pub fn rpc() -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_rpc"));
    command.kill_on_drop(true);
    command
}

/// Runs `rpc args…` to its end (a minute at most) with `stdin` as input.
pub async fn run_with_stdin(args: &[&str], stdin: &str) -> Run {
    let mut child = rpc()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the rpc binary runs");
    let mut input = child.stdin.take().expect("piped stdin");
    input
        .write_all(stdin.as_bytes())
        .await
        .expect("write stdin");
    drop(input);
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("rpc {args:?} did not finish within a minute"))
        .expect("rpc's output");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `rpc args…` to its end with empty input.
pub async fn run(args: &[&str]) -> Run {
    run_with_stdin(args, "").await
}
