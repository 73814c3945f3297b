//! The `Arith` service shared by the examples: its argument and reply types
//! derive both serde and prost, so it speaks JSON, msgpack and protobuf.
//!
//! They are rpcx's own example types (`Args {A, B}`, `Reply {C}` in
//! rpcx-examples' root package): serde writes the fields as `A`, `B` and
//! `C`, the names Go's `encoding/json` and `vmihailenco/msgpack` use for the
//! declared fields, so a Go rpcx example client calls `arith-server`
//! unchanged. On input the lowercase `a`, `b`, `c` are accepted too.

#![forbid(unsafe_code)]

pub mod cli;
pub mod tls_flags;

use rpc::{Context, Status};

/// Two operands.
#[derive(Clone, Copy, PartialEq, Eq, prost::Message, serde::Serialize, serde::Deserialize)]
pub struct Args {
    /// The left operand.
    #[prost(int64, tag = "1")]
    #[serde(rename = "A", alias = "a")]
    pub a: i64,
    /// The right operand.
    #[prost(int64, tag = "2")]
    #[serde(rename = "B", alias = "b")]
    pub b: i64,
}

/// A result.
#[derive(Clone, Copy, PartialEq, Eq, prost::Message, serde::Serialize, serde::Deserialize)]
pub struct Reply {
    /// The value.
    #[prost(int64, tag = "1")]
    #[serde(rename = "C", alias = "c")]
    pub c: i64,
}

/// Integer arithmetic, rpcx's classic example service. On the wire its
/// methods are `Arith.Mul` and `Arith.Div`, as in rpcx's Go examples.
#[rpc::service]
pub trait Arith {
    /// `a * b`; the reply carries a `served-by` metadata entry.
    async fn mul(&self, ctx: &Context, args: Args) -> Result<Reply, Status>;

    /// `a / b`; dividing by zero is an application error.
    async fn div(&self, args: Args) -> Result<Reply, Status>;
}

/// The implementation the example servers serve.
#[derive(Debug, Clone)]
pub struct ArithImpl {
    /// Names this server in reply metadata.
    pub name: String,
}

impl Arith for ArithImpl {
    async fn mul(&self, ctx: &Context, args: Args) -> Result<Reply, Status> {
        ctx.set_reply_metadata("served-by", self.name.clone());
        let c = args
            .a
            .checked_mul(args.b)
            .ok_or_else(|| Status::bad_request("the product overflows i64"))?;
        Ok(Reply { c })
    }

    async fn div(&self, args: Args) -> Result<Reply, Status> {
        if args.b == 0 {
            return Err(Status::application("division by zero"));
        }
        Ok(Reply { c: args.a / args.b })
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (default: warnings).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
