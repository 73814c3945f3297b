//! Shared pieces of the `rpc` benchmarks: rpcx's benchmark message.

#![forbid(unsafe_code)]

mod benchmark_message;

pub use benchmark_message::{BenchmarkMessage, TEXT};
