//! Payload types named `T` and `S`, which the server wrapper's own type
//! parameter must not shadow, and an argument declared as `_`.

#[derive(serde::Serialize, serde::Deserialize)]
pub struct T(pub u8);

#[derive(serde::Serialize, serde::Deserialize)]
pub struct S(pub u8);

#[rpc::service]
pub trait Convert {
    async fn convert(&self, _: T) -> Result<S, rpc::Status>;
}

pub struct Identity;

impl Convert for Identity {
    async fn convert(&self, t: T) -> Result<S, rpc::Status> {
        Ok(S(t.0))
    }
}

fn main() {
    let server = ConvertServer::new(Identity);
    assert_eq!(rpc::RpcService::methods(&server), ["Convert"]);
}
