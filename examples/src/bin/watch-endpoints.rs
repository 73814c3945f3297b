//! Prints the live endpoint set of a service as it changes, until Ctrl-C
//! (or, with `--changes N`, after N changes).
//!
//! ```text
//! watch-endpoints --registry etcd://127.0.0.1:2379 [SERVICE] [--changes N] [--ttl 5s]
//! ```
//!
//! `--ttl` is the servers' lease TTL: when most endpoints vanish at once,
//! discovery keeps them for two TTLs (self-preservation).

use std::error::Error;

use examples::cli::CommandLine;
use rpc::registry::{Change, discovery_from_url};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    examples::init_logging();
    let line = CommandLine::from_env()?;
    let url = line
        .registry_url()?
        .ok_or("usage: watch-endpoints --registry URL [SERVICE] [--changes N] [--ttl 5s]")?;
    let service = line.positional.first().map_or("Arith", String::as_str);
    let limit: Option<usize> = line.option("changes").map(str::parse).transpose()?;
    let discovery = discovery_from_url(&url).await?;
    let mut view = discovery.watch(service).await?;
    println!("{service}: {} endpoint(s)", view.current().len());
    for endpoint in view.current().values() {
        println!("  {endpoint}  {}", endpoint.metadata.to_query());
    }
    let mut seen = 0;
    while limit.is_none_or(|limit| seen < limit) {
        let changes = tokio::select! {
            changes = view.changes() => changes,
            _ = tokio::signal::ctrl_c() => break,
        };
        let Some(changes) = changes else { break };
        for change in changes {
            seen += 1;
            match change {
                Change::Added(endpoint) => {
                    println!("+ {endpoint}  {}", endpoint.metadata.to_query())
                }
                Change::Updated(endpoint) => {
                    println!("~ {endpoint}  {}", endpoint.metadata.to_query())
                }
                Change::Removed(id) => println!("- {id}"),
            }
        }
        println!("{service}: {} endpoint(s)", view.current().len());
    }
    Ok(())
}
