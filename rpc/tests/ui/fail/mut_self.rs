#[rpc::service]
pub trait Counter {
    async fn incr(&mut self) -> Result<u64, rpc::Status>;
}

fn main() {}
