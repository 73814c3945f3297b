//! `rpc call [ADDR] SERVICE.METHOD [JSON]`.

use std::io::Read as _;

use bytestring::ByteString;
use rpc::{CallOptions, RawRequest};

use crate::args::CallArgs;
use crate::commands::{metadata, split_method};
use crate::exit::Failure;
use crate::json_payload;
use crate::reach::reach;

pub(crate) async fn run(args: CallArgs) -> Result<(), Failure> {
    let registry = args.place.registry.as_deref();
    let (addr, method, json) = match (registry, args.targets.as_slice()) {
        (None, [addr, method]) => (Some(addr.as_str()), method, None),
        (None, [addr, method, json]) => (Some(addr.as_str()), method, Some(json)),
        (Some(_), [method]) => (None, method, None),
        (Some(_), [method, json]) => (None, method, Some(json)),
        _ => {
            return Err(Failure::Usage(
                "rpc call ADDR SERVICE.METHOD [JSON], or rpc call --registry URL SERVICE.METHOD [JSON]"
                    .to_owned(),
            ));
        }
    };
    let (service, method) = split_method(method)?;
    let codec = args.call.codec.codec()?;
    let json = match json.map(String::as_str) {
        Some("-") | None => read_stdin()?,
        Some(json) => json.to_owned(),
    };
    let payload = json_payload::encode(&json, codec)?;
    let mut options = CallOptions::new().timeout(args.call.timeout).codec(codec);
    options.metadata = metadata(&args.call)?;
    let target = reach(addr, registry, service, args.call.protocol()).await?;
    let reply = target
        .call(RawRequest {
            service: ByteString::from(service),
            method: ByteString::from(method),
            codec,
            payload,
            options,
        })
        .await
        .map_err(|status| Failure::Call {
            status,
            verbose: args.verbose,
            codec: Some(codec),
        })?;
    if args.verbose {
        for (key, value) in reply.metadata.iter() {
            eprintln!("< {key}: {value}");
        }
    }
    let value = json_payload::decode(&reply.payload, codec)?;
    let text = serde_json::to_string_pretty(&value)
        .map_err(|error| Failure::Local(format!("cannot print the reply: {error}")))?;
    println!("{text}");
    Ok(())
}

fn read_stdin() -> Result<String, Failure> {
    let mut json = String::new();
    std::io::stdin()
        .read_to_string(&mut json)
        .map_err(|error| {
            Failure::Local(format!(
                "cannot read the argument from standard input: {error}"
            ))
        })?;
    Ok(json)
}
