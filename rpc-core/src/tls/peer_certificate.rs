//! The names of a verified client certificate, for [`Context`](crate::Context).

use crate::PeerCertificate;
use x509_parser::extensions::GeneralName;

/// The subject and subject-alternative names of a DER certificate; `None`
/// if it does not parse (rustls verified it already, so that means a
/// certificate x509-parser cannot read, not an attack that got through).
pub fn peer_certificate_from_der(der: &[u8]) -> Option<PeerCertificate> {
    let (_, certificate) = x509_parser::parse_x509_certificate(der).ok()?;
    let mut dns_names = Vec::new();
    let mut uri_names = Vec::new();
    if let Ok(Some(names)) = certificate.subject_alternative_name() {
        for name in &names.value.general_names {
            match name {
                GeneralName::DNSName(dns) => dns_names.push((*dns).to_owned()),
                GeneralName::URI(uri) => uri_names.push((*uri).to_owned()),
                _ => {}
            }
        }
    }
    Some(PeerCertificate::new(
        certificate.subject().to_string(),
        dns_names,
        uri_names,
        der,
    ))
}
