//! Who is calling: the peer's verified certificate (mutual TLS) and the
//! identity a token authenticator vouched for. Handlers read both from
//! [`Context`](crate::Context).

use std::fmt;
use std::sync::Arc;

/// The client certificate a mutual-TLS connection presented, after the
/// server verified it against its client CA.
///
/// Only the names are kept (what access decisions use); the whole
/// certificate is available as DER for anything else.
#[derive(Clone, PartialEq, Eq)]
pub struct PeerCertificate {
    subject: String,
    dns_names: Vec<String>,
    uri_names: Vec<String>,
    der: Arc<[u8]>,
}

impl PeerCertificate {
    /// A certificate with these names (the TLS layer builds it; tests may too).
    pub fn new(
        subject: impl Into<String>,
        dns_names: Vec<String>,
        uri_names: Vec<String>,
        der: impl Into<Arc<[u8]>>,
    ) -> PeerCertificate {
        PeerCertificate {
            subject: subject.into(),
            dns_names,
            uri_names,
            der: der.into(),
        }
    }

    /// The subject's distinguished name, e.g. `CN=billing-worker, O=Example`.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The DNS names of the subject-alternative-name extension.
    pub fn dns_names(&self) -> &[String] {
        &self.dns_names
    }

    /// The URI names of the subject-alternative-name extension (SPIFFE ids
    /// and the like).
    pub fn uri_names(&self) -> &[String] {
        &self.uri_names
    }

    /// The certificate itself, DER-encoded.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

impl fmt::Debug for PeerCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerCertificate")
            .field("subject", &self.subject)
            .field("dns_names", &self.dns_names)
            .field("uri_names", &self.uri_names)
            .field("der_len", &self.der.len())
            .finish()
    }
}

/// The caller as an authenticator established it (from a bearer token,
/// say): a principal name the handlers can make decisions on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    name: Arc<str>,
}

impl Identity {
    /// An identity named `name` (a user, a service account, ...).
    pub fn new(name: impl AsRef<str>) -> Identity {
        Identity {
            name: Arc::from(name.as_ref()),
        }
    }

    /// The principal's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}
