#[rpc::service]
pub trait Arith {
    async fn mul(&self, args: (i64, i64), ctx: &rpc::Context) -> Result<i64, rpc::Status>;
}

fn main() {}
