//! Calls an `Arith` server with each codec and prints the results. Exits
//! non-zero if any call gives a wrong answer or fails unexpectedly.
//!
//! ```text
//! arith-client [ADDR]                               # one server, default 127.0.0.1:8972
//! arith-client --registry etcd://127.0.0.1:2379     # discover the servers in etcd
//!              [--ttl 5s]                           # the servers' lease TTL (sets the hold)
//! arith-client --registry static://HOST:PORT,…      # a fixed list
//!              [--tls-ca ca.pem [--tls-cert client.pem --tls-key client.key]]
//!              [--tls-server-name NAME]
//! ```
//!
//! With a registry it calls every active endpoint discovered (the
//! load-balancing client comes with the XClient).

use std::error::Error;

use examples::cli::CommandLine;
use examples::{Args, ArithClient, Reply};
use rpc::registry::discovery_from_url;
use rpc::{CallOptions, Client, Codec};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    examples::init_logging();
    let line = CommandLine::from_env()?;
    let addresses: Vec<String> = match line.registry_url()? {
        Some(url) => {
            let discovery = discovery_from_url(&url).await?;
            let view = discovery.watch("Arith").await?;
            let endpoints = view.current();
            println!(
                "discovered {} Arith endpoint(s) in the registry",
                endpoints.len()
            );
            endpoints
                .values()
                .filter(|endpoint| endpoint.metadata.is_active())
                .map(|endpoint| endpoint.address.clone())
                .collect()
        }
        None => vec![
            line.positional
                .first()
                .cloned()
                .unwrap_or_else(|| "127.0.0.1:8972".into()),
        ],
    };
    if addresses.is_empty() {
        return Err("no active Arith endpoint".into());
    }
    for addr in addresses {
        call_all(&addr, examples::tls_flags::client_config(&line)?).await?;
    }
    Ok(())
}

async fn call_all(addr: &str, config: rpc::ClientConfig) -> Result<(), Box<dyn Error>> {
    let client = ArithClient::new(Client::with_config(
        rpc::Target::Tcp(addr.to_owned()),
        config,
    ));
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
            "Arith.Mul({a}, {b}) = {} via {codec} from {addr} ({})",
            reply.value.c,
            reply.metadata.get("served-by").unwrap_or("?")
        );
    }
    // A dynamic call names the method as every client on the wire does,
    // Go rpcx clients included: `Mul`, the Rust `mul` in UpperCamelCase.
    let by_name: Reply = client
        .channel()
        .call("Arith", "Mul", &Args { a: 6, b: 7 })
        .await?;
    if by_name.c != 42 {
        return Err(format!("Arith.Mul(6, 7) by name came back as {}", by_name.c).into());
    }
    println!("Arith.Mul(6, 7) = {} (called by wire name)", by_name.c);
    let quotient = client.div(&Args { a: 84, b: 2 }).await?;
    println!("Arith.Div(84, 2) = {}", quotient.c);
    match client.div(&Args { a: 1, b: 0 }).await {
        Err(status) if status.code() == rpc::Code::Application => {
            println!("Arith.Div(1, 0) -> {status}")
        }
        other => {
            return Err(
                format!("Arith.Div(1, 0) should be an application error: {other:?}").into(),
            );
        }
    }
    Ok(())
}
