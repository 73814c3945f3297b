#[rpc::service]
pub trait Arith {
    async fn mul(&self, args: (i64, i64)) -> Result<i64, rpc::Status> {
        Ok(args.0 * args.1)
    }
}

fn main() {}
