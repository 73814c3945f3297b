//! The etcd v3 backend (feature `etcd`): [`EtcdRegistry`] and [`EtcdDiscovery`].
//!
//! Key layout (rpcx-compatible): `{base}/{Service}/{network}@{address}`, the
//! value the endpoint's metadata as a URL query string, e.g.
//! `/rpc/Arith/tcp@10.0.0.7:8972` → `weight=10&group=blue&state=active`.
//! Keys carry a lease the registry keeps alive.

mod discovery;
mod keeper;
mod registry;

use std::time::Duration;

pub use discovery::EtcdDiscovery;
pub use registry::EtcdRegistry;

use crate::RegistryError;

/// Where etcd is and how to use it.
#[derive(Debug, Clone)]
pub struct EtcdConfig {
    /// Client URLs of the cluster's members, e.g. `http://127.0.0.1:2379`.
    pub endpoints: Vec<String>,
    /// Key prefix. Default `/rpc`.
    pub base: String,
    /// Lease time-to-live of registered keys. Default 10 s.
    pub ttl: Duration,
    /// User name and password, if etcd has auth enabled.
    pub credentials: Option<(String, String)>,
    /// Connect and request timeout. Default 5 s.
    pub timeout: Duration,
}

impl EtcdConfig {
    /// Defaults for a cluster at `endpoints`.
    pub fn new(endpoints: impl IntoIterator<Item = impl Into<String>>) -> EtcdConfig {
        EtcdConfig {
            endpoints: endpoints.into_iter().map(Into::into).collect(),
            base: "/rpc".to_owned(),
            ttl: Duration::from_secs(10),
            credentials: None,
            timeout: Duration::from_secs(5),
        }
    }

    /// Parses `etcd://host:port[,host:port...][/base]`, with optional
    /// `user:password@` before the first host.
    pub fn from_url(url: &str) -> Result<EtcdConfig, RegistryError> {
        let rest = url
            .strip_prefix("etcd://")
            .ok_or_else(|| RegistryError::BadUrl(format!("{url:?} does not start with etcd://")))?;
        let (hosts, base) = match rest.find('/') {
            Some(slash) => (&rest[..slash], &rest[slash..]),
            None => (rest, ""),
        };
        let (credentials, hosts) = match hosts.rsplit_once('@') {
            Some((user_password, hosts)) => {
                let (user, password) = user_password.split_once(':').ok_or_else(|| {
                    RegistryError::BadUrl("credentials must be user:password".into())
                })?;
                (Some((user.to_owned(), password.to_owned())), hosts)
            }
            None => (None, hosts),
        };
        let endpoints: Vec<String> = hosts
            .split(',')
            .filter(|h| !h.is_empty())
            .map(|h| format!("http://{h}"))
            .collect();
        if endpoints.is_empty() {
            return Err(RegistryError::BadUrl(format!("{url:?} names no etcd host")));
        }
        let mut config = EtcdConfig::new(endpoints);
        if !base.is_empty() && base != "/" {
            config.base = base.trim_end_matches('/').to_owned();
        }
        config.credentials = credentials;
        Ok(config)
    }

    /// The prefix of every key of `service`, with a trailing slash.
    pub fn service_prefix(&self, service: &str) -> String {
        format!("{}/{}/", self.base, service)
    }

    /// The key of `endpoint_id` under `service`.
    pub fn key(&self, service: &str, endpoint_id: &str) -> String {
        format!("{}/{}/{}", self.base, service, endpoint_id)
    }

    pub(crate) async fn connect(&self) -> Result<etcd_client::Client, RegistryError> {
        let mut options = etcd_client::ConnectOptions::new()
            .with_connect_timeout(self.timeout)
            .with_timeout(self.timeout)
            .with_keep_alive(Duration::from_secs(5), self.timeout);
        if let Some((user, password)) = &self.credentials {
            options = options.with_user(user.clone(), password.clone());
        }
        etcd_client::Client::connect(&self.endpoints, Some(options))
            .await
            .map_err(backend)
    }
}

pub(crate) fn backend(error: etcd_client::Error) -> RegistryError {
    RegistryError::Backend(error.to_string())
}

/// The pause before retrying after the `attempt`-th consecutive failure.
pub(crate) fn retry_delay(attempt: u32) -> Duration {
    Duration::from_millis(100)
        .saturating_mul(1 << attempt.min(5))
        .min(Duration::from_secs(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_hosts_base_and_credentials() {
        let config = EtcdConfig::from_url("etcd://127.0.0.1:2379").unwrap();
        assert_eq!(config.endpoints, ["http://127.0.0.1:2379"]);
        assert_eq!(config.base, "/rpc");
        assert_eq!(
            config.key("Arith", "tcp@1.2.3.4:5"),
            "/rpc/Arith/tcp@1.2.3.4:5"
        );
        let config = EtcdConfig::from_url("etcd://u:p@h1:1,h2:2/services/").unwrap();
        assert_eq!(config.endpoints, ["http://h1:1", "http://h2:2"]);
        assert_eq!(config.base, "/services");
        assert_eq!(config.credentials, Some(("u".into(), "p".into())));
        assert!(EtcdConfig::from_url("http://x").is_err());
        assert!(EtcdConfig::from_url("etcd:///rpc").is_err());
    }
}
