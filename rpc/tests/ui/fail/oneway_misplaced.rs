#[rpc::service(oneway)]
pub trait Audit {
    #[rpc(oneway = "yes")]
    async fn record(&self, line: String) -> Result<(), rpc::Status>;
    #[rpc(oneway, oneway)]
    async fn mark(&self) -> Result<(), rpc::Status>;
    #[rpc(name)]
    async fn flush(&self) -> Result<(), rpc::Status>;
}

fn main() {}
