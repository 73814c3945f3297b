//! The one-process quickstart: starts an `Arith` server on a free loopback
//! port, calls it through the typed client in each codec, shows an
//! application error, and shuts the server down gracefully.

use std::error::Error;

use examples::{Args, ArithClient, ArithImpl, ArithServer};
use rpc::{CallOptions, Client, Codec, Compression, CompressionPolicy, Server};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    examples::init_logging();
    let server = Server::builder()
        .service(ArithServer::new(ArithImpl {
            name: "quickstart".into(),
        }))
        .bind("127.0.0.1:0")
        .await?;
    let addr = server.local_addr().ok_or("the server has no TCP address")?;
    println!("server: Arith listening on {addr}");

    let client = ArithClient::new(Client::new(addr.to_string()));
    let args = Args { a: 7, b: 8 };
    for codec in [Codec::Json, Codec::MsgPack, Codec::Protobuf] {
        let options = CallOptions::new()
            .codec(codec)
            .metadata("trace-id", "quickstart-1");
        let reply = client.mul_with(&args, options).await?;
        println!(
            "client: Arith.mul({}, {}) = {:<3} codec {codec:<8} served by {}",
            args.a,
            args.b,
            reply.value.c,
            reply.metadata.get("served-by").unwrap_or("?"),
        );
    }
    let compressed = CallOptions::new()
        .codec(Codec::MsgPack)
        .compression(CompressionPolicy::new(Compression::Zstd).with_threshold(0));
    let reply = client.mul_with(&Args { a: 6, b: 7 }, compressed).await?;
    println!(
        "client: Arith.mul(6, 7) = {}  (msgpack, zstd-compressed)",
        reply.value.c
    );

    match client.div(&Args { a: 1, b: 0 }).await {
        Ok(reply) => return Err(format!("1 / 0 should fail, got {}", reply.c).into()),
        Err(status) => println!("client: Arith.div(1, 0) failed as expected: {status}"),
    }

    server.shutdown_and_wait().await;
    println!("server: stopped");
    Ok(())
}
