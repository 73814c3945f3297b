//! [`EtcdConfig::from_url`]: an [`EtcdConfig`] from
//! `etcd://user@host:port,host:port/base?ttl=5s&password_env=VAR` (and
//! `etcds://` for TLS).

use std::time::Duration;

use super::{EtcdConfig, EtcdCredentials, EtcdTls};
use crate::{RegistryError, SelfPreservation};

/// The URL parameters [`EtcdConfig::from_url`] understands.
const PARAMETERS: &str = "ttl, timeout, hold, base, password_env, ca, cert, key";

impl EtcdConfig {
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
        let mut config = EtcdConfig::builder(endpoints);
        if !base.is_empty() && base != "/" {
            config = config.base(base.trim_end_matches('/'));
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
                    config = config.ttl(ttl);
                }
                "timeout" => config = config.timeout(duration?),
                "hold" => config = config.self_preservation(SelfPreservation::new(duration?)),
                "base" => {
                    if !base.is_empty() && base != "/" {
                        return Err(RegistryError::BadUrl(format!(
                            "etcd URL parameter base={value:?} and a path {base:?}: give one"
                        )));
                    }
                    config = config.base(value.trim_end_matches('/'));
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
        let credentials = match (user, password, password_env) {
            (None, None, None) => None,
            (Some(user), Some(password), None) => Some(EtcdCredentials::new(user, password)),
            (Some(user), None, Some(variable)) => {
                Some(EtcdCredentials::from_env(user, &variable).map_err(bad_url)?)
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
        let tls = match (secure, ca, cert, key) {
            (false, None, None, None) => None,
            (false, ..) => {
                return Err(RegistryError::BadUrl(
                    "ca, cert and key are for etcds:// (TLS) URLs".into(),
                ));
            }
            (true, ca, cert, key) => {
                let tls = match ca {
                    Some(ca) => EtcdTls::from_ca_pem_file(ca).map_err(bad_url)?,
                    None => EtcdTls::default(),
                };
                Some(match (cert, key) {
                    (None, None) => tls,
                    (Some(cert), Some(key)) => {
                        tls.identity_pem_files(cert, key).map_err(bad_url)?
                    }
                    _ => {
                        return Err(RegistryError::BadUrl(
                            "cert and key go together (a client certificate and its key)".into(),
                        ));
                    }
                })
            }
        };
        config
            .credentials(credentials)
            .tls(tls)
            .build()
            .map_err(|error| RegistryError::BadUrl(format!("etcd URL: {error}")))
    }
}

/// A credentials or TLS file error as a URL error.
fn bad_url(error: super::EtcdSetupError) -> RegistryError {
    RegistryError::BadUrl(error.to_string())
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
        assert_eq!(config.endpoints(), ["http://127.0.0.1:2379"]);
        assert_eq!(config.base(), "/rpc");
        assert_eq!(
            config.key("Arith", "tcp@1.2.3.4:5"),
            "/rpc/Arith/tcp@1.2.3.4:5"
        );
        let config = EtcdConfig::from_url("etcd://u:p@h1:1,h2:2/services/").unwrap();
        assert_eq!(config.endpoints(), ["http://h1:1", "http://h2:2"]);
        assert_eq!(config.base(), "/services");
        assert_eq!(config.credentials(), Some(&EtcdCredentials::new("u", "p")));
        let error = EtcdConfig::from_url("http://x:1").unwrap_err();
        assert!(
            error.to_string().contains("write etcd://host:port"),
            "{error}"
        );
        let config = EtcdConfig::new(["etcd://a:1", "etcds://b:2", "c:3", "https://d:4"]);
        assert_eq!(
            config.endpoints(),
            ["http://a:1", "https://b:2", "http://c:3", "https://d:4"]
        );
        assert!(EtcdConfig::from_url("etcd:///rpc").is_err());
    }

    #[test]
    fn url_parameters_set_ttl_timeout_and_hold() {
        let config = EtcdConfig::from_url("etcd://h:1/base?ttl=5s&timeout=500ms&hold=1m").unwrap();
        assert_eq!(config.base(), "/base");
        assert_eq!(config.ttl(), Duration::from_secs(5));
        assert_eq!(config.timeout(), Duration::from_millis(500));
        assert_eq!(config.self_preservation().hold, Duration::from_secs(60));
        let config = EtcdConfig::from_url("etcd://h:1?ttl=3s").unwrap();
        assert_eq!(config.endpoints(), ["http://h:1"]);
        assert_eq!(config.base(), "/rpc");
        assert_eq!(config.ttl(), Duration::from_secs(3));
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
        assert_eq!(config.endpoints(), ["https://h1:1", "https://h2:2"]);
        assert!(config.tls().is_some());
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
        let credentials = config.credentials().unwrap();
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
