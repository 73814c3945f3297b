#[rpc::service]
pub trait Arith {
    async fn mul(&self, args: (i64, i64)) -> Result<i64, rpc::Status>;
    async fn mul_with(&self, args: (i64, i64)) -> Result<i64, rpc::Status>;
    async fn new(&self) -> Result<(), rpc::Status>;
}

fn main() {}
