//! Default wire names follow rpcx's Go habit: a call of `Arith.Mul` reaches
//! the Rust method `mul`, and `Arith.mul` reaches nothing.

use rpc::core::ServiceCall;
use rpc::core::bytes::Bytes;
use rpc::{Code, Codec, Context, RpcService};

#[rpc::service]
pub trait Arith {
    async fn mul(&self, args: (i64, i64)) -> Result<i64, rpc::Status>;
    async fn get_user(&self, id: u64) -> Result<String, rpc::Status>;
}

pub struct Calculator;

impl Arith for Calculator {
    async fn mul(&self, (a, b): (i64, i64)) -> Result<i64, rpc::Status> {
        Ok(a * b)
    }

    async fn get_user(&self, id: u64) -> Result<String, rpc::Status> {
        Ok(format!("user-{id}"))
    }
}

/// Calls `Arith.{method}` with a JSON payload.
async fn call(
    server: &ArithServer<Calculator>,
    method: &str,
    json: &'static str,
) -> Result<Bytes, rpc::Status> {
    let call = ServiceCall {
        context: Context::new("Arith", method),
        codec: Codec::Json,
        payload: Bytes::from_static(json.as_bytes()),
    };
    server.call(call).await.map(|reply| reply.payload)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let server = ArithServer::new(Calculator);
    assert_eq!(server.name(), "Arith");
    assert_eq!(server.methods(), ["Mul", "GetUser"]);
    assert_eq!(&call(&server, "Mul", "[6,7]").await.unwrap()[..], b"42");
    assert_eq!(
        &call(&server, "GetUser", "7").await.unwrap()[..],
        br#""user-7""#
    );
    for method in ["mul", "get_user", "getUser"] {
        let status = call(&server, method, "[6,7]").await.unwrap_err();
        assert_eq!(status.code(), Code::MethodNotFound, "{method}: {status}");
    }
}
