pub struct MyError;

#[rpc::service]
pub trait Arith {
    async fn mul(&self, args: (i64, i64)) -> Result<i64, MyError>;
}

fn main() {}
