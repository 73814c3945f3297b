//! [`TlsError`]: what can go wrong while setting TLS up.

use std::path::PathBuf;

/// An error in TLS configuration: a file that cannot be read, a PEM with no
/// certificate or key, a key that does not match, a rejected setting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A PEM file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// PEM text that is not valid PEM, or holds nothing of the kind wanted.
    #[error("{what}: {reason}")]
    Pem {
        /// Which input (a path or "in-memory certificate").
        what: String,
        /// What was wrong with it.
        reason: String,
    },
    /// rustls refused the certificates, key or settings.
    #[error("TLS setup: {0}")]
    Rustls(#[from] rustls::Error),
    /// The client-certificate verifier could not be built (empty CA set...).
    #[error("client certificate verifier: {0}")]
    Verifier(#[from] rustls::server::VerifierBuilderError),
}
