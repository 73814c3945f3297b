//! [`StaticDiscovery`]: a fixed list of peers, the zero-dependency way to
//! point a client at servers.

use std::sync::Arc;

use tokio::sync::watch;

use crate::{Discovery, Endpoint, EndpointSet, EndpointWatch, RegistryError, RegistryFuture};

/// The same endpoints for every service, set by hand.
#[derive(Debug, Clone)]
pub struct StaticDiscovery {
    sender: Arc<watch::Sender<Arc<EndpointSet>>>,
}

impl StaticDiscovery {
    /// These endpoints.
    pub fn new(endpoints: impl IntoIterator<Item = Endpoint>) -> StaticDiscovery {
        let set: EndpointSet = endpoints.into_iter().map(|e| (e.id(), e)).collect();
        StaticDiscovery {
            sender: Arc::new(watch::channel(Arc::new(set)).0),
        }
    }

    /// One TCP address, `host:port`.
    pub fn single(address: impl Into<String>) -> StaticDiscovery {
        StaticDiscovery::new([Endpoint::tcp(address)])
    }

    /// Parses a comma-separated list of `host:port` or `network@address?query`.
    pub fn parse(list: &str) -> Result<StaticDiscovery, RegistryError> {
        let endpoints = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|item| {
                if item.contains('@') {
                    item.parse()
                } else {
                    Ok(Endpoint::tcp(item))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(StaticDiscovery::new(endpoints))
    }

    /// Replaces the endpoints; watchers see the changes.
    pub fn set_endpoints(&self, endpoints: impl IntoIterator<Item = Endpoint>) {
        let set: EndpointSet = endpoints.into_iter().map(|e| (e.id(), e)).collect();
        self.sender.send_replace(Arc::new(set));
    }
}

impl Discovery for StaticDiscovery {
    fn watch<'a>(
        &'a self,
        _service: &'a str,
    ) -> RegistryFuture<'a, Result<EndpointWatch, RegistryError>> {
        Box::pin(std::future::ready(Ok(EndpointWatch::new(
            self.sender.subscribe(),
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_parsed_list_is_what_every_service_sees() {
        let discovery = StaticDiscovery::parse("127.0.0.1:1, tcp@127.0.0.1:2?weight=4").unwrap();
        let view = discovery.watch("Anything").await.unwrap();
        let set = view.current();
        assert_eq!(set.len(), 2);
        assert_eq!(set["tcp@127.0.0.1:2"].metadata.weight(), 4);
        assert!(StaticDiscovery::parse("bogus@x").is_err());
    }
}
