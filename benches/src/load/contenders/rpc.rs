//! This project as a contender: the `Hello.Say` service declared with
//! `#[rpc::service]`, served by `rpc::Server` with default limits, called
//! through `rpc::Client` (one multiplexed connection each) or `rpc::XClient`.

use std::net::SocketAddr;

use rpc::registry::{Endpoint, StaticDiscovery};
use rpc::{CallOptions, Client, ClientConfig, Codec, Server, Status, Target, XClient};

use crate::BenchmarkMessage;
use crate::load::address_aliases::aliases;
use crate::load::instrumentation;
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
        .instrument(instrumentation::enabled())
        .listen(listener)
        .await?;
    server.stopped().await;
    Ok(())
}

/// Serves `Hello` with Go rpcx's protocol on too (`.rpcx(true)`) on
/// `listener` until the process ends: the server of the rpcx contender.
pub async fn serve_rpcx(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let server = Server::builder()
        .rpcx(true)
        .service(HelloServer::new(HelloImpl))
        .instrument(instrumentation::enabled())
        .listen(listener)
        .await?;
    server.stopped().await;
    Ok(())
}

/// [`connect`] speaking Go rpcx's protocol (`Protocol::Rpcx`): the same
/// client machinery, rpcx messages on the wire.
pub async fn connect_rpcx(
    addr: SocketAddr,
    connections: usize,
    codec: Codec,
) -> Result<Vec<RpcConnection<Client>>, String> {
    let config = client_config()
        .to_builder()
        .protocol(rpc::Protocol::Rpcx)
        .build()
        .unwrap();
    connect_with(addr, connections, codec, config).await
}

/// Client settings: the defaults, instrumented per `RPC_BENCH_INSTRUMENT`.
fn client_config() -> ClientConfig {
    ClientConfig::builder()
        .instrument(instrumentation::enabled())
        .build()
        .unwrap()
}

/// Serves `Hello` over TLS (the [`tls_material`](super::tls_material)
/// pair) on `listener` until the process ends.
pub async fn serve_tls(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let material = super::tls_material::material()?;
    let tls = rpc::ServerTls::from_pem(material.cert, material.key)
        .build()
        .map_err(std::io::Error::other)?;
    let server = Server::builder()
        .service(HelloServer::new(HelloImpl))
        .tls(tls)
        .listen(listener)
        .await?;
    server.stopped().await;
    Ok(())
}

/// [`connect`] over TLS, trusting the bench CA, as `localhost`.
pub async fn connect_tls(
    addr: SocketAddr,
    connections: usize,
    codec: Codec,
) -> Result<Vec<RpcConnection<Client>>, String> {
    let material = super::tls_material::material().map_err(|e| e.to_string())?;
    let tls = rpc::ClientTls::from_ca_pem(material.ca)
        .server_name("localhost")
        .build()
        .map_err(|e| e.to_string())?;
    let config = client_config().to_builder().tls(Some(tls)).build().unwrap();
    connect_with(addr, connections, codec, config).await
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
    connect_with(addr, connections, codec, client_config()).await
}

/// `connections` clients of `addr` with `config`, each its own connection.
async fn connect_with(
    addr: SocketAddr,
    connections: usize,
    codec: Codec,
    config: ClientConfig,
) -> Result<Vec<RpcConnection<Client>>, String> {
    let mut all = Vec::with_capacity(connections);
    for _ in 0..connections.max(1) {
        let client = Client::with_config(Target::Tcp(addr.to_string()), config.clone());
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

/// One `XClient` (failover mode, round-robin) over a static discovery that
/// lists the one server `connections` times.
///
/// The XClient's pool opens one connection per endpoint and has no setting
/// for several connections to one endpoint, so the server is listed under
/// `connections` spellings of its address ([`aliases`]): N endpoint ids, N
/// connections, all to the same server, the callers spread over them by the
/// XClient's own selector. This is the whole cluster-client path (selector,
/// fail mode, breaker, in-flight counts) at the same connection count as
/// the plain `Client` contender.
pub async fn connect_xclient(
    addr: SocketAddr,
    connections: usize,
    codec: Codec,
) -> Result<Vec<RpcConnection<XClient>>, String> {
    let SocketAddr::V4(v4) = addr else {
        return Err(format!(
            "the XClient contender needs an IPv4 server address, not {addr}"
        ));
    };
    let endpoints = aliases(v4, connections.max(1));
    if endpoints.len() < connections {
        return Err(format!(
            "the XClient contender can open at most {} connections to one server",
            endpoints.len()
        ));
    }
    let discovery = StaticDiscovery::new(endpoints.into_iter().map(Endpoint::tcp));
    let xclient = XClient::builder("Hello", discovery)
        .client_config(client_config())
        .codec(codec)
        .build()
        .await
        .map_err(|error| error.to_string())?;
    let stub = HelloClient::new(xclient);
    // Open every connection before the clock starts, as the other contenders do.
    let options = CallOptions::new().codec(codec);
    let request = BenchmarkMessage::filled();
    let warm = (0..connections * 2).map(|_| stub.say_with(&request, options.clone()));
    for reply in futures_util::future::join_all(warm).await {
        reply.map_err(|status| format!("XClient warm-up call: {status}"))?;
    }
    Ok(vec![RpcConnection {
        client: stub,
        options,
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

    #[tokio::test]
    async fn answers_50_calls_over_2_rpcx_connections() {
        super::super::test_support::answers_50_calls_over_2_connections(
            serve_rpcx,
            |addr, conns| connect_rpcx(addr, conns, Codec::Protobuf),
        )
        .await;
    }

    #[tokio::test]
    async fn answers_50_calls_over_2_tls_connections() {
        super::super::test_support::answers_50_calls_over_2_connections(
            serve_tls,
            |addr, conns| connect_tls(addr, conns, Codec::Protobuf),
        )
        .await;
    }

    #[tokio::test]
    async fn xclient_opens_one_connection_per_alias_and_answers() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(serve(listener));
        let stubs = connect_xclient(addr, 4, Codec::Protobuf).await.unwrap();
        let xclient = stubs[0].client.channel();
        assert_eq!(xclient.endpoints().len(), 4);
        let request = BenchmarkMessage::filled();
        let calls = (0..50).map(|_| stubs[0].call(&request));
        for reply in futures_util::future::join_all(calls).await {
            assert!(crate::load::is_correct_reply(&request, &reply.unwrap()));
        }
        server.abort();
    }
}
