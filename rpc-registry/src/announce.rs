//! [`Registration`]: a registry as the server's [`Announcer`], with the
//! metadata and address to announce.

use std::sync::Arc;

use rpc_core::server::Announcer;
use rpc_core::{BoxFuture, PeerAddr};

use crate::{Endpoint, EndpointMetadata, Registry};

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

    fn endpoint(&self, address: &PeerAddr) -> Result<Endpoint, String> {
        let endpoint = match (&self.advertise, address) {
            (Some(advertised), PeerAddr::Tcp(_)) => Endpoint::tcp(advertised.clone()),
            (None, PeerAddr::Tcp(addr)) if addr.ip().is_unspecified() => {
                return Err(format!(
                    "the server is bound to the wildcard address {addr}; set an advertised address"
                ));
            }
            (_, PeerAddr::Tcp(addr)) => Endpoint::tcp(addr.to_string()),
            (_, PeerAddr::Unix(Some(path))) => Endpoint::unix(path.display().to_string()),
            (_, PeerAddr::Unix(None)) => {
                return Err("an unnamed Unix socket cannot be announced".into());
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
    ) -> BoxFuture<Result<(), String>> {
        let registry = Arc::clone(&self.registry);
        let endpoint = self.endpoint(&address);
        Box::pin(async move {
            let endpoint = endpoint?;
            let mut errors = Vec::new();
            for service in services {
                match registry.register(service, &endpoint).await {
                    Ok(()) => tracing::info!(service, %endpoint, "registered"),
                    Err(error) => errors.push(format!("{service}: {error}")),
                }
            }
            if errors.is_empty() {
                Ok(())
            } else {
                Err(errors.join("; "))
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
