//! [`Origin`]: who decided a failure, which is what retries and circuit
//! breakers may act on.

/// Who decided a [`Status`](crate::Status): the framework, about the endpoint
/// and the call's delivery, or application code.
///
/// Retries and circuit breakers act only on the framework's verdicts (the
/// endpoint could not be reached, the connection broke, no reply came in
/// time, the server refused the call before running its handler): those say
/// something about the endpoint. A handler's own failure says something about
/// the request or about what the handler depends on, whatever its code: a
/// handler that returns `unavailable` because *its* downstream is down is a
/// healthy endpoint, and its call must not be sent again elsewhere.
///
/// Statuses start as [`Origin::Framework`]. The code the `#[rpc::service]`
/// macro writes turns every error a handler returns into
/// [`Origin::Application`] (also the one it passes on from its own calls);
/// on the wire the server marks framework statuses (metadata `rpc-origin`,
/// see `docs/PROTOCOL.md` §4.2) and a client reads every unmarked failure as
/// the application's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Origin {
    /// The framework decided it, on the client (connect failed, connection
    /// lost, deadline passed) or on the server before or around the handler
    /// (limits, shutdown, unknown service, a panic, the handler's timeout).
    #[default]
    Framework,
    /// Application code returned it: a handler's error, or one a handler
    /// passed on.
    Application,
}

impl Origin {
    /// A short name, as used in logs.
    pub const fn name(self) -> &'static str {
        match self {
            Origin::Framework => "framework",
            Origin::Application => "application",
        }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
