#[rpc::service(version = "2")]
pub trait Arith {
    async fn mul(&self, args: (i64, i64)) -> Result<i64, rpc::Status>;
}

fn main() {}
