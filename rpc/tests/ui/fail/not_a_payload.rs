pub struct Opaque;

#[rpc::service]
pub trait Arith {
    async fn mul(&self, args: Opaque) -> Result<i64, rpc::Status>;
}

fn main() {}
