//! `tower::Service` for [`Client`] and [`XClient`], so tower layers (rate
//! limits, concurrency limits, timeouts, tracing) can wrap them.
//!
//! Both are always ready: a `Client` applies backpressure per call through its
//! connection's bounded write queue, an `XClient` decides readiness per call
//! (selection, circuit breakers).

use std::task::{Context, Poll};

use rpc_core::{BoxFuture, Status};

use crate::{Channel, Client, RawReply, RawRequest, XClient};

/// One `tower::Service` impl per channel type, delegating to `Channel::call_raw`.
macro_rules! channel_as_tower_service {
    ($($channel:ty),+) => {$(
        impl tower::Service<RawRequest> for $channel {
            type Response = RawReply;
            type Error = Status;
            type Future = BoxFuture<Result<RawReply, Status>>;

            fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Status>> {
                Poll::Ready(Ok(()))
            }

            fn call(&mut self, request: RawRequest) -> Self::Future {
                let channel = self.clone();
                Box::pin(async move { channel.call_raw(request).await })
            }
        }
    )+};
}

channel_as_tower_service!(Client, XClient);
