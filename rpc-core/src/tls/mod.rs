//! TLS and mutual TLS (rustls with the ring provider), behind the `tls`
//! feature.
//!
//! The server side is [`ServerTls`], given to
//! [`ServerBuilder::tls`](crate::server::ServerBuilder::tls). The handshake
//! runs on the connection's own task, never in the accept loop, and is
//! bounded by the server's first-frame timeout. The server peeks at the first
//! byte of each connection: a TLS ClientHello (`0x16`) on a plaintext
//! server, or this protocol's magic (`0x8f`) on a TLS server, is refused
//! with a clear reason instead of a confusing decode error.
//!
//! ```no_run
//! # fn example() -> Result<(), rpc_core::tls::TlsError> {
//! use rpc_core::tls::ServerTls;
//!
//! // Server certificate and key reloaded when the files change; clients
//! // must present a certificate signed by `client-ca.pem` (mutual TLS).
//! let tls = ServerTls::from_pem_files("server.pem", "server.key")
//!     .client_ca_pem_file("client-ca.pem")
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! The pieces the client side shares (PEM loading, readable handshake
//! errors) are public here too.

mod describe;
mod error;
mod peer_certificate;
pub mod pem;
mod reloading_resolver;
mod server_tls;

pub use describe::describe_tls_error;
pub use error::TlsError;
pub use peer_certificate::peer_certificate_from_der;
pub use server_tls::{DEFAULT_RELOAD_CHECK, ServerTls, ServerTlsBuilder};

/// Re-exported so users name the rustls this crate was built against.
pub use rustls;

/// The crypto provider every TLS config of the workspace uses (ring): fixed,
/// so no process-wide default has to be installed.
pub fn crypto_provider() -> std::sync::Arc<rustls::crypto::CryptoProvider> {
    std::sync::Arc::new(rustls::crypto::ring::default_provider())
}
