//! [`RegistryError`].

/// Why a registry or discovery operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// An endpoint identity or URL could not be parsed.
    #[error("bad endpoint: {0}")]
    BadEndpoint(String),
    /// A registry URL could not be understood.
    #[error("bad registry URL: {0}")]
    BadUrl(String),
    /// The backend could not be reached or refused the operation; the
    /// backend's own error, when there is one, is the
    /// [`source`](std::error::Error::source).
    #[error("registry backend: {0}")]
    Backend(#[source] BackendError),
    /// The backend needs a cargo feature that is not enabled.
    #[error("{0}")]
    FeatureDisabled(String),
}

/// A registry backend's failure: what failed, and the backend client's own
/// error (etcd's, say) as the [`source`](std::error::Error::source).
#[derive(Debug)]
pub struct BackendError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl BackendError {
    /// A failure described by `message` alone.
    pub fn new(message: impl Into<String>) -> BackendError {
        BackendError {
            message: message.into(),
            source: None,
        }
    }

    /// A failure of the backend client, kept as the source.
    pub fn from_source(source: impl std::error::Error + Send + Sync + 'static) -> BackendError {
        BackendError {
            message: source.to_string(),
            source: Some(Box::new(source)),
        }
    }
}

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BackendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn a_backend_error_keeps_the_clients_error_as_its_source() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let error = RegistryError::Backend(BackendError::from_source(io));
        assert_eq!(error.to_string(), "registry backend: refused");
        let backend = error.source().expect("the backend error");
        let io = backend.source().expect("the client's error");
        assert_eq!(
            io.downcast_ref::<std::io::Error>()
                .map(std::io::Error::kind),
            Some(std::io::ErrorKind::ConnectionRefused)
        );
    }
}
