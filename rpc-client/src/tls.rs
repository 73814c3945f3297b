//! [`ClientTls`]: TLS and mutual TLS for client connections (`tls` feature).
//!
//! Set on [`ClientConfig::tls`](crate::ClientConfig): a `Client` then opens
//! every connection with a TLS handshake, and an `XClient` does so for each
//! endpoint, checking the server's certificate against the name of that
//! endpoint's host (or the name set with [`ClientTlsBuilder::server_name`]).
//! The handshake counts against the connect timeout. Failures say which
//! case it was: an unknown issuer (wrong CA), an expired certificate, a
//! certificate for another name, a server that does not speak TLS.
//!
//! ```no_run
//! # fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use rpc_client::{ClientConfig, ClientTls};
//!
//! let config = ClientConfig::builder()
//!     .tls(
//!         ClientTls::from_ca_pem_file("ca.pem")
//!             .identity_pem_files("client.pem", "client.key") // mutual TLS
//!             .build()?,
//!     )
//!     .build()?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use rpc_core::tls::rustls::pki_types::ServerName;
use rpc_core::tls::{TlsError, crypto_provider, describe_tls_error, pem, rustls};
use tokio::io::{AsyncRead, AsyncWrite};

/// TLS settings of client connections. Cheap to clone.
#[derive(Clone)]
pub struct ClientTls {
    connector: tokio_rustls::TlsConnector,
    server_name: Option<String>,
}

enum Source {
    Pem(Vec<u8>),
    File(PathBuf),
}

/// Settings of a [`ClientTls`] before it is built.
pub struct ClientTlsBuilder {
    ca: Source,
    identity: Option<(Source, Source)>,
    server_name: Option<String>,
}

impl ClientTls {
    /// Trusts the CAs of this PEM text (servers must present a certificate
    /// they signed).
    pub fn from_ca_pem(ca: impl Into<Vec<u8>>) -> ClientTlsBuilder {
        ClientTlsBuilder::new(Source::Pem(ca.into()))
    }

    /// [`ClientTls::from_ca_pem`] from a file, read at build.
    pub fn from_ca_pem_file(ca: impl Into<PathBuf>) -> ClientTlsBuilder {
        ClientTlsBuilder::new(Source::File(ca.into()))
    }

    /// TLS from a rustls configuration built elsewhere.
    pub fn from_rustls(config: Arc<rustls::ClientConfig>) -> ClientTls {
        ClientTls {
            connector: tokio_rustls::TlsConnector::from(config),
            server_name: None,
        }
    }

    /// Runs the handshake over `stream`, checking the server's certificate
    /// against the explicit server name, else `host`.
    pub(crate) async fn handshake<S>(
        &self,
        host: &str,
        stream: S,
    ) -> std::io::Result<tokio_rustls::client::TlsStream<S>>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let name = self.server_name.as_deref().unwrap_or(host);
        let name = ServerName::try_from(name.to_owned()).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{name:?} is not a valid TLS server name"),
            )
        })?;
        self.connector.connect(name, stream).await.map_err(|error| {
            std::io::Error::new(
                error.kind(),
                format!("TLS handshake failed: {}", describe_tls_error(&error)),
            )
        })
    }

    /// Whether a server name was set (needed for TLS over Unix sockets).
    pub(crate) fn has_server_name(&self) -> bool {
        self.server_name.is_some()
    }
}

impl ClientTlsBuilder {
    fn new(ca: Source) -> ClientTlsBuilder {
        ClientTlsBuilder {
            ca,
            identity: None,
            server_name: None,
        }
    }

    /// Mutual TLS: presents this certificate chain (leaf first) and key,
    /// given as PEM text.
    pub fn identity_pem(
        mut self,
        chain: impl Into<Vec<u8>>,
        key: impl Into<Vec<u8>>,
    ) -> ClientTlsBuilder {
        self.identity = Some((Source::Pem(chain.into()), Source::Pem(key.into())));
        self
    }

    /// [`ClientTlsBuilder::identity_pem`] from files, read at build.
    pub fn identity_pem_files(
        mut self,
        chain: impl Into<PathBuf>,
        key: impl Into<PathBuf>,
    ) -> ClientTlsBuilder {
        self.identity = Some((Source::File(chain.into()), Source::File(key.into())));
        self
    }

    /// Checks every server's certificate against this name instead of the
    /// host of the address dialled (servers reached by IP, a shared name).
    pub fn server_name(mut self, name: impl Into<String>) -> ClientTlsBuilder {
        self.server_name = Some(name.into());
        self
    }

    /// Loads the certificates and builds the rustls configuration.
    pub fn build(self) -> Result<ClientTls, TlsError> {
        let (ca, what) = read(self.ca, "in-memory CA")?;
        let roots = pem::root_store(&ca, &what)?;
        let builder = rustls::ClientConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots);
        let config = match self.identity {
            None => builder.with_no_client_auth(),
            Some((chain, key)) => {
                let (chain, what) = read(chain, "in-memory client certificate")?;
                let (key, _) = read(key, "in-memory client key")?;
                builder.with_client_auth_cert(
                    pem::certificates(&chain, &what)?,
                    pem::private_key(&key, &what)?,
                )?
            }
        };
        Ok(ClientTls {
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
            server_name: self.server_name,
        })
    }
}

fn read(source: Source, in_memory: &str) -> Result<(Vec<u8>, String), TlsError> {
    match source {
        Source::Pem(text) => Ok((text, in_memory.to_owned())),
        Source::File(path) => Ok((pem::read_file(&path)?, path.display().to_string())),
    }
}

/// The host part of `host:port` (`[::1]:80` gives `::1`).
pub(crate) fn host_of(addr: &str) -> &str {
    let host = addr.rsplit_once(':').map_or(addr, |(host, _)| host);
    host.trim_start_matches('[').trim_end_matches(']')
}

impl fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientTls")
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ClientTlsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientTlsBuilder")
            .field("mutual", &self.identity.is_some())
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn the_host_is_the_address_without_its_port() {
        assert_eq!(host_of("example.com:8972"), "example.com");
        assert_eq!(host_of("127.0.0.1:1"), "127.0.0.1");
        assert_eq!(host_of("[::1]:8972"), "::1");
        assert_eq!(host_of("localhost"), "localhost");
    }
}
