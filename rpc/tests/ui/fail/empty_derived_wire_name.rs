//! Underscores are dropped from derived wire names, so `__` would have none.

#[rpc::service]
pub trait Arith {
    async fn __(&self) -> Result<(), rpc::Status>;
}

fn main() {}
