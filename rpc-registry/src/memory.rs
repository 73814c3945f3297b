//! [`MemoryRegistry`]: an in-process registry, the embedded default for
//! one-process setups and tests of client policies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use crate::{
    Discovery, Endpoint, EndpointSet, EndpointWatch, Registry, RegistryError, RegistryFuture,
};

/// A registry shared by clones within one process: servers register into it,
/// clients discover from it. No network, no persistence.
#[derive(Debug, Clone, Default)]
pub struct MemoryRegistry {
    services: Arc<Mutex<HashMap<String, watch::Sender<Arc<EndpointSet>>>>>,
}

impl MemoryRegistry {
    /// An empty registry.
    pub fn new() -> MemoryRegistry {
        MemoryRegistry::default()
    }

    fn with_service<T>(
        &self,
        service: &str,
        f: impl FnOnce(&watch::Sender<Arc<EndpointSet>>) -> T,
    ) -> T {
        let mut services = self.services.lock().unwrap_or_else(|p| p.into_inner());
        let sender = services
            .entry(service.to_owned())
            .or_insert_with(|| watch::channel(Arc::new(EndpointSet::new())).0);
        f(sender)
    }

    /// The endpoints of `service` right now.
    pub fn endpoints(&self, service: &str) -> Arc<EndpointSet> {
        self.with_service(service, |sender| Arc::clone(&sender.borrow()))
    }
}

impl Registry for MemoryRegistry {
    fn register<'a>(
        &'a self,
        service: &'a str,
        endpoint: &'a Endpoint,
    ) -> RegistryFuture<'a, Result<(), RegistryError>> {
        self.with_service(service, |sender| {
            sender.send_modify(|set| {
                Arc::make_mut(set).insert(endpoint.id(), endpoint.clone());
            })
        });
        Box::pin(std::future::ready(Ok(())))
    }

    fn deregister<'a>(
        &'a self,
        service: &'a str,
        endpoint: &'a Endpoint,
    ) -> RegistryFuture<'a, Result<(), RegistryError>> {
        self.with_service(service, |sender| {
            sender.send_if_modified(|set| Arc::make_mut(set).remove(&endpoint.id()).is_some())
        });
        Box::pin(std::future::ready(Ok(())))
    }
}

impl Discovery for MemoryRegistry {
    fn watch<'a>(
        &'a self,
        service: &'a str,
    ) -> RegistryFuture<'a, Result<EndpointWatch, RegistryError>> {
        let view = self.with_service(service, |sender| EndpointWatch::new(sender.subscribe()));
        Box::pin(std::future::ready(Ok(view)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Change, EndpointMetadata};

    #[tokio::test]
    async fn registrations_reach_watchers_as_changes() {
        let registry = MemoryRegistry::new();
        let a = Endpoint::tcp("127.0.0.1:1");
        registry.register("Arith", &a).await.unwrap();
        let mut view = registry.watch("Arith").await.unwrap();
        assert_eq!(view.current().len(), 1);
        let b = Endpoint::tcp("127.0.0.1:2");
        registry.register("Arith", &b).await.unwrap();
        assert_eq!(view.changes().await.unwrap(), [Change::Added(b.clone())]);
        let heavier = a
            .clone()
            .with_metadata(EndpointMetadata::new().with("weight", "3"));
        registry.register("Arith", &heavier).await.unwrap();
        assert_eq!(view.changes().await.unwrap(), [Change::Updated(heavier)]);
        registry.deregister("Arith", &b).await.unwrap();
        assert_eq!(view.changes().await.unwrap(), [Change::Removed(b.id())]);
        assert!(registry.endpoints("Other").is_empty());
    }
}
