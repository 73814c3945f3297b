//! [`Registration`]: a registry as the server's [`Announcer`], with the
//! metadata and address to announce.

use std::sync::Arc;

use rpc_core::server::{AnnounceError, Announcer};
use rpc_core::{BoxFuture, PeerAddr};

use crate::{Endpoint, EndpointMetadata, Registry, RegistryError};

/// Announces a server's services in a [`Registry`]:
/// `Server::builder().registry(Registration::new(registry))`.
///
/// The endpoint is the server's bound address, unless an advertised address
/// is set, which is required when the server binds a wildcard address such
/// as `0.0.0.0` (no client could dial that).
#[derive(Clone)]
pub struct Registration {
    registry: Arc<dyn Registry>,
    metadata: EndpointMetadata,
    advertise: Option<String>,
}

impl Registration {
    /// Announces through `registry` with default metadata (weight 1, active).
    pub fn new(registry: impl Registry) -> Registration {
        Registration {
            registry: Arc::new(registry),
            metadata: EndpointMetadata::default(),
            advertise: None,
        }
    }

    /// Announces through a shared registry (e.g. from [`registry_from_url`](crate::registry_from_url)).
    pub fn from_arc(registry: Arc<dyn Registry>) -> Registration {
        Registration {
            registry,
            metadata: EndpointMetadata::default(),
            advertise: None,
        }
    }

    /// With this metadata (weight, group, version, state, free-form keys).
    pub fn metadata(mut self, metadata: EndpointMetadata) -> Registration {
        self.metadata = metadata;
        self
    }

    /// Announces `host:port` instead of the bound address.
    pub fn advertise(mut self, address: impl Into<String>) -> Registration {
        self.advertise = Some(address.into());
        self
    }

    fn endpoint(&self, address: &PeerAddr) -> Result<Endpoint, RegistryError> {
        let endpoint = match (&self.advertise, address) {
            (Some(advertised), PeerAddr::Tcp(_)) => Endpoint::tcp(advertised.clone()),
            (None, PeerAddr::Tcp(addr)) if addr.ip().is_unspecified() => {
                return Err(RegistryError::BadEndpoint(format!(
                    "the server is bound to the wildcard address {addr}; set an advertised address"
                )));
            }
            (_, PeerAddr::Tcp(addr)) => Endpoint::tcp(addr.to_string()),
            (_, PeerAddr::Unix(Some(path))) => Endpoint::unix(path.display().to_string()),
            (_, PeerAddr::Unix(None)) => {
                return Err(RegistryError::BadEndpoint(
                    "an unnamed Unix socket cannot be announced".into(),
                ));
            }
            (_, other) => {
                return Err(RegistryError::BadEndpoint(format!(
                    "{other} cannot be announced"
                )));
            }
        };
        Ok(endpoint.with_metadata(self.metadata.clone()))
    }
}

impl Announcer for Registration {
    fn announce(
        &self,
        address: PeerAddr,
        services: Vec<&'static str>,
    ) -> BoxFuture<Result<(), AnnounceError>> {
        let registry = Arc::clone(&self.registry);
        let endpoint = self.endpoint(&address);
        Box::pin(async move {
            let endpoint = endpoint.map_err(AnnounceError::new)?;
            // Every service is tried; the first failure is the one reported
            // (the others are logged), with the registry's error as source.
            let mut first_error = None;
            for service in services {
                match registry.register(service, &endpoint).await {
                    Ok(()) => tracing::info!(service, %endpoint, "registered"),
                    Err(error) => {
                        tracing::debug!(service, %endpoint, %error, "could not register");
                        first_error.get_or_insert(ServiceNotRegistered { service, error });
                    }
                }
            }
            match first_error {
                None => Ok(()),
                Some(error) => Err(AnnounceError::new(error)),
            }
        })
    }

    fn withdraw(&self, address: PeerAddr, services: Vec<&'static str>) -> BoxFuture<()> {
        let registry = Arc::clone(&self.registry);
        let endpoint = self.endpoint(&address);
        Box::pin(async move {
            let Ok(endpoint) = endpoint else { return };
            for service in services {
                match registry.deregister(service, &endpoint).await {
                    Ok(()) => tracing::info!(service, %endpoint, "deregistered"),
                    Err(error) => {
                        tracing::warn!(service, %endpoint, %error, "could not deregister")
                    }
                }
            }
        })
    }
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("metadata", &self.metadata)
            .field("advertise", &self.advertise)
            .finish_non_exhaustive()
    }
}

/// One service a registry refused, and why.
#[derive(Debug, thiserror::Error)]
#[error("service {service}: {error}")]
struct ServiceNotRegistered {
    service: &'static str,
    #[source]
    error: RegistryError,
}
