//! The tarpc contender: tarpc's serde transport, bincode payloads in
//! length-delimited frames over TCP.
//!
//! tarpc's defaults throughout, as the benchmark compares defaults: the
//! server is `BaseChannel::with_defaults` per connection with every request
//! spawned as its own task (tarpc's documented way to run one connection's
//! requests concurrently), the client `client::Config::default()`, each call
//! `context::current()` (10 s deadline), frames `LengthDelimitedCodec::new()`
//! (8 MiB limit, far above the message). The one thing set by hand is
//! `TCP_NODELAY` on both ends: tarpc leaves sockets to the caller, and
//! tonic and this project both set it by default, so leaving Nagle on here
//! would measure the kernel's delayed ACKs rather than tarpc.

use std::net::SocketAddr;

use futures_util::StreamExt;
use tarpc::serde_transport::Transport;
use tarpc::server::{BaseChannel, Channel};
use tarpc::tokio_serde::formats::Bincode;
use tarpc::tokio_util::codec::{Framed, LengthDelimitedCodec};
use tarpc::{client, context};
use tokio::net::TcpStream;

use crate::BenchmarkMessage;
use crate::load::{Caller, answer};

/// The benchmark's one-method service.
#[tarpc::service]
trait Hello {
    /// Answers `request` with [`answer`].
    async fn say(request: BenchmarkMessage) -> BenchmarkMessage;
}

/// The server's logic: [`answer`] every request.
#[derive(Debug, Clone, Copy)]
struct HelloService;

impl Hello for HelloService {
    async fn say(self, _: context::Context, request: BenchmarkMessage) -> BenchmarkMessage {
        answer(request)
    }
}

/// Wraps `stream` in tarpc's serde transport: bincode in length-delimited frames.
fn transport<Item, SinkItem>(
    stream: TcpStream,
) -> Transport<TcpStream, Item, SinkItem, Bincode<Item, SinkItem>>
where
    Item: for<'de> serde::Deserialize<'de>,
    SinkItem: serde::Serialize,
{
    tarpc::serde_transport::new(
        Framed::new(stream, LengthDelimitedCodec::new()),
        Bincode::default(),
    )
}

/// Serves on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        // A socket option that cannot be set leaves the connection usable.
        let _ = stream.set_nodelay(true);
        let channel = BaseChannel::with_defaults(transport(stream));
        tokio::spawn(
            channel
                .execute(HelloService.serve())
                .for_each(|response| async move {
                    tokio::spawn(response);
                }),
        );
    }
}

/// One tarpc client connection: a spawned `HelloClient` (one TCP connection
/// with its dispatch task) shared by every caller assigned to it.
#[derive(Debug, Clone)]
pub struct TarpcConnection {
    client: HelloClient,
}

/// Opens `connections` client connections to `addr`.
pub async fn connect(addr: SocketAddr, connections: usize) -> Result<Vec<TarpcConnection>, String> {
    let mut all = Vec::with_capacity(connections);
    for _ in 0..connections {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("tarpc connect to {addr}: {e}"))?;
        stream
            .set_nodelay(true)
            .map_err(|e| format!("tarpc TCP_NODELAY to {addr}: {e}"))?;
        let client = HelloClient::new(client::Config::default(), transport(stream)).spawn();
        all.push(TarpcConnection { client });
    }
    Ok(all)
}

impl Caller for TarpcConnection {
    fn call(
        &self,
        request: &BenchmarkMessage,
    ) -> impl Future<Output = Result<BenchmarkMessage, String>> + Send {
        // tarpc's client methods take `&self`, so callers share the one
        // handle (and its dispatch task) without cloning it.
        let reply = self.client.say(context::current(), request.clone());
        async move { reply.await.map_err(|e| format!("tarpc call: {e}")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_50_calls_over_2_connections() {
        super::super::test_support::answers_50_calls_over_2_connections(serve, connect).await;
    }
}
