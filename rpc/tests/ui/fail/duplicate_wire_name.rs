#[rpc::service]
pub trait Arith {
    async fn add(&self, args: (i64, i64)) -> Result<i64, rpc::Status>;
    #[rpc(name = "add")]
    async fn plus(&self, args: (i64, i64)) -> Result<i64, rpc::Status>;
}

fn main() {}
