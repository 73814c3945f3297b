//! The client side of the `rpc` framework. Not implemented yet: the
//! multiplexed connection and the load-balancing client come in later work.

#![forbid(unsafe_code)]
