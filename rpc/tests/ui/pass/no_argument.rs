//! A method with no argument: on the wire its argument is `()`.

#[rpc::service]
pub trait Health {
    async fn ping(&self) -> Result<(), rpc::Status>;
    async fn uptime(&self, ctx: &rpc::Context) -> Result<u64, rpc::Status>;
}

pub struct Always;

impl Health for Always {
    async fn ping(&self) -> Result<(), rpc::Status> {
        Ok(())
    }

    async fn uptime(&self, _: &rpc::Context) -> Result<u64, rpc::Status> {
        Ok(42)
    }
}

async fn check(client: &HealthClient) -> Result<u64, rpc::Status> {
    client.ping().await?;
    client.ping_with(rpc::CallOptions::new()).await?;
    client.uptime().await
}

fn main() {
    let server = HealthServer::new(Always);
    assert_eq!(rpc::RpcService::methods(&server), ["Ping", "Uptime"]);
    let client = HealthClient::new(rpc::Client::new("127.0.0.1:8972"));
    drop(check(&client));
}
