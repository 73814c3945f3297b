//! Wire names other than the Rust names, for the service and a method.

#[rpc::service(name = "math.Arith")]
pub trait Arith {
    /// Used exactly as given: not `Add`, the default.
    #[rpc(name = "add")]
    async fn add(&self, args: (i64, i64)) -> Result<i64, rpc::Status>;
    async fn neg(&self, x: i64) -> Result<i64, rpc::Status>;
    /// A raw identifier's wire name has no `r#`: `Type`.
    async fn r#type(&self) -> Result<String, rpc::Status>;
}

pub struct Calculator;

impl Arith for Calculator {
    async fn add(&self, (a, b): (i64, i64)) -> Result<i64, rpc::Status> {
        Ok(a + b)
    }

    async fn neg(&self, x: i64) -> Result<i64, rpc::Status> {
        Ok(-x)
    }

    async fn r#type(&self) -> Result<String, rpc::Status> {
        Ok("calculator".to_owned())
    }
}

fn main() {
    let server = ArithServer::new(Calculator);
    assert_eq!(rpc::RpcService::name(&server), "math.Arith");
    assert_eq!(rpc::RpcService::methods(&server), ["add", "Neg", "Type"]);
    assert_eq!(ArithClient::<rpc::Client>::SERVICE_NAME, "math.Arith");
    let client = ArithClient::new(rpc::Client::new("127.0.0.1:8972"));
    drop(client.type_with(rpc::CallOptions::new()));
}
