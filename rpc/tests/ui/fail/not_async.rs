#[rpc::service]
pub trait Arith {
    fn mul(&self, args: (i64, i64)) -> Result<i64, rpc::Status>;
}

fn main() {}
