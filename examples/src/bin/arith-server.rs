//! Serves `Arith` until Ctrl-C or SIGTERM.
//!
//! ```text
//! arith-server [ADDR] [--registry etcd://127.0.0.1:2379 | static://… | none]
//!              [--weight N] [--group NAME] [--advertise HOST:PORT] [--ttl 5s]
//!              [--admin HOST:PORT]
//!              [--tls-cert server.pem --tls-key server.key [--tls-ca ca.pem]]
//! ```
//!
//! With `--tls-cert`/`--tls-key` the server speaks TLS only (the files are
//! reloaded when they change); `--tls-ca` also requires client certificates
//! signed by that CA (mutual TLS). `rpc-certs DIR` writes a set to try.
//!
//! ADDR defaults to `127.0.0.1:8972`; port 0 picks a free port. With an etcd
//! registry the server announces itself under `/rpc/Arith/tcp@ADDR` (with
//! the real port) and withdraws on shutdown; `--ttl` sets its lease TTL
//! (default 10s; also `etcd://…?ttl=5s`). Prints `listening on ADDR`
//! once bound, so scripts can find the port.
//!
//! The port speaks both this project's protocol and Go rpcx's (told apart
//! by the first byte): rpcx's example client `Arith.Mul` with
//! `Args{A: 7, B: 8}` works against it unchanged.
//!
//! `--admin HOST:PORT` installs the Prometheus exporter as the `metrics`
//! recorder and serves `/metrics`, `/health` and `/ready` there (prints
//! `admin on ADDR`); `curl HOST:PORT/metrics` shows the server's metrics.

use std::error::Error;
use std::io::Write;
use std::sync::Arc;

use examples::cli::CommandLine;
use examples::{ArithImpl, ArithServer};
use rpc::registry::registry_from_url;
use rpc::{EndpointMetadata, Registration, Server};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    examples::init_logging();
    let line = CommandLine::from_env()?;
    let addr = line
        .positional
        .first()
        .map_or("127.0.0.1:8972", String::as_str);
    // `.rpcx(true)`: the same port also speaks Go rpcx's protocol, so rpcx's
    // own example client (`Arith.Mul` with `Args{A, B}`) calls this server.
    let mut builder = Server::builder()
        .rpcx(true)
        .service(ArithServer::new(ArithImpl {
            name: format!("arith-server pid {}", std::process::id()),
        }));
    if let Some(admin) = line.option("admin") {
        // Installed before the server is built: the server resolves its
        // metric handles once, from the recorder installed at that time.
        // Latencies as Prometheus histograms (aggregatable across servers),
        // 100 µs to 10 s.
        let prometheus = metrics_exporter_prometheus::PrometheusBuilder::new()
            .set_buckets_for_metric(
                metrics_exporter_prometheus::Matcher::Suffix("_seconds".into()),
                &[
                    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                    0.5, 1.0, 2.5, 10.0,
                ],
            )?
            .install_recorder()?;
        let render: rpc::MetricsRender = Arc::new(move || prometheus.render());
        builder = builder.admin(admin.parse()?, Some(render));
    }
    if let Some(url) = line.registry_url()?
        && let Some(registry) = registry_from_url(&url).await?
    {
        let mut metadata = EndpointMetadata::new().with("state", "active");
        if let Some(weight) = line.option("weight") {
            metadata.set("weight", weight);
        }
        if let Some(group) = line.option("group") {
            metadata.set("group", group);
        }
        let mut registration = Registration::from_arc(registry).metadata(metadata);
        if let Some(advertise) = line.option("advertise") {
            registration = registration.advertise(advertise);
        }
        builder = builder.registry(registration);
    }
    if let Some(tls) = examples::tls_flags::server_tls(&line)? {
        builder = builder.tls(tls);
    }
    let server = builder.bind(addr).await?;
    println!("listening on {}", server.addr());
    if let Some(admin) = server.admin_addr() {
        println!("admin on {admin}");
    }
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
