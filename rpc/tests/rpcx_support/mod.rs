//! What the rpcx client tests share: rpcx's `Arith` example service with
//! every codec's types, a server of it (rpcx on or off) that reports what
//! its handlers saw, and client configs speaking rpcx.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use rpc::core::rpcx::AUTH_KEY;
use rpc::{
    Client, ClientConfig, Code, Context, Credential, Identity, Protocol, Server, ServerHandle,
    Status, Target,
};
use tokio::sync::mpsc;

/// Two operands, in every codec (rpcx's example names on the wire).
#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
pub struct Args {
    /// The left operand.
    #[prost(int64, tag = "1")]
    #[serde(rename = "A")]
    pub a: i64,
    /// The right operand.
    #[prost(int64, tag = "2")]
    #[serde(rename = "B")]
    pub b: i64,
}

/// A product.
#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
pub struct Reply {
    /// The value.
    #[prost(int64, tag = "1")]
    #[serde(rename = "C")]
    pub c: i64,
}

/// What the handlers report to the test.
#[derive(Debug)]
pub enum Seen {
    /// A oneway call ran with this `A`.
    Recorded(i64),
    /// The deadline budget a call had.
    Budget(Option<Duration>),
    /// The `__AUTH` metadata a call had.
    Auth(Option<String>),
}

/// The service the tests call over rpcx.
#[rpc::service]
pub trait Arith {
    /// `A * B`; `A == 0` fails with the code numbered `B`.
    async fn mul(&self, args: Args) -> Result<Reply, Status>;
    /// Reports `A` (called oneway).
    async fn record(&self, args: Args) -> Result<(), Status>;
    /// Reports the deadline budget, then waits forever.
    async fn wait(&self, ctx: &Context, args: Args) -> Result<Reply, Status>;
    /// Reports the `__AUTH` metadata the rpcx connection passed on.
    async fn whoami(&self, ctx: &Context, args: Args) -> Result<Reply, Status>;
    /// `A` bytes of text.
    async fn text(&self, args: Args) -> Result<String, Status>;
    /// The text it was given.
    async fn echo(&self, text: String) -> Result<String, Status>;
}

pub struct Calculator {
    /// Where the handlers report.
    pub seen: mpsc::UnboundedSender<Seen>,
}

impl Arith for Calculator {
    async fn mul(&self, args: Args) -> Result<Reply, Status> {
        if args.a == 0 {
            let code = Code::from_u8(u8::try_from(args.b).unwrap_or(0));
            return Err(Status::new(code, format!("asked to fail with {code}")));
        }
        Ok(Reply { c: args.a * args.b })
    }

    async fn record(&self, args: Args) -> Result<(), Status> {
        let _ = self.seen.send(Seen::Recorded(args.a));
        Ok(())
    }

    async fn wait(&self, ctx: &Context, _: Args) -> Result<Reply, Status> {
        let _ = self.seen.send(Seen::Budget(ctx.remaining()));
        std::future::pending().await
    }

    async fn whoami(&self, ctx: &Context, _: Args) -> Result<Reply, Status> {
        let auth = ctx.metadata().get(AUTH_KEY).map(str::to_owned);
        let _ = self.seen.send(Seen::Auth(auth));
        Ok(Reply { c: 1 })
    }

    async fn text(&self, args: Args) -> Result<String, Status> {
        Ok("x".repeat(usize::try_from(args.a).unwrap_or(0)))
    }

    async fn echo(&self, text: String) -> Result<String, Status> {
        Ok(text)
    }
}

pub fn accept_token(token: &str, _: &Context) -> Result<Identity, Status> {
    match token {
        "s3cret" => Ok(Identity::new("go-client")),
        _ => Err(Status::unauthenticated("unknown token")),
    }
}

pub async fn serve(rpcx: bool) -> (ServerHandle, String, mpsc::UnboundedReceiver<Seen>) {
    let (seen, rx) = mpsc::unbounded_channel();
    let server = Server::builder()
        .rpcx(rpcx)
        .authenticator(accept_token)
        .service(ArithServer::new(Calculator { seen }))
        .bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = server.local_addr().expect("a TCP address").to_string();
    (server, addr, rx)
}

pub fn rpcx_config() -> rpc::ClientConfigBuilder {
    ClientConfig::builder()
        .protocol(Protocol::Rpcx)
        .credential(Credential::bearer("s3cret"))
}

pub fn rpcx_client(addr: &str, config: rpc::ClientConfigBuilder) -> ArithClient<Client> {
    let config = config.build().expect("a valid config");
    ArithClient::new(Client::with_config(Target::Tcp(addr.to_owned()), config))
}
