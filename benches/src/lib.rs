//! The `rpc` benchmarks: rpcx's benchmark message, shared by the criterion
//! benches and the load generator ([`load`]) that compares this project with
//! tonic, tarpc and a raw-TCP floor.

#![forbid(unsafe_code)]

mod benchmark_message;
pub mod load;

pub use benchmark_message::{BenchmarkMessage, TEXT};
