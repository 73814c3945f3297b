//! Calls the `Arith` server at the address given on the command line
//! (default `127.0.0.1:8972`) with each codec and prints the results. Exits
//! non-zero if any call gives a wrong answer or fails unexpectedly.

use std::error::Error;

use examples::{Args, ArithClient};
use rpc::{CallOptions, Client, Codec};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    examples::init_logging();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8972".into());
    let client = ArithClient::new(Client::new(addr.clone()));
    for (codec, (a, b)) in [Codec::Json, Codec::MsgPack, Codec::Protobuf]
        .into_iter()
        .zip([(7, 8), (-3, 9), (123_456, 1_000)])
    {
        let reply = client
            .mul_with(&Args { a, b }, CallOptions::new().codec(codec))
            .await?;
        if reply.value.c != a * b {
            return Err(format!("{codec}: {a} * {b} came back as {}", reply.value.c).into());
        }
        println!(
            "Arith.mul({a}, {b}) = {} via {codec} from {addr} ({})",
            reply.value.c,
            reply.metadata.get("served-by").unwrap_or("?")
        );
    }
    let quotient = client.div(&Args { a: 84, b: 2 }).await?;
    println!("Arith.div(84, 2) = {}", quotient.c);
    match client.div(&Args { a: 1, b: 0 }).await {
        Err(status) if status.code() == rpc::Code::Application => {
            println!("Arith.div(1, 0) -> {status}")
        }
        other => {
            return Err(
                format!("Arith.div(1, 0) should be an application error: {other:?}").into(),
            );
        }
    }
    Ok(())
}
