//! [`Credential`]: a bearer token sent with every call.

use std::fmt;

use bytestring::ByteString;
use rpc_core::Metadata;
use rpc_core::server::{AUTHORIZATION_KEY, BEARER_PREFIX};

/// A bearer token, sent as `authorization: Bearer <token>` metadata on each
/// request: set once on [`ClientConfig::credential`](crate::ClientConfig)
/// (a `Client`, or every endpoint of an `XClient`), or per call on
/// [`CallOptions::credential`](crate::CallOptions), which wins.
///
/// Its `Debug` output never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// `Bearer <token>`, ready to send.
    header: ByteString,
}

impl Credential {
    /// A bearer token.
    pub fn bearer(token: impl AsRef<str>) -> Credential {
        Credential {
            header: ByteString::from(format!("{BEARER_PREFIX}{}", token.as_ref())),
        }
    }

    /// Adds the credential to outgoing metadata, unless the caller already
    /// put an `authorization` entry there by hand.
    pub(crate) fn apply(&self, metadata: &mut Metadata) {
        if metadata.get(AUTHORIZATION_KEY).is_none() {
            metadata.insert(AUTHORIZATION_KEY, self.header.clone());
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credential(Bearer <redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let credential = Credential::bearer("s3cr3t-token");
        let shown = format!("{credential:?} {:?}", Some(&credential));
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }

    #[test]
    fn an_explicit_authorization_entry_is_kept() {
        let mut metadata = Metadata::new();
        metadata.insert(AUTHORIZATION_KEY, "Bearer mine");
        Credential::bearer("other").apply(&mut metadata);
        assert_eq!(metadata.get(AUTHORIZATION_KEY), Some("Bearer mine"));
        let mut empty = Metadata::new();
        Credential::bearer("other").apply(&mut empty);
        assert_eq!(empty.get(AUTHORIZATION_KEY), Some("Bearer other"));
    }
}
