#[rpc::service]
pub trait Arith {
    async fn mul(&self, ctx: &rpc::Context, a: i64, b: i64) -> Result<i64, rpc::Status>;
}

fn main() {}
