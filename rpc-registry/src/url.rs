//! Registries and discoveries named by URL, for command lines and config
//! files: `etcd://host:port[,host:port…][/base][?ttl=5s]`,
//! `static://host:port[,…]`.

use std::sync::Arc;

use crate::{Discovery, Registry, RegistryError, StaticDiscovery};

/// The discovery a URL names.
///
/// - `etcd://[user:password@]host:port[,host:port…][/base][?ttl=5s&timeout=2s&hold=20s]`:
///   etcd v3 (needs the `etcd` feature; parameters as in
///   `EtcdConfig::from_url`, any other parameter is an error);
/// - `static://host:port[,network@address?query…]`: a fixed peer list.
pub async fn discovery_from_url(url: &str) -> Result<Arc<dyn Discovery>, RegistryError> {
    if let Some(list) = url.strip_prefix("static://") {
        return Ok(Arc::new(StaticDiscovery::parse(list)?));
    }
    if url.starts_with("etcd://") {
        return etcd_discovery(url).await;
    }
    Err(RegistryError::BadUrl(format!(
        "{url:?}: expected etcd://… or static://…"
    )))
}

/// The registry a URL names, for servers: `etcd://…` gives an etcd registry;
/// `static://…` and `none` give `None` (nothing to announce).
pub async fn registry_from_url(url: &str) -> Result<Option<Arc<dyn Registry>>, RegistryError> {
    if url == "none" || url.starts_with("static://") {
        return Ok(None);
    }
    if url.starts_with("etcd://") {
        return etcd_registry(url).await.map(Some);
    }
    Err(RegistryError::BadUrl(format!(
        "{url:?}: expected etcd://…, static://… or none"
    )))
}

#[cfg(feature = "etcd")]
async fn etcd_discovery(url: &str) -> Result<Arc<dyn Discovery>, RegistryError> {
    let config = crate::etcd::EtcdConfig::from_url(url)?;
    Ok(Arc::new(crate::etcd::EtcdDiscovery::connect(config).await?))
}

#[cfg(feature = "etcd")]
async fn etcd_registry(url: &str) -> Result<Arc<dyn Registry>, RegistryError> {
    let config = crate::etcd::EtcdConfig::from_url(url)?;
    Ok(Arc::new(crate::etcd::EtcdRegistry::connect(config).await?))
}

#[cfg(not(feature = "etcd"))]
async fn etcd_discovery(url: &str) -> Result<Arc<dyn Discovery>, RegistryError> {
    Err(etcd_disabled(url))
}

#[cfg(not(feature = "etcd"))]
async fn etcd_registry(url: &str) -> Result<Arc<dyn Registry>, RegistryError> {
    Err(etcd_disabled(url))
}

#[cfg(not(feature = "etcd"))]
fn etcd_disabled(url: &str) -> RegistryError {
    RegistryError::FeatureDisabled(format!(
        "{url:?} needs etcd support, which this build leaves out: build with the `etcd` \\
         cargo feature (e.g. `--features etcd`; it needs `protoc`, Debian's protobuf-compiler)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn static_urls_need_no_backend() {
        let discovery = discovery_from_url("static://127.0.0.1:1,127.0.0.1:2")
            .await
            .unwrap();
        assert_eq!(discovery.watch("Any").await.unwrap().current().len(), 2);
        assert!(
            registry_from_url("static://127.0.0.1:1")
                .await
                .unwrap()
                .is_none()
        );
        assert!(registry_from_url("none").await.unwrap().is_none());
        assert!(discovery_from_url("zk://x").await.is_err());
    }

    #[cfg(feature = "etcd")]
    #[tokio::test]
    async fn unknown_etcd_url_parameters_are_refused_before_connecting() {
        let url = "etcd://127.0.0.1:1/rpc?ttl=5s&weight=3";
        let discovery = discovery_from_url(url).await;
        assert!(matches!(discovery, Err(RegistryError::BadUrl(_))));
        let registry = registry_from_url(url).await;
        assert!(matches!(registry, Err(RegistryError::BadUrl(_))));
    }
}
