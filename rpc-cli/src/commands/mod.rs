//! One module per subcommand; [`run`] picks it.

mod bench;
mod call;
mod describe;
mod gateway;
mod histogram;
mod list;
mod ping;
mod registry_listing;
mod watch;

use rpc::Metadata;

use crate::args::{CallOptionsArgs, Cli, Command};
use crate::exit::Failure;

/// Runs the parsed command line.
pub(crate) async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::List(args) => list::run(args).await,
        Command::Describe(args) => describe::run(args).await,
        Command::Call(args) => call::run(args).await,
        Command::Watch(args) => watch::run(args).await,
        Command::Ping(args) => ping::run(args).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Gateway(args) => gateway::run(args).await,
    }
}

/// `SERVICE.METHOD` split at its last dot (service names may hold dots:
/// `rpc.Reflection.List`).
pub(crate) fn split_method(text: &str) -> Result<(&str, &str), Failure> {
    match text.rsplit_once('.') {
        Some((service, method)) if !service.is_empty() && !method.is_empty() => {
            Ok((service, method))
        }
        _ => Err(Failure::Usage(format!("{text:?} is not SERVICE.METHOD"))),
    }
}

/// The `-H key=value` metadata.
pub(crate) fn metadata(options: &CallOptionsArgs) -> Result<Metadata, Failure> {
    let mut metadata = Metadata::default();
    for header in &options.headers {
        let (key, value) = header
            .split_once('=')
            .ok_or_else(|| Failure::Usage(format!("-H {header:?} is not KEY=VALUE")))?;
        metadata.insert(key.to_owned(), value.to_owned());
    }
    Ok(metadata)
}
