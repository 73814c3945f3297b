//! Writes a CA, a server certificate and a client certificate as PEM files,
//! for trying TLS and mutual TLS with the examples (not for production: the
//! CA key is written beside them).
//!
//! ```text
//! rpc-certs DIR [--name HOST]   # server certificate for HOST (default localhost) and 127.0.0.1
//! ```
//!
//! Writes `ca.pem`, `ca.key`, `server.pem`, `server.key`, `client.pem`,
//! `client.key` (client certificate named `rpc-client`).

use std::error::Error;
use std::path::Path;

use examples::cli::CommandLine;

#[path = "../../../rpc-client/tests/support/certs.rs"]
mod certs;

fn main() -> Result<(), Box<dyn Error>> {
    let line = CommandLine::from_env()?;
    let dir = Path::new(
        line.positional
            .first()
            .ok_or("usage: rpc-certs DIR [--name HOST]")?,
    );
    let name = line.option("name").unwrap_or("localhost");
    std::fs::create_dir_all(dir)?;
    let ca = certs::Ca::new("rpc example CA");
    let server = ca.leaf(
        certs::Role::Server,
        &[name, "127.0.0.1"],
        certs::Validity::Current,
    );
    let client = ca.client("rpc-client");
    for (file, text) in [
        ("ca.pem", &ca.pem.cert),
        ("ca.key", &ca.pem.key),
        ("server.pem", &server.cert),
        ("server.key", &server.key),
        ("client.pem", &client.cert),
        ("client.key", &client.key),
    ] {
        std::fs::write(dir.join(file), text)?;
    }
    println!(
        "wrote a CA, a server certificate for {name} and 127.0.0.1, and a client certificate to {}",
        dir.display()
    );
    Ok(())
}
