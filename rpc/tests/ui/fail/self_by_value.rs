#[rpc::service]
pub trait Counter {
    async fn finish(self) -> Result<u64, rpc::Status>;
}

fn main() {}
