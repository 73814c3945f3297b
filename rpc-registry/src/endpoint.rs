//! [`Endpoint`]: where one server of a service can be reached, and how.

use std::fmt;
use std::str::FromStr;

use crate::{EndpointMetadata, RegistryError};

/// The transport of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Network {
    /// TCP; the address is `host:port`.
    Tcp,
    /// A Unix socket; the address is a path.
    Unix,
}

impl Network {
    /// The name used in keys: `tcp` or `unix`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Network::Tcp => "tcp",
            Network::Unix => "unix",
        }
    }
}

/// One server of a service: network, address and metadata.
///
/// Its identity is `network@address` (e.g. `tcp@10.0.0.7:8972`), the last
/// segment of its etcd key; the metadata travels as the key's value, a URL
/// query string like `weight=10&group=blue&state=active`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoint {
    /// The transport.
    pub network: Network,
    /// `host:port` for TCP, a path for Unix sockets.
    pub address: String,
    /// Weight, group, version, state and free-form keys.
    pub metadata: EndpointMetadata,
}

impl Endpoint {
    /// A TCP endpoint at `address` (`host:port`) with default metadata.
    pub fn tcp(address: impl Into<String>) -> Endpoint {
        Endpoint {
            network: Network::Tcp,
            address: address.into(),
            metadata: EndpointMetadata::default(),
        }
    }

    /// A Unix-socket endpoint at `path` with default metadata.
    pub fn unix(path: impl Into<String>) -> Endpoint {
        Endpoint {
            network: Network::Unix,
            address: path.into(),
            metadata: EndpointMetadata::default(),
        }
    }

    /// The same endpoint with `metadata`.
    pub fn with_metadata(mut self, metadata: EndpointMetadata) -> Endpoint {
        self.metadata = metadata;
        self
    }

    /// `network@address`: the endpoint's identity and the last segment of its key.
    pub fn id(&self) -> String {
        format!("{}@{}", self.network.as_str(), self.address)
    }

    /// Parses an identity (`tcp@host:port`, `unix@/path`) and a metadata query string.
    pub fn parse(id: &str, metadata: &str) -> Result<Endpoint, RegistryError> {
        let (network, address) = id
            .split_once('@')
            .ok_or_else(|| RegistryError::BadEndpoint(format!("{id:?} has no '@'")))?;
        let network = match network {
            "tcp" => Network::Tcp,
            "unix" => Network::Unix,
            other => {
                return Err(RegistryError::BadEndpoint(format!(
                    "unknown network {other:?} in {id:?}"
                )));
            }
        };
        if address.is_empty() {
            return Err(RegistryError::BadEndpoint(format!("{id:?} has no address")));
        }
        Ok(Endpoint {
            network,
            address: address.to_owned(),
            metadata: EndpointMetadata::from_query(metadata),
        })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.network.as_str(), self.address)
    }
}

impl FromStr for Endpoint {
    type Err = RegistryError;

    /// Parses `network@address`, optionally followed by `?query`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (id, query) = s.split_once('?').unwrap_or((s, ""));
        Endpoint::parse(id, query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_and_query_round_trip() {
        let endpoint: Endpoint = "tcp@127.0.0.1:8972?weight=3&group=blue".parse().unwrap();
        assert_eq!(endpoint.network, Network::Tcp);
        assert_eq!(endpoint.address, "127.0.0.1:8972");
        assert_eq!(endpoint.metadata.weight(), 3);
        assert_eq!(endpoint.metadata.group(), Some("blue"));
        assert_eq!(endpoint.id(), "tcp@127.0.0.1:8972");
        let unix: Endpoint = "unix@/run/arith.sock".parse().unwrap();
        assert_eq!(unix.network, Network::Unix);
        assert_eq!(unix.address, "/run/arith.sock");
    }

    #[test]
    fn malformed_identities_are_errors() {
        for bad in ["127.0.0.1:1", "udp@1.2.3.4:5", "tcp@"] {
            assert!(bad.parse::<Endpoint>().is_err(), "{bad}");
        }
    }
}
