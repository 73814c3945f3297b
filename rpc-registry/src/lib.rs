//! Service registration and discovery for the `rpc` framework.
//!
//! Servers announce their endpoints through a [`Registry`]; clients follow a
//! service's live endpoint set through a [`Discovery`]. Backends:
//!
//! - etcd v3 (feature `etcd`, needs `protoc` to build): [`etcd::EtcdRegistry`]
//!   and [`etcd::EtcdDiscovery`], rpcx's key layout, leases kept alive and
//!   renewed when lost;
//! - [`StaticDiscovery`]: a fixed list of peers;
//! - [`MemoryRegistry`]: in-process, both sides at once.
//!
//! [`SelfPreservation`] keeps a service's endpoints published for a while
//! when most of them vanish from the registry at once (etcd discovery does
//! so by default; [`SelfPreserving`] wraps any other discovery).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use rpc_registry::{Discovery, Endpoint, EndpointMetadata, MemoryRegistry, Registry};
//!
//! let registry = MemoryRegistry::new();
//! let endpoint = Endpoint::tcp("127.0.0.1:8972")
//!     .with_metadata(EndpointMetadata::new().with("weight", "3"));
//! registry.register("Arith", &endpoint).await.unwrap();
//! let view = registry.watch("Arith").await.unwrap();
//! assert_eq!(view.current()["tcp@127.0.0.1:8972"].metadata.weight(), 3);
//! # }
//! ```

#![forbid(unsafe_code)]

mod announce;
mod endpoint;
mod endpoint_set;
mod error;
#[cfg(feature = "etcd")]
pub mod etcd;
mod memory;
mod metadata;
mod registry;
mod self_preservation;
mod static_list;
mod url;

pub use announce::Registration;
pub use endpoint::{Endpoint, Network};
pub use endpoint_set::{Change, EndpointSet, EndpointWatch, diff};
pub use error::{BackendError, RegistryError};
pub use memory::MemoryRegistry;
pub use metadata::EndpointMetadata;
pub use registry::{Discovery, Registry, RegistryFuture};
pub use self_preservation::{SelfPreservation, SelfPreserving};
pub use static_list::StaticDiscovery;
pub use url::{discovery_from_url, registry_from_url};
