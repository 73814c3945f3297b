//! [`Layered`]: a [`Channel`] whose calls pass through a tower stack, so a
//! typed stub can sit on client-side layers (timeouts, concurrency and rate
//! limits, load shedding, your own) without an adapter of its own.

use std::error::Error as StdError;

use rpc_codec::Codec;
use rpc_core::{Code, Status};
use tower::{Layer, Service, ServiceExt};

use crate::{Channel, RawReply, RawRequest};

/// A channel whose calls go through `S`, a tower stack built around the
/// channel `C` ([`Client`](crate::Client) and [`XClient`](crate::XClient)
/// are `tower::Service<RawRequest>`).
///
/// ```no_run
/// # async fn example() -> Result<(), rpc_core::Status> {
/// use std::time::Duration;
/// use rpc_client::{Client, Layered};
/// use tower::ServiceBuilder;
///
/// let stack = ServiceBuilder::new()
///     .concurrency_limit(64)
///     .timeout(Duration::from_secs(2));
/// let channel = Layered::new(Client::new("127.0.0.1:8972"), stack);
/// // A generated stub takes it like any channel:
/// // let arith = ArithClient::new(channel);
/// # Ok(()) }
/// ```
///
/// Errors of the layers become statuses: a [`Status`] stays itself, tower's
/// timeout is `deadline_exceeded`, its load shedding `overloaded`, anything
/// else `unknown` with the error's text; all of them are the framework's
/// (`Origin::Framework`), refused before the server saw the call. Oneway
/// calls have no reply for a layer to observe and go to `C` directly.
#[derive(Debug, Clone)]
pub struct Layered<C, S> {
    base: C,
    stack: S,
}

impl<C: Channel> Layered<C, C> {
    /// `layer` (a `tower::ServiceBuilder`, or any `Layer`) around `base`.
    pub fn new<L: Layer<C>>(base: C, layer: L) -> Layered<C, L::Service> {
        let stack = layer.layer(base.clone());
        Layered { base, stack }
    }
}

impl<C, S> Layered<C, S> {
    /// The channel under the layers.
    pub fn base(&self) -> &C {
        &self.base
    }
}

impl<C, S> Channel for Layered<C, S>
where
    C: Channel,
    S: Service<RawRequest, Response = RawReply> + Clone + Send + Sync + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    S::Future: Send,
{
    fn default_codec(&self) -> Codec {
        self.base.default_codec()
    }

    async fn call_raw(&self, request: RawRequest) -> Result<RawReply, Status> {
        let stack = self.stack.clone();
        let reply = stack.oneshot(request).await;
        reply.map_err(|error| layer_status(error.into()))
    }

    async fn send_oneway(&self, request: RawRequest) -> Result<(), Status> {
        self.base.send_oneway(request).await
    }
}

/// The status a layer's error stands for.
fn layer_status(error: Box<dyn StdError + Send + Sync>) -> Status {
    let error = match error.downcast::<Status>() {
        Ok(status) => return *status,
        Err(error) => error,
    };
    let status = if error.is::<tower::timeout::error::Elapsed>() {
        Status::deadline_exceeded(format!("a client layer's timeout: {error}"))
    } else if error.is::<tower::load_shed::error::Overloaded>() {
        Status::overloaded(format!("a client layer shed the call: {error}"))
    } else {
        Status::new(
            Code::Unknown,
            format!("a client layer failed the call: {error}"),
        )
    };
    status.with_source(error)
}
