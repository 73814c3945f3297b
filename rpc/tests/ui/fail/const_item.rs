#[rpc::service]
pub trait Arith {
    const LIMIT: i64 = 100;

    async fn mul(&self, args: (i64, i64)) -> Result<i64, rpc::Status>;
}

fn main() {}
