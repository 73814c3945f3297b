//! Methods without the context parameter, the context written as a plain
//! `&Context` import, a private trait and a `pub(crate)` one.

use rpc::Context;

mod inner {
    #[rpc::service]
    pub(crate) trait Greeter {
        async fn hello(&self, name: String) -> Result<String, rpc::Status>;
    }

    pub(crate) struct English;

    impl Greeter for English {
        async fn hello(&self, name: String) -> Result<String, rpc::Status> {
            Ok(format!("hello, {name}"))
        }
    }
}

#[rpc::service]
trait Counter {
    async fn add(&self, ctx: &Context, n: u64) -> Result<u64, rpc::Status>;
}

struct Zero;

impl Counter for Zero {
    async fn add(&self, _ctx: &Context, n: u64) -> Result<u64, rpc::Status> {
        Ok(n)
    }
}

fn main() {
    let greeter = inner::GreeterServer::new(inner::English);
    assert_eq!(rpc::RpcService::methods(&greeter), ["Hello"]);
    let counter = CounterServer::from_arc(std::sync::Arc::new(Zero));
    let copy = counter.clone();
    assert_eq!(
        format!("{copy:?}"),
        r#"CounterServer { service: "Counter", .. }"#
    );
    let _client = CounterClient::new(rpc::Client::new("127.0.0.1:8972"));
}
