//! `rpc watch --registry URL SERVICE`: the endpoint set, then each change
//! as discovery reports it, one line each (`+` added, `-` removed, `~`
//! metadata changed), until Ctrl-C.

use rpc::registry::Change;

use crate::args::WatchArgs;
use crate::exit::Failure;
use crate::reach::discovery;

pub(crate) async fn run(args: WatchArgs) -> Result<(), Failure> {
    let discovery = discovery(&args.registry).await?;
    let mut watch = discovery
        .watch(&args.service)
        .await
        .map_err(|error| Failure::Local(format!("registry {}: {error}", args.registry)))?;
    let current = watch.current();
    println!("{}: {} endpoint(s)", args.service, current.len());
    for (id, endpoint) in current.iter() {
        println!("= {id} {}", endpoint.metadata.to_query());
    }
    loop {
        let changes = tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            changes = watch.changes() => changes,
        };
        let Some(changes) = changes else {
            return Err(Failure::Local(
                "the registry stopped reporting changes".to_owned(),
            ));
        };
        for change in changes {
            match change {
                Change::Added(endpoint) => {
                    println!("+ {} {}", endpoint.id(), endpoint.metadata.to_query());
                }
                Change::Removed(id) => println!("- {id}"),
                Change::Updated(endpoint) => {
                    println!("~ {} {}", endpoint.id(), endpoint.metadata.to_query());
                }
            }
        }
    }
}
