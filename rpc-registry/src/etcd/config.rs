//! [`EtcdConfig`]: where etcd is and how to use it, from code or from a URL
//! (`etcd://user@host:port,host:port/base?ttl=5s&password_env=VAR`, and
//! `etcds://` for TLS).

use std::time::Duration;

use super::{EtcdCredentials, EtcdTls, backend};
use crate::{RegistryError, SelfPreservation};

/// Where etcd is and how to use it.
#[derive(Clone)]
pub struct EtcdConfig {
    /// Client URLs of the cluster's members, e.g. `http://127.0.0.1:2379`
    /// (no default: [`EtcdConfig::new`] takes them, in the address syntax
    /// described there).
    pub endpoints: Vec<String>,
    /// Key prefix: keys are `{base}/{Service}/{network}@{address}`, taken
    /// verbatim (the `/` before the service is added). Default `/rpc`.
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
    pub base: String,
    /// Lease time-to-live of registered keys, in whole seconds. Default 10 s.
    pub ttl: Duration,
    /// User name and password, if etcd has auth enabled. `Debug` output
    /// shows the user name only. Default: none.
    pub credentials: Option<EtcdCredentials>,
    /// TLS to etcd (endpoints then use `https://`). Needs the `tls` feature
    /// to connect. Default: none (plaintext).
    pub tls: Option<EtcdTls>,
    /// Connect and request timeout. Default 5 s.
    pub timeout: Duration,
    /// Discovery's rule for endpoints vanishing en masse; `None` (the
    /// default) holds them for two TTLs. [`SelfPreservation::off`] turns it off.
    pub self_preservation: Option<SelfPreservation>,
}

/// The URL parameters [`EtcdConfig::from_url`] understands.
const PARAMETERS: &str = "ttl, timeout, hold, base, password_env, ca, cert, key";

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
    ///     config.endpoints,
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

    /// Parses `etcd://host:port[,host:port...][/base][?parameters]`, with
    /// optional `user@` (or `user:password@`, kept for compatibility; a
    /// password in a URL ends up in shell histories and process lists)
    /// before the first host. `etcds://` is the same over TLS. Parameters:
    /// `ttl` (lease TTL, whole seconds: `ttl=5s`), `timeout` (`timeout=2s`),
    /// `hold` (discovery's self-preservation hold, `hold=0s` turns it off),
    /// `base` (the key prefix verbatim, for a prefix without the leading
    /// `/` that a URL path always has, as Go rpcx's libkv stores write
    /// theirs: `base=rpcx_test`; see [`EtcdConfig::base`]; not with a path),
    /// `password_env` (the environment variable holding the user's
    /// password), and for `etcds://`: `ca` (PEM file of the CA that signed
    /// etcd's certificate), `cert` and `key` (PEM files of a client
    /// certificate, for etcd's `--client-cert-auth`).
    /// Durations take a unit: `ms`, `s`, `m`. Any other parameter is an
    /// error (it would otherwise end up in the key prefix).
    pub fn from_url(url: &str) -> Result<EtcdConfig, RegistryError> {
        let (secure, rest) = match (url.strip_prefix("etcds://"), url.strip_prefix("etcd://")) {
            (Some(rest), _) => (true, rest),
            (None, Some(rest)) => (false, rest),
            (None, None) => {
                return Err(RegistryError::BadUrl(format!(
                    "{:?} does not start with etcd:// or etcds://{}",
                    redact_userinfo(url),
                    if url.starts_with("http://") || url.starts_with("https://") {
                        " (write etcd://host:port; etcd's http:// form is for EtcdConfig::new only)"
                    } else {
                        ""
                    }
                )));
            }
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (hosts, base) = match rest.find('/') {
            Some(slash) => (&rest[..slash], &rest[slash..]),
            None => (rest, ""),
        };
        let (user, password, hosts) = match hosts.rsplit_once('@') {
            Some((user_password, hosts)) => match user_password.split_once(':') {
                Some((user, password)) => (Some(user), Some(password.to_owned()), hosts),
                None => (Some(user_password), None, hosts),
            },
            None => (None, None, hosts),
        };
        let scheme = if secure { "https" } else { "http" };
        let endpoints: Vec<String> = hosts
            .split(',')
            .filter(|h| !h.is_empty())
            .map(|h| format!("{scheme}://{h}"))
            .collect();
        if endpoints.is_empty() {
            return Err(RegistryError::BadUrl("etcd URL names no etcd host".into()));
        }
        let mut config = EtcdConfig::new(endpoints);
        if !base.is_empty() && base != "/" {
            config.base = base.trim_end_matches('/').to_owned();
        }
        let mut password_env = None;
        let (mut ca, mut cert, mut key) = (None, None, None);
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
                "base" => {
                    if !base.is_empty() && base != "/" {
                        return Err(RegistryError::BadUrl(format!(
                            "etcd URL parameter base={value:?} and a path {base:?}: give one"
                        )));
                    }
                    config.base = value.trim_end_matches('/').to_owned();
                }
                "password_env" => password_env = Some(value.to_string()),
                "ca" => ca = Some(value.to_string()),
                "cert" => cert = Some(value.to_string()),
                "key" => key = Some(value.to_string()),
                _ => {
                    return Err(RegistryError::BadUrl(format!(
                        "unknown etcd URL parameter {name:?} (known: {PARAMETERS})"
                    )));
                }
            }
            seen.push(name);
        }
        config.credentials = match (user, password, password_env) {
            (None, None, None) => None,
            (Some(user), Some(password), None) => Some(EtcdCredentials::new(user, password)),
            (Some(user), None, Some(variable)) => {
                Some(EtcdCredentials::from_env(user, &variable).map_err(RegistryError::BadUrl)?)
            }
            (Some(user), None, None) => {
                return Err(RegistryError::BadUrl(format!(
                    "etcd user {user:?} without a password: add password_env=VARIABLE"
                )));
            }
            (Some(_), Some(_), Some(_)) => {
                return Err(RegistryError::BadUrl(
                    "a password in the URL and password_env: give one".into(),
                ));
            }
            (None, _, Some(_)) | (None, Some(_), None) => {
                return Err(RegistryError::BadUrl(
                    "password_env needs user@ in the URL".into(),
                ));
            }
        };
        config.tls = match (secure, ca, cert, key) {
            (false, None, None, None) => None,
            (false, ..) => {
                return Err(RegistryError::BadUrl(
                    "ca, cert and key are for etcds:// (TLS) URLs".into(),
                ));
            }
            (true, ca, cert, key) => {
                let tls = match ca {
                    Some(ca) => EtcdTls::from_ca_pem_file(ca).map_err(RegistryError::BadUrl)?,
                    None => EtcdTls::default(),
                };
                Some(match (cert, key) {
                    (None, None) => tls,
                    (Some(cert), Some(key)) => tls
                        .identity_pem_files(cert, key)
                        .map_err(RegistryError::BadUrl)?,
                    _ => {
                        return Err(RegistryError::BadUrl(
                            "cert and key go together (a client certificate and its key)".into(),
                        ));
                    }
                })
            }
        };
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

/// The URL without its `user:password@` part, for error messages.
fn redact_userinfo(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}<redacted>@{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_owned(),
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
        assert_eq!(config.credentials, Some(EtcdCredentials::new("u", "p")));
        let error = EtcdConfig::from_url("http://x:1").unwrap_err();
        assert!(
            error.to_string().contains("write etcd://host:port"),
            "{error}"
        );
        let config = EtcdConfig::new(["etcd://a:1", "etcds://b:2", "c:3", "https://d:4"]);
        assert_eq!(
            config.endpoints,
            ["http://a:1", "https://b:2", "http://c:3", "https://d:4"]
        );
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
        // Go rpcx's libkv-normalized layout: no leading slash.
        let go = EtcdConfig::from_url("etcd://h:1?base=rpcx_test").unwrap();
        assert_eq!(
            go.key("Arith", "tcp@1.2.3.4:5"),
            "rpcx_test/Arith/tcp@1.2.3.4:5"
        );
        assert_eq!(go.service_prefix("Arith"), "rpcx_test/Arith/");
        assert!(EtcdConfig::from_url("etcd://h:1/rpc?base=rpcx_test").is_err());
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
    fn etcds_urls_use_https_and_load_their_pem_files() {
        let dir = std::env::temp_dir().join(format!("rpc-etcds-url-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("ca.pem"), "ca").unwrap();
        std::fs::write(dir.join("c.pem"), "cert").unwrap();
        std::fs::write(dir.join("c.key"), "KEY-SECRET").unwrap();
        let url = format!(
            "etcds://h1:1,h2:2?ca={0}/ca.pem&cert={0}/c.pem&key={0}/c.key",
            dir.display()
        );
        let config = EtcdConfig::from_url(&url).unwrap();
        assert_eq!(config.endpoints, ["https://h1:1", "https://h2:2"]);
        assert!(config.tls.is_some());
        assert!(!format!("{config:?}").contains("KEY-SECRET"));
        let missing = EtcdConfig::from_url("etcds://h:1?ca=/no/such/ca.pem").unwrap_err();
        assert!(missing.to_string().contains("/no/such/ca.pem"), "{missing}");
        assert!(EtcdConfig::from_url("etcd://h:1?ca=/x").is_err());
        assert!(
            EtcdConfig::from_url(&format!("etcds://h:1?cert={}/c.pem", dir.display())).is_err()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_password_comes_from_the_variable_named_in_the_url() {
        // PATH is set in any test run (setting a variable needs `unsafe`,
        // which this crate forbids).
        let path = std::env::var("PATH").unwrap();
        let config = EtcdConfig::from_url("etcd://root@h:1?password_env=PATH").unwrap();
        let credentials = config.credentials.unwrap();
        assert_eq!(
            (credentials.user(), credentials.password()),
            ("root", &*path)
        );
        let error = EtcdConfig::from_url("etcd://root@h:1").unwrap_err();
        assert!(error.to_string().contains("password_env"), "{error}");
        let error =
            EtcdConfig::from_url("etcd://root@h:1?password_env=RPC_TEST_UNSET_PW_VAR").unwrap_err();
        assert!(
            error.to_string().contains("RPC_TEST_UNSET_PW_VAR"),
            "{error}"
        );
    }

    #[test]
    fn debug_output_leaves_the_password_out() {
        let config = EtcdConfig::from_url("etcd://alice:s3cr3t-pw@h:1").unwrap();
        let shown = format!("{config:?}");
        assert!(shown.contains("alice"), "{shown}");
        assert!(!shown.contains("s3cr3t-pw"), "{shown}");
        let error = EtcdConfig::from_url("etcd://alice:s3cr3t-pw@h:1?bad=1").unwrap_err();
        assert!(!error.to_string().contains("s3cr3t-pw"), "{error}");
        let error = EtcdConfig::from_url("http://alice:s3cr3t-pw@h:1").unwrap_err();
        assert!(!error.to_string().contains("s3cr3t-pw"), "{error}");
    }
}
