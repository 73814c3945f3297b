//! The contenders of the load benchmark, each a server and a client
//! connection over the same message: this project (protobuf, msgpack and
//! JSON over `Client`, protobuf over `XClient`, protobuf over Go rpcx's
//! protocol), tonic (gRPC), tarpc (bincode over
//! TCP), and a raw-TCP floor.

pub mod raw;
pub mod rpc;
pub mod spread;
pub mod tarpc;
#[cfg(test)]
mod test_support;
pub mod tls_material;
pub mod tonic;

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use rpc_codec::Codec;

use crate::load::{LoadConfig, LoadReport, run};

/// A server implementation to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    /// This project's server (answers every codec).
    Rpc,
    /// This project's server over TLS (rustls).
    RpcTls,
    /// This project's server with Go rpcx's protocol on too.
    RpcRpcx,
    /// tonic over TLS (rustls).
    TonicTls,
    /// tonic, gRPC over HTTP/2.
    Tonic,
    /// tarpc, bincode over length-delimited TCP.
    Tarpc,
    /// The raw floor.
    Raw,
}

/// A client to drive load with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contender {
    /// This project's `Client`, msgpack payloads.
    RpcMsgPack,
    /// This project's `Client`, protobuf payloads.
    RpcProtobuf,
    /// This project's `Client`, JSON payloads.
    RpcJson,
    /// This project's `XClient` (static discovery listing the one server
    /// once per connection), protobuf.
    RpcXClientProtobuf,
    /// This project's `Client`s, each call on the next connection in turn
    /// (the XClient's spreading without the XClient), protobuf.
    RpcSpreadProtobuf,
    /// This project's `Client` over TLS, protobuf.
    RpcTlsProtobuf,
    /// This project's `Client` speaking Go rpcx's protocol to this
    /// project's server (rpcx on), protobuf: the cost of the second
    /// protocol against `rpc-protobuf`.
    RpcRpcxProtobuf,
    /// tonic's generated client.
    Tonic,
    /// tonic's generated client over TLS.
    TonicTls,
    /// tarpc's generated client.
    Tarpc,
    /// The raw floor's client.
    Raw,
}

impl Contender {
    /// Every contender, in table order.
    pub const ALL: [Contender; 11] = [
        Contender::Raw,
        Contender::RpcProtobuf,
        Contender::RpcRpcxProtobuf,
        Contender::RpcMsgPack,
        Contender::RpcJson,
        Contender::RpcXClientProtobuf,
        Contender::RpcSpreadProtobuf,
        Contender::Tarpc,
        Contender::Tonic,
        Contender::RpcTlsProtobuf,
        Contender::TonicTls,
    ];

    /// The server this client talks to.
    pub fn server(self) -> ServerKind {
        match self {
            Contender::RpcMsgPack
            | Contender::RpcProtobuf
            | Contender::RpcJson
            | Contender::RpcXClientProtobuf
            | Contender::RpcSpreadProtobuf => ServerKind::Rpc,
            Contender::Tonic => ServerKind::Tonic,
            Contender::RpcTlsProtobuf => ServerKind::RpcTls,
            Contender::RpcRpcxProtobuf => ServerKind::RpcRpcx,
            Contender::TonicTls => ServerKind::TonicTls,
            Contender::Tarpc => ServerKind::Tarpc,
            Contender::Raw => ServerKind::Raw,
        }
    }

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Contender::RpcMsgPack => "rpc-msgpack",
            Contender::RpcProtobuf => "rpc-protobuf",
            Contender::RpcJson => "rpc-json",
            Contender::RpcXClientProtobuf => "rpc-xclient-protobuf",
            Contender::RpcSpreadProtobuf => "rpc-spread-protobuf",
            Contender::Tonic => "tonic",
            Contender::RpcTlsProtobuf => "rpc-tls-protobuf",
            Contender::RpcRpcxProtobuf => "rpc-rpcx-protobuf",
            Contender::TonicTls => "tonic-tls",
            Contender::Tarpc => "tarpc",
            Contender::Raw => "raw",
        }
    }
}

impl fmt::Display for Contender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Contender {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Contender::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| format!("unknown contender {s:?}"))
    }
}

impl ServerKind {
    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Rpc => "rpc",
            ServerKind::RpcTls => "rpc-tls",
            ServerKind::RpcRpcx => "rpc-rpcx",
            ServerKind::TonicTls => "tonic-tls",
            ServerKind::Tonic => "tonic",
            ServerKind::Tarpc => "tarpc",
            ServerKind::Raw => "raw",
        }
    }
}

impl FromStr for ServerKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            ServerKind::Rpc,
            ServerKind::RpcTls,
            ServerKind::RpcRpcx,
            ServerKind::Tonic,
            ServerKind::TonicTls,
            ServerKind::Tarpc,
            ServerKind::Raw,
        ]
        .into_iter()
        .find(|k| k.name() == s)
        .ok_or_else(|| format!("unknown server {s:?}"))
    }
}

/// Serves `kind` on `listener` until the process ends.
pub async fn serve(kind: ServerKind, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    match kind {
        ServerKind::Rpc => rpc::serve(listener).await,
        ServerKind::RpcTls => rpc::serve_tls(listener).await,
        ServerKind::RpcRpcx => rpc::serve_rpcx(listener).await,
        ServerKind::TonicTls => tonic::serve_tls(listener).await,
        ServerKind::Tonic => tonic::serve(listener).await,
        ServerKind::Tarpc => tarpc::serve(listener).await,
        ServerKind::Raw => raw::serve(listener).await,
    }
}

/// Connects `contender` to `addr` with `connections` connections and runs `config`.
pub async fn drive(
    contender: Contender,
    addr: SocketAddr,
    connections: usize,
    config: LoadConfig,
) -> Result<LoadReport, String> {
    let rpc_client = |codec| rpc::connect(addr, connections, codec);
    Ok(match contender {
        Contender::RpcMsgPack => run(rpc_client(Codec::MsgPack).await?, config).await,
        Contender::RpcProtobuf => run(rpc_client(Codec::Protobuf).await?, config).await,
        Contender::RpcJson => run(rpc_client(Codec::Json).await?, config).await,
        Contender::RpcXClientProtobuf => {
            run(
                rpc::connect_xclient(addr, connections, Codec::Protobuf).await?,
                config,
            )
            .await
        }
        Contender::RpcSpreadProtobuf => {
            let members = rpc_client(Codec::Protobuf).await?;
            run(vec![spread::Spread::new(members)], config).await
        }
        Contender::Tonic => run(tonic::connect(addr, connections).await?, config).await,
        Contender::RpcTlsProtobuf => {
            run(
                rpc::connect_tls(addr, connections, Codec::Protobuf).await?,
                config,
            )
            .await
        }
        Contender::RpcRpcxProtobuf => {
            run(
                rpc::connect_rpcx(addr, connections, Codec::Protobuf).await?,
                config,
            )
            .await
        }
        Contender::TonicTls => run(tonic::connect_tls(addr, connections).await?, config).await,
        Contender::Tarpc => run(tarpc::connect(addr, connections).await?, config).await,
        Contender::Raw => run(raw::connect(addr, connections).await?, config).await,
    })
}
