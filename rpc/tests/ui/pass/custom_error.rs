//! A handler error type of the user's own, converted into a `Status`; the
//! client still returns `Status`.

#[derive(Debug)]
pub enum BankError {
    Insufficient { missing: u64 },
    Frozen,
}

impl From<BankError> for rpc::Status {
    fn from(error: BankError) -> rpc::Status {
        match error {
            BankError::Insufficient { missing } => {
                rpc::Status::application(format!("{missing} missing"))
            }
            BankError::Frozen => rpc::Status::new(rpc::Code::Unauthenticated, "frozen"),
        }
    }
}

#[rpc::service]
pub trait Bank {
    async fn withdraw(&self, amount: u64) -> Result<u64, BankError>;
}

pub struct Empty;

impl Bank for Empty {
    async fn withdraw(&self, amount: u64) -> Result<u64, BankError> {
        if amount == u64::MAX {
            return Err(BankError::Frozen);
        }
        Err(BankError::Insufficient { missing: amount })
    }
}

async fn client_side(client: &BankClient) -> Result<u64, rpc::Status> {
    client.withdraw(&10).await
}

fn main() {
    let server = BankServer::new(Empty);
    assert_eq!(rpc::RpcService::methods(&server), ["Withdraw"]);
    drop(client_side(&BankClient::new(rpc::Client::new(
        "127.0.0.1:8972",
    ))));
}
