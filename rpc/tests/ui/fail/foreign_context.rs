//! Only `&Context` and `&rpc::Context` are the call's context: another type
//! named `Context` is refused at its path rather than failing in generated code.

mod other {
    pub struct Context;
}

#[rpc::service]
pub trait Arith {
    async fn mul(&self, ctx: &other::Context, args: (i64, i64)) -> Result<i64, rpc::Status>;
    async fn poll(&self, cx: &mut std::task::Context<'_>) -> Result<(), rpc::Status>;
}

fn main() {}
