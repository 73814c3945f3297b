//! `rpc list ADDR` (reflection) and `rpc list --registry URL [SERVICE]`.

use rpc::core::reflection::{REFLECTION_SERVICE, ServiceList};
use rpc::{CallOptions, Client, Codec};

use crate::args::ListArgs;
use crate::commands::registry_listing;
use crate::exit::Failure;

pub(crate) async fn run(args: ListArgs) -> Result<(), Failure> {
    match (&args.place.registry, &args.target) {
        (Some(url), service) => registry_listing::print(url, service.as_deref(), args.json).await,
        (None, Some(addr)) => {
            let list = list_services(&Client::new(addr.as_str())).await?;
            if args.json {
                print_json(&list)?;
            } else {
                for service in &list.services {
                    println!("{}", service.name);
                    for method in &service.methods {
                        println!("  {}.{method}", service.name);
                    }
                }
            }
            Ok(())
        }
        (None, None) => Err(Failure::Usage(
            "rpc list ADDR, or rpc list --registry URL".to_owned(),
        )),
    }
}

/// `rpc.Reflection.List` on one server.
pub(crate) async fn list_services(client: &Client) -> Result<ServiceList, Failure> {
    let reply = client
        .call_with(
            REFLECTION_SERVICE,
            "List",
            &(),
            CallOptions::new().codec(Codec::Json),
        )
        .await?;
    Ok(reply.value)
}

/// Pretty JSON on standard output.
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|error| Failure::Local(format!("cannot print JSON: {error}")))?;
    println!("{text}");
    Ok(())
}
