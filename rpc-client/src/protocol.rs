//! [`Protocol`]: which wire protocol a client speaks to an endpoint.

use std::fmt;
use std::str::FromStr;

/// The wire protocol of a connection: this project's own frames, or Go
/// rpcx's messages (`docs/PROTOCOL.md` §13), so that a [`Client`],
/// the typed stubs over it and an [`XClient`] call Go rpcx servers.
///
/// Set it on [`ClientConfigBuilder::protocol`](crate::ClientConfigBuilder::protocol)
/// for a client; an `XClient` also reads it per endpoint from the
/// endpoint's metadata key [`PROTOCOL_KEY`] (`protocol=rpcx`).
///
/// [`Client`]: crate::Client
/// [`XClient`]: crate::XClient
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Protocol {
    /// This project's frames (`docs/PROTOCOL.md` §1–§12). The default.
    #[default]
    Native,
    /// Go rpcx's messages (`docs/PROTOCOL.md` §13).
    Rpcx,
}

/// The endpoint metadata key that names an endpoint's protocol
/// (`protocol=rpcx`; absent or `native`: this project's).
pub const PROTOCOL_KEY: &str = "protocol";

impl Protocol {
    /// The name used in endpoint metadata: `native` or `rpcx`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Protocol::Native => "native",
            Protocol::Rpcx => "rpcx",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A protocol name no [`Protocol`] has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown protocol {0:?} (expected native or rpcx)")]
pub struct UnknownProtocol(pub String);

impl FromStr for Protocol {
    type Err = UnknownProtocol;

    /// `native` or `rpcx`, in any case.
    fn from_str(name: &str) -> Result<Protocol, UnknownProtocol> {
        if name.eq_ignore_ascii_case("native") {
            Ok(Protocol::Native)
        } else if name.eq_ignore_ascii_case("rpcx") {
            Ok(Protocol::Rpcx)
        } else {
            Err(UnknownProtocol(name.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for protocol in [Protocol::Native, Protocol::Rpcx] {
            assert_eq!(protocol.as_str().parse(), Ok(protocol));
        }
        assert_eq!("RPCX".parse(), Ok(Protocol::Rpcx));
        assert_eq!(
            "grpc".parse::<Protocol>(),
            Err(UnknownProtocol("grpc".to_owned()))
        );
        assert_eq!(Protocol::default(), Protocol::Native);
    }
}
