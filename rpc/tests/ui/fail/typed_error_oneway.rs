#[rpc::service]
pub trait Audit {
    #[rpc(oneway, typed_error)]
    async fn record(&self, line: String) -> Result<(), rpc::Status>;
}

fn main() {}
