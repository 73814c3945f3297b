//! The etcd v3 backend (feature `etcd`): [`EtcdRegistry`] and [`EtcdDiscovery`].
//!
//! Key layout (rpcx-compatible): `{base}/{Service}/{network}@{address}`, the
//! value the endpoint's metadata as a URL query string, e.g.
//! `/rpc/Arith/tcp@10.0.0.7:8972` → `weight=10&group=blue&state=active`.
//! Keys carry a lease the registry keeps alive.

mod config;
mod config_url;
mod credentials;
mod discovery;
mod keeper;
mod registry;
mod setup_error;
mod tls;
mod watched;

use std::time::Duration;

pub use config::{EtcdConfig, EtcdConfigBuilder};
pub use credentials::EtcdCredentials;
pub use discovery::EtcdDiscovery;
pub use registry::EtcdRegistry;
pub use setup_error::EtcdSetupError;
pub use tls::EtcdTls;

use crate::{BackendError, RegistryError};

pub(crate) fn backend(error: etcd_client::Error) -> RegistryError {
    RegistryError::Backend(BackendError::from_source(error))
}

/// The pause before retrying after the `attempt`-th consecutive failure.
pub(crate) fn retry_delay(attempt: u32) -> Duration {
    Duration::from_millis(100)
        .saturating_mul(1 << attempt.min(5))
        .min(Duration::from_secs(3))
}
