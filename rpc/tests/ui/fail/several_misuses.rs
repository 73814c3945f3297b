// Every misuse is reported in one compile, each at its own tokens.
#[rpc::service]
pub trait Arith {
    type Output;

    fn mul(&mut self, args: (i64, i64)) -> i64;
    async fn add<T>(&self, args: T, extra: T) -> Result<T, rpc::Status>;
}

fn main() {}
