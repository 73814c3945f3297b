//! rpcx-rs's client and server, driven from the command line:
//!
//! ```text
//! rpcx-rs-peer serve                       # prints "listening on ADDR", serves Arith.Mul until killed
//! rpcx-rs-peer call ADDR CODEC COMPRESS METHOD A B
//!     # CODEC json|msgpack, COMPRESS none|gzip; prints "C=<n>" or "error: <message>"
//! rpcx-rs-peer oneway ADDR A               # a oneway Arith.Mul, then a call; prints "C=<n>"
//! ```
//!
//! The service and the types follow rpcx-rs's own `mul_model` and
//! `server_mul` examples (`Arith.Mul`, `{A, B}` → `{C}`).

#![allow(deprecated)] // rpcx_derive's generated code calls Error::description.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::io::Write;
use std::net::TcpListener;

use rmp_serde as rmps;
use rpcx_client::Client;
use rpcx_derive::RpcxParam;
use rpcx_protocol::{CompressType, Error, ErrorKind, Result, RpcxParam, SerializeType};
use rpcx_server::{register_func, RpcxFn, Server};
use serde::{Deserialize, Serialize};

/// rpcx's example argument.
#[derive(RpcxParam, Default, Debug, Copy, Clone, Serialize, Deserialize)]
pub struct ArithArgs {
    #[serde(rename = "A")]
    pub a: u64,
    #[serde(rename = "B")]
    pub b: u64,
}

/// rpcx's example reply.
#[derive(RpcxParam, Default, Debug, Copy, Clone, Serialize, Deserialize)]
pub struct ArithReply {
    #[serde(rename = "C")]
    pub c: u64,
}

fn mul(args: ArithArgs) -> ArithReply {
    ArithReply { c: args.a * args.b }
}

fn serve() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let mut server = Server::new(addr.to_string(), 2);
    register_func!(
        server,
        "Arith",
        "Mul",
        mul,
        String::new(),
        ArithArgs,
        ArithReply
    );
    println!("listening on {}", addr);
    std::io::stdout().flush().expect("stdout");
    if let Err(error) = server.start_with_listener(listener) {
        eprintln!("server stopped: {}", error);
    }
}

fn client(addr: &str, codec: &str, compress: &str) -> Client {
    let mut client = Client::new(addr);
    client.start().expect("connect");
    client.opt.serialize_type = match codec {
        "json" => SerializeType::JSON,
        "msgpack" => SerializeType::MsgPack,
        other => panic!("unknown codec {}", other),
    };
    client.opt.compress_type = match compress {
        "gzip" => CompressType::Gzip,
        _ => CompressType::CompressNone,
    };
    client
}

fn show(reply: Option<Result<ArithReply>>) {
    match reply {
        Some(Ok(reply)) => println!("C={}", reply.c),
        Some(Err(error)) => println!("error: {}", error),
        None => println!("no reply"),
    }
}

fn number(text: &str) -> u64 {
    text.parse().expect("a number")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let metadata = HashMap::new();
    match args.as_slice() {
        ["serve"] => serve(),
        ["call", addr, codec, compress, method, a, b] => {
            let mut client = client(addr, codec, compress);
            let args = ArithArgs {
                a: number(a),
                b: number(b),
            };
            show(client.call("Arith", method, false, &metadata, &args));
        }
        ["oneway", addr, a] => {
            let mut client = client(addr, "json", "none");
            let args = ArithArgs { a: number(a), b: 1 };
            let none: Option<Result<ArithReply>> =
                client.call("Arith", "Mul", true, &metadata, &args);
            assert!(none.is_none());
            show(client.call(
                "Arith",
                "Mul",
                false,
                &metadata,
                &ArithArgs { a: number(a), b: 2 },
            ));
        }
        _ => {
            eprintln!(
                "usage: rpcx-rs-peer serve | call ADDR CODEC COMPRESS METHOD A B | oneway ADDR A"
            );
            std::process::exit(2);
        }
    }
}
