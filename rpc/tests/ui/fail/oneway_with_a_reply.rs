#[rpc::service]
pub trait Audit {
    #[rpc(oneway)]
    async fn count(&self, line: String) -> Result<u64, rpc::Status>;
}

fn main() {}
