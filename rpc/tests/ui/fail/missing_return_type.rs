#[rpc::service]
pub trait Health {
    async fn ping(&self);
}

fn main() {}
