#[rpc::service]
pub trait Arith {
    async fn mul(&self, (a, b): (i32, i32)) -> Result<i32, rpc::Status>;
}

fn main() {}
