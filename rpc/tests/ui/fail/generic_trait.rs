#[rpc::service]
pub trait Store<V> {
    async fn get(&self, key: String) -> Result<V, rpc::Status>;
}

fn main() {}
