//! [`EtcdCredentials`]: an etcd user and password that never print.

use std::fmt;

use super::EtcdSetupError;

/// The user and password of an etcd with auth enabled.
///
/// The password is kept out of `Debug` output (and so out of logs and panic
/// messages); read it with [`EtcdCredentials::password`] where it is sent.
/// Prefer [`EtcdCredentials::from_env`] to a password written in a URL or a
/// command line.
#[derive(Clone, PartialEq, Eq)]
pub struct EtcdCredentials {
    user: String,
    password: String,
}

impl EtcdCredentials {
    /// A user and password.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> EtcdCredentials {
        EtcdCredentials {
            user: user.into(),
            password: password.into(),
        }
    }

    /// A user whose password is in the environment variable `variable`;
    /// the error names the variable, never a value.
    pub fn from_env(
        user: impl Into<String>,
        variable: &str,
    ) -> Result<EtcdCredentials, EtcdSetupError> {
        let password =
            std::env::var(variable).map_err(|source| EtcdSetupError::PasswordVariable {
                variable: variable.to_owned(),
                source,
            })?;
        Ok(EtcdCredentials::new(user, password))
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for EtcdCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EtcdCredentials")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_user_but_never_the_password() {
        let credentials = EtcdCredentials::new("root", "pw-s3cr3t");
        let shown = format!("{credentials:?} {:#?}", Some(&credentials));
        assert!(shown.contains("root"), "{shown}");
        assert!(!shown.contains("pw-s3cr3t"), "{shown}");
    }

    #[test]
    fn a_missing_variable_is_named_in_the_error() {
        let error =
            EtcdCredentials::from_env("root", "RPC_TEST_SURELY_UNSET_VARIABLE").unwrap_err();
        assert!(
            error.to_string().contains("RPC_TEST_SURELY_UNSET_VARIABLE"),
            "{error}"
        );
        assert!(matches!(
            error,
            EtcdSetupError::PasswordVariable {
                source: std::env::VarError::NotPresent,
                ..
            }
        ));
    }
}
