//! [`Announcer`]: how a service registry learns that a server is up or
//! going away, without the server knowing anything about registries; what
//! the server does when the registry cannot be reached at startup
//! ([`OnRegistryFailure`]), and the error that says so ([`AnnounceError`]).

use std::error::Error;

use crate::{BoxFuture, PeerAddr};

/// Told once the listener is bound (with the real address, also when port 0
/// was asked for) and again on graceful shutdown, **before** the listener
/// closes, so that clients stop choosing this server before it stops
/// answering. `rpc-registry`'s `Registration` implements it for every registry.
pub trait Announcer: Send + Sync + 'static {
    /// Announces `services` at `address`. What the server does with an
    /// error is [`OnRegistryFailure`]'s choice (by default: log it at WARN,
    /// serve, and call `announce` again with backoff until it succeeds), so
    /// announcing twice must be harmless.
    fn announce(
        &self,
        address: PeerAddr,
        services: Vec<&'static str>,
    ) -> BoxFuture<Result<(), AnnounceError>>;

    /// Withdraws what [`Announcer::announce`] announced.
    fn withdraw(&self, address: PeerAddr, services: Vec<&'static str>) -> BoxFuture<()>;
}

/// What a server does when its registry cannot announce it at startup
/// (`ServerBuilder::on_registry_failure`).
///
/// Either way the failure is logged at WARN (install a `tracing`
/// subscriber to see it), and a late success at INFO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OnRegistryFailure {
    /// Serve unregistered (clients that know the address can call) and
    /// retry the announcement in the background, with backoff from 100 ms
    /// up to 10 s, until it succeeds or the server shuts down. The default.
    #[default]
    KeepTrying,
    /// Stop the server and make `bind` (`listen`, `serve`…) fail with an
    /// [`std::io::Error`] whose inner error is the [`AnnounceError`]
    /// (`error.get_ref()` then `downcast_ref::<AnnounceError>()`).
    FailStartup,
}

/// Why an [`Announcer`] could not announce the server; the registry's own
/// error is its [`source`](Error::source).
#[derive(Debug)]
pub struct AnnounceError {
    source: Box<dyn Error + Send + Sync>,
}

impl AnnounceError {
    /// The announcement failed because of `source` (a registry error, or a
    /// message).
    pub fn new(source: impl Into<Box<dyn Error + Send + Sync>>) -> AnnounceError {
        AnnounceError {
            source: source.into(),
        }
    }
}

impl std::fmt::Display for AnnounceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The cause is in the message too: most users print only the top
        // error of a failed startup.
        write!(
            f,
            "could not announce the server to its registry: {}",
            self.source
        )
    }
}

impl Error for AnnounceError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.source)
    }
}
