//! `tower::Service` for [`Client`] and [`XClient`](crate::XClient), so tower
//! layers (rate limits, concurrency limits, timeouts, tracing) can wrap them.

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

impl tower::Service<RawRequest> for crate::XClient {
    type Response = RawReply;
    type Error = Status;
    type Future = BoxFuture<Result<RawReply, Status>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Status>> {
        // Readiness is per endpoint and decided per call (selection, breakers).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: RawRequest) -> Self::Future {
        let xclient = self.clone();
        Box::pin(async move { xclient.call_raw(request).await })
    }
}
