//! [`Registry`] (server side) and [`Discovery`] (client side): the two
//! interfaces every backend implements.

use std::future::Future;
use std::pin::Pin;

use crate::{Endpoint, EndpointWatch, RegistryError};

/// A boxed future borrowing its receiver, as the object-safe traits here return.
pub type RegistryFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The server side: announces endpoints of services and keeps them alive.
pub trait Registry: Send + Sync + 'static {
    /// Announces `endpoint` as a server of `service`, or replaces its
    /// metadata if it is already announced. The backend keeps it alive until
    /// [`Registry::deregister`] (or the process dies).
    fn register<'a>(
        &'a self,
        service: &'a str,
        endpoint: &'a Endpoint,
    ) -> RegistryFuture<'a, Result<(), RegistryError>>;

    /// Withdraws `endpoint` from `service`.
    fn deregister<'a>(
        &'a self,
        service: &'a str,
        endpoint: &'a Endpoint,
    ) -> RegistryFuture<'a, Result<(), RegistryError>>;
}

/// The client side: the live endpoint set of a service.
pub trait Discovery: Send + Sync + 'static {
    /// A live view of `service`'s endpoints, once its first set is known.
    /// Fails only if that first set cannot be read; afterwards the view keeps
    /// the last known set through backend outages.
    fn watch<'a>(
        &'a self,
        service: &'a str,
    ) -> RegistryFuture<'a, Result<EndpointWatch, RegistryError>>;
}
