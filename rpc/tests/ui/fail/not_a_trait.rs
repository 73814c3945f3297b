#[rpc::service]
pub struct Arith;

fn main() {}
