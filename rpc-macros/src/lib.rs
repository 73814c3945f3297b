//! Procedural macros of the `rpc` framework. The `#[service]` attribute lands
//! with the server and client (see the project's issue tracker).

#![forbid(unsafe_code)]
