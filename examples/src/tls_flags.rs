//! The examples' TLS flags: `--tls-cert`, `--tls-key`, `--tls-ca` and
//! `--tls-server-name`.

use rpc::{ClientConfig, ClientTls, ServerTls};

use crate::cli::CommandLine;

/// The server's TLS from `--tls-cert` and `--tls-key` (both or neither),
/// mutual with `--tls-ca`.
pub fn server_tls(line: &CommandLine) -> Result<Option<ServerTls>, String> {
    match (line.option("tls-cert"), line.option("tls-key")) {
        (None, None) => Ok(None),
        (Some(cert), Some(key)) => {
            let builder = ServerTls::from_pem_files(cert, key);
            let builder = match line.option("tls-ca") {
                Some(ca) => builder.client_ca_pem_file(ca),
                None => builder,
            };
            builder.build().map(Some).map_err(|error| error.to_string())
        }
        _ => Err("--tls-cert and --tls-key go together".to_owned()),
    }
}

/// A client configuration trusting `--tls-ca`, presenting `--tls-cert` and
/// `--tls-key` when given; plaintext without `--tls-ca`.
pub fn client_config(line: &CommandLine) -> Result<ClientConfig, String> {
    let Some(ca) = line.option("tls-ca") else {
        return Ok(ClientConfig::default());
    };
    let builder = ClientTls::from_ca_pem_file(ca);
    let builder = match (line.option("tls-cert"), line.option("tls-key")) {
        (None, None) => builder,
        (Some(cert), Some(key)) => builder.identity_pem_files(cert, key),
        _ => return Err("--tls-cert and --tls-key go together".to_owned()),
    };
    let builder = match line.option("tls-server-name") {
        Some(name) => builder.server_name(name),
        None => builder,
    };
    let tls = builder.build().map_err(|error| error.to_string())?;
    ClientConfig::builder()
        .tls(tls)
        .build()
        .map_err(|error| error.to_string())
}
