//! Handshake failures in words a user can act on.
//!
//! rustls reports the cause precisely; this turns the common ones (wrong CA,
//! expired certificate, wrong name, a peer that does not speak TLS, a
//! refused client certificate) into distinct messages, so a log line or a
//! `Status` says which it was.

use rustls::{AlertDescription, CertificateError, Error, InvalidMessage};

/// Describes a TLS failure carried by an I/O error (as tokio-rustls
/// reports them); other I/O errors are described as they are.
pub fn describe_tls_error(error: &std::io::Error) -> String {
    if let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Error>())
    {
        return describe(tls);
    }
    match error.kind() {
        std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset => format!(
            "the peer closed the connection during the TLS handshake (does it speak TLS?): {error}"
        ),
        _ => error.to_string(),
    }
}

fn describe(error: &Error) -> String {
    match error {
        Error::InvalidCertificate(certificate) => describe_certificate(certificate),
        Error::InvalidMessage(InvalidMessage::InvalidContentType)
        | Error::InvalidMessage(InvalidMessage::UnknownProtocolVersion) => {
            "the peer does not speak TLS (plaintext answer to a TLS handshake)".to_owned()
        }
        Error::NoCertificatesPresented => {
            "the peer presented no certificate (client certificate required)".to_owned()
        }
        Error::AlertReceived(alert) => describe_alert(*alert),
        other => format!("TLS failure: {other}"),
    }
}

fn describe_certificate(error: &CertificateError) -> String {
    match error {
        CertificateError::UnknownIssuer => {
            "certificate not trusted: unknown issuer (signed by another CA than the one configured)"
                .to_owned()
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            format!("certificate expired: {error}")
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            format!("certificate not valid yet: {error}")
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            format!("certificate not valid for the server name: {error}")
        }
        other => format!("invalid certificate: {other}"),
    }
}

fn describe_alert(alert: AlertDescription) -> String {
    match alert {
        AlertDescription::CertificateRequired => {
            "the peer requires a client certificate and none was sent (alert CertificateRequired)"
                .to_owned()
        }
        AlertDescription::UnknownCA
        | AlertDescription::BadCertificate
        | AlertDescription::CertificateExpired
        | AlertDescription::CertificateUnknown => {
            format!("the peer refused this side's certificate (alert {alert:?})")
        }
        other => format!("the peer aborted the TLS session (alert {other:?})"),
    }
}
