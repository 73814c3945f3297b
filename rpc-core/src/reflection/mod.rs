//! Reflection: a machine-readable description of the services a server
//! runs, answered by every server as the built-in [`REFLECTION_SERVICE`].
//!
//! `#[service]` records, per method, its wire name, the Rust names of its
//! argument and reply types, the codecs it speaks (the same compile-time
//! choice its dispatch makes) and, where the types implement
//! `schemars::JsonSchema` and the `schemars` feature is on, their JSON
//! Schema. The server collects every service's [`ServiceDescription`] when it
//! is built and answers two methods (`docs/PROTOCOL.md` §10):
//!
//! - `rpc.Reflection.List`, argument `null`/`()`: a [`ServiceList`];
//! - `rpc.Reflection.Describe`, argument [`DescribeRequest`]: a
//!   [`ServiceDescription`], or `service_not_found`.
//!
//! Both speak JSON and msgpack, so a tool in any language can read them.

mod description;
mod schema;
mod service;

pub use description::{
    DescribeRequest, MethodDescription, ServiceDescription, ServiceList, ServiceSummary,
    TypeDescription,
};
#[cfg(feature = "schemars")]
pub use schema::ViaJsonSchema;
pub use schema::{NoSchema, SchemaProbe};
pub(crate) use service::add_to;
pub use service::{REFLECTION_SERVICE, ReflectionService};
