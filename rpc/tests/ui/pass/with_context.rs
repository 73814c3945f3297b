//! A method taking the call's context, which it reads and answers through.

#[derive(serde::Serialize, serde::Deserialize)]
pub struct Args {
    pub a: i64,
    pub b: i64,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct Reply {
    pub value: i64,
}

#[rpc::service]
pub trait Arith {
    /// `a * b`, echoing the caller's `trace-id`.
    async fn mul(&self, ctx: &rpc::Context, args: Args) -> Result<Reply, rpc::Status>;
}

pub struct Calculator;

impl Arith for Calculator {
    async fn mul(&self, ctx: &rpc::Context, args: Args) -> Result<Reply, rpc::Status> {
        if let Some(trace) = ctx.metadata().get("trace-id") {
            ctx.set_reply_metadata("trace-id", trace.to_owned());
        }
        Ok(Reply {
            value: args.a * args.b,
        })
    }
}

fn assert_service(_: &impl rpc::RpcService) {}

fn main() {
    let server = ArithServer::new(Calculator);
    assert_service(&server);
    assert_eq!(rpc::RpcService::name(&server), "Arith");
    assert_eq!(rpc::RpcService::methods(&server), ["Mul"]);
    let _client: ArithClient = ArithClient::new(rpc::Client::new("127.0.0.1:8972"));
}
