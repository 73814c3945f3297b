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
    /// The backend could not be reached or refused the operation.
    #[error("registry backend: {0}")]
    Backend(String),
    /// The backend needs a cargo feature that is not enabled.
    #[error("{0}")]
    FeatureDisabled(String),
}
