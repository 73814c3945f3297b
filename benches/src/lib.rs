//! The `rpc` benchmarks: rpcx's benchmark message, shared by the criterion
//! benches and the load generator ([`load`]) that compares this project with
//! tonic, tarpc and a raw-TCP floor, and the hostile-traffic harness
//! ([`hostile`]) that measures a server under attack.

#![forbid(unsafe_code)]

mod benchmark_message;
pub mod hostile;
pub mod load;

pub use benchmark_message::{BenchmarkMessage, TEXT};
