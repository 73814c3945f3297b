//! [`Announcer`]: how a service registry learns that a server is up or
//! going away, without the server knowing anything about registries.

use crate::{BoxFuture, PeerAddr};

/// Told once the listener is bound (with the real address, also when port 0
/// was asked for) and again on graceful shutdown, **before** the listener
/// closes, so that clients stop choosing this server before it stops
/// answering. `rpc-registry`'s `Registration` implements it for every registry.
pub trait Announcer: Send + Sync + 'static {
    /// Announces `services` at `address`. An error is logged; the server
    /// keeps serving (a registry that could not write retries on its own).
    fn announce(
        &self,
        address: PeerAddr,
        services: Vec<&'static str>,
    ) -> BoxFuture<Result<(), String>>;

    /// Withdraws what [`Announcer::announce`] announced.
    fn withdraw(&self, address: PeerAddr, services: Vec<&'static str>) -> BoxFuture<()>;
}
