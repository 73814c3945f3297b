//! [`Authenticator`]: built-in bearer-token authentication.
//!
//! The client sends `authorization: Bearer <token>` in each request's
//! metadata (`rpc_client::Credential`); the server's authenticator turns the
//! token into an [`Identity`], visible to handlers through
//! [`Context::identity`], or refuses the call with `unauthenticated` (no or
//! bad token) or `permission_denied` (a known caller not allowed this call).

use crate::{Context, Identity, Status};

/// The metadata key that carries credentials (as in HTTP).
pub const AUTHORIZATION_KEY: &str = "authorization";

/// The scheme of a bearer token in [`AUTHORIZATION_KEY`].
pub const BEARER_PREFIX: &str = "Bearer ";

/// Turns a caller's bearer token into an identity, or refuses the call.
///
/// It runs on every call before its handler, on the connection's task, so it
/// should be quick: compare against a table, verify a signature locally,
/// read a cache. Any `Fn(&str, &Context) -> Result<Identity, Status>` is one.
pub trait Authenticator: Send + Sync + 'static {
    /// Checks `token` for the call in `context` (its service and method,
    /// for per-method permissions). Return [`Status::unauthenticated`] for
    /// an unknown token and [`Status::permission_denied`] for a known caller
    /// that may not make this call.
    fn authenticate(&self, token: &str, context: &Context) -> Result<Identity, Status>;
}

impl<F> Authenticator for F
where
    F: Fn(&str, &Context) -> Result<Identity, Status> + Send + Sync + 'static,
{
    fn authenticate(&self, token: &str, context: &Context) -> Result<Identity, Status> {
        self(token, context)
    }
}

/// Finds the call's bearer token and asks the authenticator about it.
pub(crate) fn authenticate(
    authenticator: &dyn Authenticator,
    context: &Context,
) -> Result<Identity, Status> {
    let Some(value) = context.metadata().get(AUTHORIZATION_KEY) else {
        return Err(Status::unauthenticated(
            "no credential: this server requires a bearer token in the `authorization` metadata",
        ));
    };
    let token = value
        .get(..BEARER_PREFIX.len())
        .filter(|scheme| scheme.eq_ignore_ascii_case(BEARER_PREFIX))
        .map(|_| value[BEARER_PREFIX.len()..].trim())
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            Status::unauthenticated("the `authorization` metadata is not `Bearer <token>`")
        })?;
    authenticator.authenticate(token, context)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Code, Metadata};

    fn context_with(value: Option<&str>) -> Context {
        let mut metadata = Metadata::new();
        if let Some(value) = value {
            metadata.insert(AUTHORIZATION_KEY, value);
        }
        Context::new("S", "m").with_metadata(metadata)
    }

    fn known(token: &str, _: &Context) -> Result<Identity, Status> {
        match token {
            "good" => Ok(Identity::new("alice")),
            _ => Err(Status::unauthenticated("unknown token")),
        }
    }

    #[test]
    fn a_bearer_token_is_found_whatever_the_scheme_case() {
        for value in ["Bearer good", "bearer good", "BEARER  good "] {
            let identity = authenticate(&known, &context_with(Some(value))).unwrap();
            assert_eq!(identity.name(), "alice");
        }
    }

    #[test]
    fn missing_or_malformed_credentials_are_unauthenticated() {
        for value in [
            None,
            Some(""),
            Some("Basic abc"),
            Some("Bearer "),
            Some("Bear"),
        ] {
            let status = authenticate(&known, &context_with(value)).unwrap_err();
            assert_eq!(status.code(), Code::Unauthenticated, "{value:?}");
        }
    }

    #[test]
    fn a_non_ascii_value_does_not_panic() {
        let status = authenticate(&known, &context_with(Some("Beäer x"))).unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated);
    }
}
