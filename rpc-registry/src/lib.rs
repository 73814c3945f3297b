//! Service registration and discovery for the `rpc` framework: etcd v3, a
//! static peer list and an in-process registry. Not implemented yet: this crate
//! is a placeholder in the workspace so that the layout is in place.

#![forbid(unsafe_code)]
