//! [`PeerAddr`]: who is on the other end of a connection.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The address of the peer of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PeerAddr {
    /// A TCP peer.
    Tcp(SocketAddr),
    /// A Unix-socket peer; clients of a Unix socket are usually unnamed.
    Unix(Option<PathBuf>),
}

impl fmt::Display for PeerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerAddr::Tcp(addr) => write!(f, "tcp@{addr}"),
            PeerAddr::Unix(Some(path)) => write!(f, "unix@{}", path.display()),
            PeerAddr::Unix(None) => f.write_str("unix@(unnamed)"),
        }
    }
}
