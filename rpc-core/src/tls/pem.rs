//! Certificates and keys from PEM text or PEM files, with errors that name
//! the input.

use std::path::Path;

use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::tls::TlsError;

/// Reads a whole PEM file.
pub fn read_file(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Every certificate of a PEM text, in order (a chain: leaf first). `what`
/// names the input in errors.
pub fn certificates(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| pem_error(what, error.to_string()))?;
    if certificates.is_empty() {
        return Err(pem_error(what, "no CERTIFICATE block found".to_owned()));
    }
    Ok(certificates)
}

/// The first private key (PKCS#8, PKCS#1 or SEC1) of a PEM text.
pub fn private_key(pem: &[u8], what: &str) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|error| match error {
        rustls::pki_types::pem::Error::NoItemsFound => {
            pem_error(what, "no PRIVATE KEY block found".to_owned())
        }
        other => pem_error(what, other.to_string()),
    })
}

/// A root store of every certificate of a PEM text (a CA bundle).
pub fn root_store(pem: &[u8], what: &str) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for certificate in certificates(pem, what)? {
        roots
            .add(certificate)
            .map_err(|error| pem_error(what, format!("not a usable CA certificate: {error}")))?;
    }
    Ok(roots)
}

fn pem_error(what: &str, reason: String) -> TlsError {
    TlsError::Pem {
        what: what.to_owned(),
        reason,
    }
}
