//! Runnable examples of the `rpc` framework; each program is a binary in `src/bin`.
