//! `rpc gateway --registry URL --listen ADDR`: the HTTP/JSON gateway in
//! front of every service of a registry, each through its own `XClient`.

use std::sync::Arc;

use rpc_gateway::{Gateway, GatewayConfig, XClientBackend};
use tokio_util::sync::CancellationToken;

use crate::args::GatewayArgs;
use crate::exit::Failure;
use crate::reach::discovery;

pub(crate) async fn run(args: GatewayArgs) -> Result<(), Failure> {
    let discovery = discovery(&args.registry).await?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|error| Failure::Local(format!("cannot listen on {}: {error}", args.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|error| Failure::Local(format!("listener address: {error}")))?;
    let config = GatewayConfig::builder()
        .max_body_bytes(args.max_body)
        .call_timeout(args.timeout)
        .allowed_origins(args.cors)
        .build()
        .map_err(|error| Failure::Usage(format!("gateway settings: {error}")))?;
    println!("gateway on http://{addr} for {}", args.registry);
    let shutdown = CancellationToken::new();
    let on_signal = shutdown.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        on_signal.cancel();
    });
    Gateway::new(config)
        .serve(listener, Arc::new(XClientBackend::new(discovery)), shutdown)
        .await;
    Ok(())
}
