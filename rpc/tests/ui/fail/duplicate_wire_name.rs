#[rpc::service]
pub trait Arith {
    async fn add(&self, args: (i64, i64)) -> Result<i64, rpc::Status>;
    #[rpc(name = "Add")]
    async fn plus(&self, args: (i64, i64)) -> Result<i64, rpc::Status>;
    /// Derived names can collide too: both are `GetUser`.
    async fn get_user(&self, id: u64) -> Result<String, rpc::Status>;
    async fn get_user_(&self, id: u64) -> Result<String, rpc::Status>;
}

fn main() {}
