//! `rpc describe ADDR SERVICE` / `rpc describe --registry URL SERVICE`.

use rpc::core::reflection::{
    DescribeRequest, REFLECTION_SERVICE, ServiceDescription, TypeDescription,
};
use rpc::{CallOptions, Client, Codec};

use crate::args::DescribeArgs;
use crate::commands::list::print_json;
use crate::exit::Failure;
use crate::reach::one_endpoint;

pub(crate) async fn run(args: DescribeArgs) -> Result<(), Failure> {
    let (client, service) = match (&args.place.registry, args.targets.as_slice()) {
        (None, [addr, service]) => (Client::new(addr.as_str()), service.clone()),
        (Some(url), [service]) => (one_endpoint(url, service).await?, service.clone()),
        _ => {
            return Err(Failure::Usage(
                "rpc describe ADDR SERVICE, or rpc describe --registry URL SERVICE".to_owned(),
            ));
        }
    };
    let description = describe(&client, &service).await?;
    if args.json {
        return print_json(&description);
    }
    println!("service {}", description.name);
    for method in &description.methods {
        let oneway = if method.oneway { "  (oneway)" } else { "" };
        println!(
            "  {}({}) -> {}{oneway}",
            method.name, method.argument.name, method.reply.name
        );
        let codecs = if method.codecs.is_empty() {
            "unknown".to_owned()
        } else {
            method.codecs.join(", ")
        };
        println!("    codecs: {codecs}");
        if let Some(error) = &method.error {
            println!("    typed error: {}", error.name);
        }
        print_schema("argument", &method.argument)?;
        print_schema("reply", &method.reply)?;
        if let Some(error) = &method.error {
            print_schema("error", error)?;
        }
    }
    Ok(())
}

/// `rpc.Reflection.Describe` on one server.
pub(crate) async fn describe(
    client: &Client,
    service: &str,
) -> Result<ServiceDescription, Failure> {
    let request = DescribeRequest {
        service: service.to_owned(),
    };
    let reply = client
        .call_with(
            REFLECTION_SERVICE,
            "Describe",
            &request,
            CallOptions::new().codec(Codec::Json),
        )
        .await?;
    Ok(reply.value)
}

fn print_schema(what: &str, ty: &TypeDescription) -> Result<(), Failure> {
    let Some(schema) = &ty.schema else {
        return Ok(());
    };
    let text = serde_json::to_string_pretty(schema)
        .map_err(|error| Failure::Local(format!("cannot print the schema: {error}")))?;
    println!("    {what} schema:");
    for line in text.lines() {
        println!("      {line}");
    }
    Ok(())
}
