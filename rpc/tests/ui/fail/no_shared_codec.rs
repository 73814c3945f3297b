#[derive(serde::Serialize, serde::Deserialize)]
pub struct Args {
    pub a: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Reply {
    #[prost(int64, tag = "1")]
    pub c: i64,
}

#[rpc::service]
pub trait Arith {
    async fn mul(&self, args: Args) -> Result<Reply, rpc::Status>;
    async fn blob(&self) -> Result<rpc::core::bytes::Bytes, rpc::Status>;
}

fn main() {}
