//! [`EtcdTls`]: TLS to etcd (server CA, optional client certificate).
//!
//! Connecting with it needs this crate's `tls` feature (etcd-client over
//! rustls with ring); without it, connecting fails with a message that says
//! so. The key never appears in `Debug` output.

use std::fmt;
use std::path::Path;

use super::EtcdSetupError;

/// How to reach etcd over TLS: the CA that signed etcd's certificate, and
/// a client certificate when etcd runs with `--client-cert-auth`.
#[derive(Clone, Default)]
pub struct EtcdTls {
    ca_pem: Option<Vec<u8>>,
    identity: Option<(Vec<u8>, Vec<u8>)>,
    domain_name: Option<String>,
}

impl EtcdTls {
    /// TLS trusting the CAs of this PEM text.
    pub fn from_ca_pem(ca: impl Into<Vec<u8>>) -> EtcdTls {
        EtcdTls {
            ca_pem: Some(ca.into()),
            ..EtcdTls::default()
        }
    }

    /// [`EtcdTls::from_ca_pem`] from a file.
    pub fn from_ca_pem_file(path: impl AsRef<Path>) -> Result<EtcdTls, EtcdSetupError> {
        Ok(EtcdTls::from_ca_pem(read(path.as_ref())?))
    }

    /// Presents this client certificate chain and key (PEM).
    pub fn identity_pem(mut self, chain: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> EtcdTls {
        self.identity = Some((chain.into(), key.into()));
        self
    }

    /// [`EtcdTls::identity_pem`] from files.
    pub fn identity_pem_files(
        self,
        chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> Result<EtcdTls, EtcdSetupError> {
        Ok(self.identity_pem(read(chain.as_ref())?, read(key.as_ref())?))
    }

    /// Checks etcd's certificate against this name instead of the
    /// endpoint's host.
    pub fn domain_name(mut self, name: impl Into<String>) -> EtcdTls {
        self.domain_name = Some(name.into());
        self
    }

    #[cfg(feature = "tls")]
    pub(crate) fn options(&self) -> etcd_client::TlsOptions {
        let mut options = etcd_client::TlsOptions::new();
        if let Some(ca) = &self.ca_pem {
            options = options.ca_certificate(etcd_client::Certificate::from_pem(ca));
        }
        if let Some((chain, key)) = &self.identity {
            options = options.identity(etcd_client::Identity::from_pem(chain, key));
        }
        if let Some(name) = &self.domain_name {
            options = options.domain_name(name.clone());
        }
        options
    }
}

fn read(path: &Path) -> Result<Vec<u8>, EtcdSetupError> {
    std::fs::read(path).map_err(|source| EtcdSetupError::ReadFile {
        path: path.to_owned(),
        source,
    })
}

impl fmt::Debug for EtcdTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EtcdTls")
            .field("ca", &self.ca_pem.is_some())
            .field("client_certificate", &self.identity.is_some())
            .field("domain_name", &self.domain_name)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_file_is_named_and_keeps_the_io_error_as_source() {
        let error = EtcdTls::from_ca_pem_file("/no/such/ca.pem").unwrap_err();
        assert!(error.to_string().contains("/no/such/ca.pem"), "{error}");
        let EtcdSetupError::ReadFile { source, .. } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        assert!(std::error::Error::source(&error).is_some());
    }
}
