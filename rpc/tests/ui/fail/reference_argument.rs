#[rpc::service]
pub trait Greeter {
    async fn hello(&self, name: &str) -> Result<String, rpc::Status>;
}

fn main() {}
