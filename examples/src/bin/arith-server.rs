//! Serves `Arith` on the address given on the command line (default
//! `127.0.0.1:8972`; port 0 picks a free port) until Ctrl-C or SIGTERM.
//!
//! Prints `listening on ADDR` once bound, so scripts can find the port.

use std::error::Error;
use std::io::Write;

use examples::{ArithImpl, ArithServer};
use rpc::Server;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    examples::init_logging();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8972".into());
    let server = Server::builder()
        .service(ArithServer::new(ArithImpl {
            name: format!("arith-server pid {}", std::process::id()),
        }))
        .bind(&addr)
        .await?;
    println!("listening on {}", server.addr());
    std::io::stdout().flush()?;
    shutdown_signal().await;
    println!("shutting down");
    server.shutdown_and_wait().await;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
