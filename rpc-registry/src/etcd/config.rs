//! [`EtcdConfig`] and its [`EtcdConfigBuilder`]: where etcd is and how to
//! use it (from a URL: [`EtcdConfig::from_url`], in `config_url.rs`).

use std::time::Duration;

use rpc_core::ConfigError;

use super::{EtcdCredentials, EtcdTls, backend};
use crate::{RegistryError, SelfPreservation};

/// Where etcd is and how to use it. [`EtcdConfig::new`] gives the defaults
/// for a cluster, [`EtcdConfig::builder`] changes them,
/// [`EtcdConfig::from_url`] reads them from a URL.
///
/// ```
/// use std::time::Duration;
/// use rpc_registry::etcd::EtcdConfig;
///
/// let config = EtcdConfig::builder(["etcd://127.0.0.1:2379"])
///     .ttl(Duration::from_secs(5))
///     .base("/services")
///     .build()
///     .unwrap();
/// assert_eq!(config.key("Arith", "tcp@10.0.0.7:8972"), "/services/Arith/tcp@10.0.0.7:8972");
/// ```
#[derive(Clone)]
pub struct EtcdConfig {
    pub(crate) endpoints: Vec<String>,
    pub(crate) base: String,
    pub(crate) ttl: Duration,
    pub(crate) credentials: Option<EtcdCredentials>,
    pub(crate) tls: Option<EtcdTls>,
    pub(crate) timeout: Duration,
    pub(crate) self_preservation: Option<SelfPreservation>,
}

impl EtcdConfig {
    /// Defaults for a cluster at `endpoints`.
    ///
    /// An endpoint is written as everywhere else in this framework,
    /// `etcd://host:port` (`etcds://host:port` with [`EtcdConfig::tls`] set), or as a plain
    /// `host:port`; etcd's own `http://host:port` and `https://host:port`
    /// are accepted as aliases. Users, paths and parameters belong in
    /// [`EtcdConfig::from_url`], not here.
    ///
    /// ```
    /// # use rpc_registry::etcd::EtcdConfig;
    /// let config = EtcdConfig::new(["etcd://10.0.0.1:2379", "10.0.0.2:2379", "http://10.0.0.3:2379"]);
    /// assert_eq!(
    ///     config.endpoints(),
    ///     ["http://10.0.0.1:2379", "http://10.0.0.2:2379", "http://10.0.0.3:2379"]
    /// );
    /// ```
    pub fn new(endpoints: impl IntoIterator<Item = impl Into<String>>) -> EtcdConfig {
        EtcdConfig {
            endpoints: endpoints
                .into_iter()
                .map(|endpoint| etcd_client_url(endpoint.into()))
                .collect(),
            base: "/rpc".to_owned(),
            ttl: Duration::from_secs(10),
            credentials: None,
            tls: None,
            timeout: Duration::from_secs(5),
            self_preservation: None,
        }
    }

    /// A builder starting from the defaults for a cluster at `endpoints`
    /// (written as for [`EtcdConfig::new`]).
    pub fn builder(endpoints: impl IntoIterator<Item = impl Into<String>>) -> EtcdConfigBuilder {
        EtcdConfigBuilder {
            config: EtcdConfig::new(endpoints),
        }
    }

    /// A builder starting from this config's settings.
    pub fn to_builder(&self) -> EtcdConfigBuilder {
        EtcdConfigBuilder {
            config: self.clone(),
        }
    }

    /// Client URLs of the cluster's members, e.g. `http://127.0.0.1:2379`
    /// (no default: [`EtcdConfig::new`] and [`EtcdConfig::builder`] take
    /// them).
    pub fn endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// Key prefix: keys are `{base}/{Service}/{network}@{address}`, taken
    /// verbatim (the `/` before the service is added). Default: `/rpc`.
    ///
    /// To share keys with a Go rpcx fleet, write its `BasePath` as its etcd
    /// store writes it: rpcx-etcd's etcd v3 store (`etcdv3`) writes keys as
    /// given, so `BasePath: "/rpcx_test"` is `base = "/rpcx_test"`; stores
    /// built on libkv's key normalization (the etcd v2 store, whose
    /// `normalize` strips the leading `/`) write `rpcx_test/Arith/tcp@…`,
    /// which is `base = "rpcx_test"`, without the slash (in a URL:
    /// `etcd://host:port?base=rpcx_test`). Go's discovery finds this
    /// project's keys under either, and this project's discovery finds
    /// Go's keys (its `rpcx_test` → `rpcx_path` and `rpcx_test/Arith` →
    /// `Arith` entries are not under any service's prefix and are ignored).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Lease time-to-live of registered keys, in whole seconds. Default: 10 s.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// User name and password, if etcd has auth enabled. `Debug` output
    /// shows the user name only. Default: none.
    pub fn credentials(&self) -> Option<&EtcdCredentials> {
        self.credentials.as_ref()
    }

    /// TLS to etcd (endpoints then use `https://`). Needs the `tls` feature
    /// to connect. Default: none (plaintext).
    pub fn tls(&self) -> Option<&EtcdTls> {
        self.tls.as_ref()
    }

    /// Connect and request timeout. Default: 5 s.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Discovery's rule for endpoints vanishing en masse: the one set, or
    /// (the default) a hold of two TTLs. [`SelfPreservation::off`] turns it
    /// off.
    pub fn self_preservation(&self) -> SelfPreservation {
        self.self_preservation
            .unwrap_or_else(|| SelfPreservation::new(self.ttl * 2))
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
        if let Some(credentials) = &self.credentials {
            options = options.with_user(credentials.user(), credentials.password());
        }
        if let Some(tls) = &self.tls {
            #[cfg(feature = "tls")]
            {
                options = options.with_tls(tls.options());
            }
            #[cfg(not(feature = "tls"))]
            {
                let _ = tls;
                return Err(RegistryError::Backend(crate::BackendError::new(
                    "etcd over TLS needs rpc-registry's `tls` feature",
                )));
            }
        }
        etcd_client::Client::connect(&self.endpoints, Some(options))
            .await
            .map_err(backend)
    }
}

impl std::fmt::Debug for EtcdConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password stays out of logs and panic messages.
        let user = self.credentials.as_ref().map(EtcdCredentials::user);
        f.debug_struct("EtcdConfig")
            .field("endpoints", &self.endpoints)
            .field("base", &self.base)
            .field("ttl", &self.ttl)
            .field("user", &user)
            .field("tls", &self.tls)
            .field("timeout", &self.timeout)
            .field("self_preservation", &self.self_preservation)
            .finish()
    }
}

/// etcd's client URL for an endpoint written `etcd://host:port`,
/// `etcds://host:port`, `host:port`, or already `http(s)://host:port`.
fn etcd_client_url(endpoint: String) -> String {
    if let Some(host) = endpoint.strip_prefix("etcd://") {
        format!("http://{host}")
    } else if let Some(host) = endpoint.strip_prefix("etcds://") {
        format!("https://{host}")
    } else if endpoint.contains("://") {
        endpoint
    } else {
        format!("http://{endpoint}")
    }
}

/// Builds an [`EtcdConfig`]: by-value setters, one per setting, then
/// [`build`](EtcdConfigBuilder::build), which checks them.
#[derive(Clone, Debug)]
pub struct EtcdConfigBuilder {
    config: EtcdConfig,
}

impl EtcdConfigBuilder {
    /// The cluster's members, written as for [`EtcdConfig::new`]. No
    /// default: [`EtcdConfig::builder`] takes them.
    pub fn endpoints(mut self, endpoints: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.config.endpoints = EtcdConfig::new(endpoints).endpoints;
        self
    }

    /// Key prefix, taken verbatim; see [`EtcdConfig::base`] for a Go rpcx
    /// fleet's. Default: `/rpc`.
    pub fn base(mut self, base: impl Into<String>) -> Self {
        self.config.base = base.into();
        self
    }

    /// Lease time-to-live of registered keys, in whole seconds. Default: 10 s.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.config.ttl = ttl;
        self
    }

    /// User name and password, if etcd has auth enabled. `Debug` output
    /// shows the user name only. Default: none.
    pub fn credentials(mut self, credentials: impl Into<Option<EtcdCredentials>>) -> Self {
        self.config.credentials = credentials.into();
        self
    }

    /// TLS to etcd (endpoints then use `https://`). Needs the `tls` feature
    /// to connect. Default: none (plaintext).
    pub fn tls(mut self, tls: impl Into<Option<EtcdTls>>) -> Self {
        self.config.tls = tls.into();
        self
    }

    /// Connect and request timeout. Default: 5 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// Discovery's rule for endpoints vanishing en masse. Default: none, a
    /// hold of two TTLs. [`SelfPreservation::off`] turns it off.
    pub fn self_preservation(
        mut self,
        self_preservation: impl Into<Option<SelfPreservation>>,
    ) -> Self {
        self.config.self_preservation = self_preservation.into();
        self
    }

    /// The config, or why it cannot work: no endpoint, a zero timeout, a
    /// TTL under a second or not in whole seconds (etcd leases last whole
    /// seconds).
    pub fn build(self) -> Result<EtcdConfig, ConfigError> {
        let c = &self.config;
        if c.endpoints.is_empty() {
            return Err(ConfigError::Empty {
                setting: "endpoints",
            });
        }
        if c.timeout.is_zero() {
            return Err(ConfigError::Zero { setting: "timeout" });
        }
        if c.ttl.as_secs() == 0 || c.ttl.subsec_nanos() != 0 {
            return Err(ConfigError::OutOfRange {
                setting: "ttl",
                expected: "whole seconds, at least 1 s",
            });
        }
        Ok(self.config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_build() {
        let config = EtcdConfig::builder(["h:1"]).build().unwrap();
        assert_eq!(config.endpoints(), ["http://h:1"]);
        assert_eq!(config.base(), "/rpc");
        assert_eq!(config.ttl(), Duration::from_secs(10));
        let config = config.to_builder().endpoints(["etcds://h:2"]).build();
        assert_eq!(config.unwrap().endpoints(), ["https://h:2"]);
    }

    #[test]
    fn build_refuses_each_invalid_setting() {
        let b = || EtcdConfig::builder(["h:1"]);
        let none: [&str; 0] = [];
        assert_eq!(
            EtcdConfig::builder(none).build().unwrap_err(),
            ConfigError::Empty {
                setting: "endpoints"
            }
        );
        assert_eq!(
            b().timeout(Duration::ZERO).build().unwrap_err(),
            ConfigError::Zero { setting: "timeout" }
        );
        for ttl in [Duration::ZERO, Duration::from_millis(1500)] {
            assert_eq!(
                b().ttl(ttl).build().unwrap_err(),
                ConfigError::OutOfRange {
                    setting: "ttl",
                    expected: "whole seconds, at least 1 s",
                },
                "{ttl:?}"
            );
        }
    }
}
