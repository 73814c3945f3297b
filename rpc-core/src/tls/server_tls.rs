//! [`ServerTls`]: the server's certificate, key and client-certificate policy.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::server::{ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;

use crate::tls::reloading_resolver::{FixedResolver, ReloadingResolver};
use crate::tls::{TlsError, crypto_provider, pem};

/// How often a server whose key pair comes from files looks at their
/// modification times (on a handshake, never in the background).
pub const DEFAULT_RELOAD_CHECK: Duration = Duration::from_secs(5);

/// The TLS settings of a server, ready to accept handshakes.
///
/// Built by [`ServerTls::from_pem`] (in-memory PEM) or
/// [`ServerTls::from_pem_files`] (files, reloaded when they change: rotate
/// a certificate by replacing its files, no restart), optionally with a
/// client CA for mutual TLS. Cheap to clone.
#[derive(Clone)]
pub struct ServerTls {
    config: Arc<rustls::ServerConfig>,
    mutual: bool,
}

enum KeyPair {
    Pem { chain: Vec<u8>, key: Vec<u8> },
    Files { chain: PathBuf, key: PathBuf },
}

enum ClientCa {
    Pem(Vec<u8>),
    File(PathBuf),
}

/// Settings of a [`ServerTls`] before it is built.
pub struct ServerTlsBuilder {
    key_pair: KeyPair,
    client_ca: Option<ClientCa>,
    client_certificate_optional: bool,
    reload_check: Duration,
}

impl ServerTls {
    /// TLS with a certificate chain (leaf first) and private key given as
    /// PEM text.
    pub fn from_pem(chain: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> ServerTlsBuilder {
        ServerTlsBuilder::new(KeyPair::Pem {
            chain: chain.into(),
            key: key.into(),
        })
    }

    /// TLS with a certificate chain and private key read from PEM files.
    /// The files are checked for changes at most every
    /// [`ServerTlsBuilder::reload_check`] (on a handshake) and the new pair
    /// is used from the next handshake on; a pair that fails to load is
    /// logged and the previous one kept.
    pub fn from_pem_files(chain: impl Into<PathBuf>, key: impl Into<PathBuf>) -> ServerTlsBuilder {
        ServerTlsBuilder::new(KeyPair::Files {
            chain: chain.into(),
            key: key.into(),
        })
    }

    /// TLS from a rustls configuration built elsewhere (ALPN, custom
    /// verifiers, another provider...). No peer identity is read unless it
    /// asks for client certificates.
    pub fn from_rustls(config: Arc<rustls::ServerConfig>) -> ServerTls {
        ServerTls {
            config,
            mutual: true,
        }
    }

    /// The rustls configuration handshakes use.
    pub fn rustls_config(&self) -> &Arc<rustls::ServerConfig> {
        &self.config
    }

    /// Whether client certificates are asked for (mutual TLS).
    pub fn is_mutual(&self) -> bool {
        self.mutual
    }
}

impl ServerTlsBuilder {
    fn new(key_pair: KeyPair) -> ServerTlsBuilder {
        ServerTlsBuilder {
            key_pair,
            client_ca: None,
            client_certificate_optional: false,
            reload_check: DEFAULT_RELOAD_CHECK,
        }
    }

    /// Mutual TLS: clients must present a certificate signed by one of the
    /// CAs of this PEM text. Its names reach handlers through
    /// [`Context::peer_certificate`](crate::Context::peer_certificate).
    pub fn client_ca_pem(mut self, ca: impl Into<Vec<u8>>) -> ServerTlsBuilder {
        self.client_ca = Some(ClientCa::Pem(ca.into()));
        self
    }

    /// [`ServerTlsBuilder::client_ca_pem`] from a file (read once, at build).
    pub fn client_ca_pem_file(mut self, ca: impl Into<PathBuf>) -> ServerTlsBuilder {
        self.client_ca = Some(ClientCa::File(ca.into()));
        self
    }

    /// With a client CA: also accept clients that present no certificate
    /// (those that present one must still present a valid one).
    pub fn client_certificate_optional(mut self) -> ServerTlsBuilder {
        self.client_certificate_optional = true;
        self
    }

    /// How often the key-pair files are checked for changes. Default: 5 s.
    pub fn reload_check(mut self, interval: Duration) -> ServerTlsBuilder {
        self.reload_check = interval;
        self
    }

    /// Loads the certificates and keys and builds the rustls configuration.
    pub fn build(self) -> Result<ServerTls, TlsError> {
        let provider = crypto_provider();
        let resolver: Arc<dyn ResolvesServerCert> = match self.key_pair {
            KeyPair::Pem { chain, key } => Arc::new(FixedResolver::new(certified_key(
                &chain,
                &key,
                "in-memory certificate",
                &provider,
            )?)),
            KeyPair::Files { chain, key } => Arc::new(ReloadingResolver::new(
                chain,
                key,
                self.reload_check,
                Arc::clone(&provider),
            )?),
        };
        let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()?;
        let mutual = self.client_ca.is_some();
        let builder = match self.client_ca {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let (pem_text, what) = match ca {
                    ClientCa::Pem(text) => (text, "in-memory client CA".to_owned()),
                    ClientCa::File(path) => (pem::read_file(&path)?, path.display().to_string()),
                };
                let roots = Arc::new(pem::root_store(&pem_text, &what)?);
                let verifier = WebPkiClientVerifier::builder_with_provider(roots, provider);
                let verifier = if self.client_certificate_optional {
                    verifier.allow_unauthenticated()
                } else {
                    verifier
                };
                builder.with_client_cert_verifier(verifier.build()?)
            }
        };
        Ok(ServerTls {
            config: Arc::new(builder.with_cert_resolver(resolver)),
            mutual,
        })
    }
}

/// A certificate chain and its key, checked to belong together.
pub(crate) fn certified_key(
    chain: &[u8],
    key: &[u8],
    what: &str,
    provider: &rustls::crypto::CryptoProvider,
) -> Result<CertifiedKey, TlsError> {
    let chain = pem::certificates(chain, what)?;
    let key = pem::private_key(key, what)?;
    Ok(CertifiedKey::from_der(chain, key, provider)?)
}

impl fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTls")
            .field("mutual", &self.mutual)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ServerTlsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key: only where it comes from.
        let source = match &self.key_pair {
            KeyPair::Pem { .. } => "in-memory".to_owned(),
            KeyPair::Files { chain, .. } => chain.display().to_string(),
        };
        f.debug_struct("ServerTlsBuilder")
            .field("key_pair", &source)
            .field("mutual", &self.client_ca.is_some())
            .field("reload_check", &self.reload_check)
            .finish_non_exhaustive()
    }
}
