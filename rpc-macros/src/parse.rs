//! What `#[service]` reads: the attribute's options and the trait, checked
//! into a [`ServiceDef`] of [`MethodDef`]s that the code generators consume.
//!
//! Every check records its error at the offending tokens and carries on, so
//! one compile reports every misuse; nothing here panics on user input.

mod method;
mod options;
mod service;
mod wire_name;

pub(crate) use method::{MethodDef, is_plain_name, is_rpc_attribute};
pub(crate) use options::NameOptions;
pub(crate) use service::ServiceDef;
