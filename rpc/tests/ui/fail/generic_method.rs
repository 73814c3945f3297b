#[rpc::service]
pub trait Echo {
    async fn echo<T: serde::Serialize>(&self, value: T) -> Result<T, rpc::Status>;
}

fn main() {}
