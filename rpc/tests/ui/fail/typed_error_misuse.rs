#[derive(serde::Serialize, serde::Deserialize)]
pub struct Order {
    pub sku: String,
}

/// Has a codec, but no `ApplicationError`.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct PlainError {
    pub reason: String,
}

impl From<PlainError> for rpc::Status {
    fn from(error: PlainError) -> rpc::Status {
        rpc::Status::internal(error.reason)
    }
}

/// An `ApplicationError` in protobuf only, for a serde method.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ProtoError {
    #[prost(string, tag = "1")]
    pub reason: String,
}

impl rpc::ApplicationError for ProtoError {
    fn status(&self) -> rpc::Status {
        rpc::Status::aborted(self.reason.clone())
    }
}

#[rpc::service]
pub trait Shop {
    #[rpc(typed_error)]
    async fn buy(&self, order: Order) -> Result<u64, PlainError>;
    #[rpc(typed_error)]
    async fn sell(&self, order: Order) -> Result<u64, ProtoError>;
}

fn main() {}
