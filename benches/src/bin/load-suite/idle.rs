//! `--idle N`: each server's RSS before and while it holds N idle connections.

use std::error::Error;
use std::path::Path;
use std::time::Duration;

use benches::load::process::status_bytes;
use benches::load::server_process::ServerProcess;

pub(crate) fn idle_connections(bin: &Path, connections: usize) -> Result<(), Box<dyn Error>> {
    println!("\n### {connections} idle connections\n");
    println!("| server | RSS before MiB | RSS with connections MiB | KiB per connection |");
    println!("|---|---|---|---|");
    for kind in ["raw", "rpc", "tarpc", "tonic"] {
        let server = ServerProcess::start(bin, kind, &[])?;
        let pid = server.pid().to_string();
        std::thread::sleep(Duration::from_millis(200));
        let before = status_bytes(&pid, "VmRSS").unwrap_or(0);
        let mut held = Vec::with_capacity(connections);
        for _ in 0..connections {
            match std::net::TcpStream::connect(server.addr()) {
                Ok(stream) => held.push(stream),
                Err(error) => {
                    eprintln!("{kind}: stopped at {} connections: {error}", held.len());
                    break;
                }
            }
        }
        std::thread::sleep(Duration::from_secs(2));
        let after = status_bytes(&pid, "VmRSS").unwrap_or(0);
        let per = (after.saturating_sub(before)) as f64 / held.len().max(1) as f64 / 1024.0;
        println!(
            "| {kind} | {:.1} | {:.1} | {per:.1} |",
            before as f64 / 1_048_576.0,
            after as f64 / 1_048_576.0
        );
        drop(held);
        server.stop()?;
    }
    Ok(())
}
