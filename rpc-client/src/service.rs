//! `tower::Service` for [`Client`], so tower layers can wrap a client.

use std::task::{Context, Poll};

use rpc_core::{BoxFuture, Status};

use crate::{Channel, Client, RawReply, RawRequest};

impl tower::Service<RawRequest> for Client {
    type Response = RawReply;
    type Error = Status;
    type Future = BoxFuture<Result<RawReply, Status>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Status>> {
        // The connection's bounded write queue applies backpressure per call.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: RawRequest) -> Self::Future {
        let client = self.clone();
        Box::pin(async move { client.call_raw(request).await })
    }
}
