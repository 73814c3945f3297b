//! [`EtcdSetupError`]: why credentials or TLS settings for etcd could not
//! be read.

use std::path::PathBuf;

/// Why [`EtcdCredentials::from_env`](super::EtcdCredentials::from_env) or
/// an [`EtcdTls`](super::EtcdTls) file constructor failed. The cause, when
/// there is one, is the [`source`](std::error::Error::source); messages
/// name the variable or file, never a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EtcdSetupError {
    /// The environment variable meant to hold the password is not set, or
    /// its value is not UTF-8.
    #[error("the etcd password variable {variable} is not set (or not UTF-8)")]
    PasswordVariable {
        /// The variable's name.
        variable: String,
        /// What the environment said.
        #[source]
        source: std::env::VarError,
    },
    /// A PEM file (CA, client certificate or key) could not be read.
    #[error("cannot read {}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: std::io::Error,
    },
}
