//! This project as a contender: the `Hello.Say` service declared with
//! `#[rpc::service]`, served by `rpc::Server` with default limits, called
//! through `rpc::Client` (one multiplexed connection each) or `rpc::XClient`.

use std::net::SocketAddr;

use rpc::registry::StaticDiscovery;
use rpc::{CallOptions, Client, Codec, Server, Status, XClient};

use crate::BenchmarkMessage;
use crate::load::{Caller, answer};

/// rpcx's benchmark service.
#[rpc::service]
pub trait Hello {
    /// Returns the message with `field1 = "OK"` and `field2 = 100`.
    #[rpc(name = "Say")]
    async fn say(&self, request: BenchmarkMessage) -> Result<BenchmarkMessage, Status>;
}

/// The server side: `answer` and nothing else.
#[derive(Debug, Clone, Copy)]
pub struct HelloImpl;

impl Hello for HelloImpl {
    async fn say(&self, request: BenchmarkMessage) -> Result<BenchmarkMessage, Status> {
        Ok(answer(request))
    }
}

/// Serves `Hello` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let server = Server::builder()
        .service(HelloServer::new(HelloImpl))
        .listen(listener)
        .await?;
    server.stopped().await;
    Ok(())
}

/// A typed stub over a `Client` or an `XClient`, with a fixed codec.
#[derive(Debug, Clone)]
pub struct RpcConnection<C> {
    client: HelloClient<C>,
    options: CallOptions,
}

impl<C: rpc::Channel> Caller for RpcConnection<C> {
    async fn call(&self, request: &BenchmarkMessage) -> Result<BenchmarkMessage, String> {
        self.client
            .say_with(request, self.options.clone())
            .await
            .map(|reply| reply.value)
            .map_err(|status| status.to_string())
    }
}

/// `connections` clients of `addr`, each its own TCP connection.
pub async fn connect(
    addr: SocketAddr,
    connections: usize,
    codec: Codec,
) -> Result<Vec<RpcConnection<Client>>, String> {
    let mut all = Vec::with_capacity(connections);
    for _ in 0..connections.max(1) {
        let client = Client::new(addr.to_string());
        client
            .connect()
            .await
            .map_err(|status| status.to_string())?;
        all.push(RpcConnection {
            client: HelloClient::new(client),
            options: CallOptions::new().codec(codec),
        });
    }
    Ok(all)
}

/// One `XClient` over a static discovery of `addr` (one connection per
/// endpoint, so one here), failover mode, round-robin: the whole cluster
/// client path on a one-endpoint cluster.
pub async fn connect_xclient(
    addr: SocketAddr,
    codec: Codec,
) -> Result<Vec<RpcConnection<XClient>>, String> {
    let xclient = XClient::builder("Hello", StaticDiscovery::single(addr.to_string()))
        .codec(codec)
        .build()
        .await
        .map_err(|error| error.to_string())?;
    Ok(vec![RpcConnection {
        client: HelloClient::new(xclient),
        options: CallOptions::new().codec(codec),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_50_calls_over_2_connections_in_each_codec() {
        for codec in [Codec::Protobuf, Codec::MsgPack, Codec::Json] {
            super::super::test_support::answers_50_calls_over_2_connections(
                serve,
                |addr, conns| connect(addr, conns, codec),
            )
            .await;
        }
    }
}
