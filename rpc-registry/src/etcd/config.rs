//! [`EtcdConfig`]: where etcd is and how to use it, from code or from a URL
//! (`etcd://user:password@host:port,host:port/base?ttl=5s`).

use std::time::Duration;

use super::backend;
use crate::{RegistryError, SelfPreservation};

/// Where etcd is and how to use it.
#[derive(Clone)]
pub struct EtcdConfig {
    /// Client URLs of the cluster's members, e.g. `http://127.0.0.1:2379`.
    pub endpoints: Vec<String>,
    /// Key prefix. Default `/rpc`.
    pub base: String,
    /// Lease time-to-live of registered keys, in whole seconds. Default 10 s.
    pub ttl: Duration,
    /// User name and password, if etcd has auth enabled. `Debug` output
    /// shows the user name only.
    pub credentials: Option<(String, String)>,
    /// Connect and request timeout. Default 5 s.
    pub timeout: Duration,
    /// Discovery's rule for endpoints vanishing en masse; `None` (the
    /// default) holds them for two TTLs. [`SelfPreservation::off`] turns it off.
    pub self_preservation: Option<SelfPreservation>,
}

/// The URL parameters [`EtcdConfig::from_url`] understands.
const PARAMETERS: &str = "ttl, timeout, hold";

impl EtcdConfig {
    /// Defaults for a cluster at `endpoints`.
    pub fn new(endpoints: impl IntoIterator<Item = impl Into<String>>) -> EtcdConfig {
        EtcdConfig {
            endpoints: endpoints.into_iter().map(Into::into).collect(),
            base: "/rpc".to_owned(),
            ttl: Duration::from_secs(10),
            credentials: None,
            timeout: Duration::from_secs(5),
            self_preservation: None,
        }
    }

    /// Parses `etcd://host:port[,host:port...][/base][?parameters]`, with
    /// optional `user:password@` before the first host. Parameters:
    /// `ttl` (lease TTL, whole seconds: `ttl=5s`), `timeout` (`timeout=2s`),
    /// `hold` (discovery's self-preservation hold, `hold=0s` turns it off).
    /// Durations take a unit: `ms`, `s`, `m`. Any other parameter is an
    /// error (it would otherwise end up in the key prefix).
    pub fn from_url(url: &str) -> Result<EtcdConfig, RegistryError> {
        let rest = url
            .strip_prefix("etcd://")
            .ok_or_else(|| RegistryError::BadUrl(format!("{url:?} does not start with etcd://")))?;
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
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
            return Err(RegistryError::BadUrl("etcd URL names no etcd host".into()));
        }
        let mut config = EtcdConfig::new(endpoints);
        if !base.is_empty() && base != "/" {
            config.base = base.trim_end_matches('/').to_owned();
        }
        config.credentials = credentials;
        let mut seen = Vec::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if seen.contains(&name) {
                return Err(RegistryError::BadUrl(format!(
                    "etcd URL parameter {name:?} given twice"
                )));
            }
            let duration = parse_duration(&value).ok_or_else(|| {
                RegistryError::BadUrl(format!(
                    "etcd URL parameter {name}={value:?}: expected a duration such as 5s or 500ms"
                ))
            });
            match &*name {
                "ttl" => {
                    let ttl = duration?;
                    if ttl.as_secs() == 0 || ttl.subsec_nanos() != 0 {
                        return Err(RegistryError::BadUrl(format!(
                            "etcd URL parameter ttl={value}: etcd leases last whole seconds, at least 1s"
                        )));
                    }
                    config.ttl = ttl;
                }
                "timeout" => config.timeout = duration?,
                "hold" => config.self_preservation = Some(SelfPreservation::new(duration?)),
                _ => {
                    return Err(RegistryError::BadUrl(format!(
                        "unknown etcd URL parameter {name:?} (known: {PARAMETERS})"
                    )));
                }
            }
            seen.push(name);
        }
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

    /// Discovery's self-preservation rule: the one set, or a hold of two TTLs.
    pub fn self_preservation(&self) -> SelfPreservation {
        self.self_preservation
            .unwrap_or_else(|| SelfPreservation::new(self.ttl * 2))
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

impl std::fmt::Debug for EtcdConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password stays out of logs and panic messages.
        let user = self.credentials.as_ref().map(|(user, _)| user);
        f.debug_struct("EtcdConfig")
            .field("endpoints", &self.endpoints)
            .field("base", &self.base)
            .field("ttl", &self.ttl)
            .field("user", &user)
            .field("timeout", &self.timeout)
            .field("self_preservation", &self.self_preservation)
            .finish()
    }
}

/// `500ms`, `5s`, `2m`.
fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(number)),
        "s" => Some(Duration::from_secs(number)),
        "m" => Some(Duration::from_secs(number.checked_mul(60)?)),
        _ => None,
    }
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

    #[test]
    fn url_parameters_set_ttl_timeout_and_hold() {
        let config = EtcdConfig::from_url("etcd://h:1/base?ttl=5s&timeout=500ms&hold=1m").unwrap();
        assert_eq!(config.base, "/base");
        assert_eq!(config.ttl, Duration::from_secs(5));
        assert_eq!(config.timeout, Duration::from_millis(500));
        assert_eq!(config.self_preservation().hold, Duration::from_secs(60));
        let config = EtcdConfig::from_url("etcd://h:1?ttl=3s").unwrap();
        assert_eq!(config.endpoints, ["http://h:1"]);
        assert_eq!(config.base, "/rpc");
        assert_eq!(config.ttl, Duration::from_secs(3));
        assert_eq!(config.self_preservation().hold, Duration::from_secs(6));
        let off = EtcdConfig::from_url("etcd://h:1?hold=0s").unwrap();
        assert_eq!(off.self_preservation().hold, Duration::ZERO);
    }

    #[test]
    fn unknown_or_malformed_url_parameters_are_errors() {
        for url in [
            "etcd://h:1/rpc?tll=5s",
            "etcd://h:1?weight=3",
            "etcd://h:1?ttl=5",
            "etcd://h:1?ttl=1500ms",
            "etcd://h:1?ttl=0s",
            "etcd://h:1?ttl=5s&ttl=6s",
            "etcd://h:1?timeout=soon",
        ] {
            let error = EtcdConfig::from_url(url).unwrap_err();
            assert!(matches!(error, RegistryError::BadUrl(_)), "{url}: {error}");
        }
        let error = EtcdConfig::from_url("etcd://h:1/rpc?tll=5s").unwrap_err();
        assert!(error.to_string().contains("\"tll\""), "{error}");
    }

    #[test]
    fn debug_output_leaves_the_password_out() {
        let config = EtcdConfig::from_url("etcd://alice:s3cr3t-pw@h:1").unwrap();
        let shown = format!("{config:?}");
        assert!(shown.contains("alice"), "{shown}");
        assert!(!shown.contains("s3cr3t-pw"), "{shown}");
        let error = EtcdConfig::from_url("etcd://alice:s3cr3t-pw@h:1?bad=1").unwrap_err();
        assert!(!error.to_string().contains("s3cr3t-pw"), "{error}");
    }
}
