//! Nothing here: the crate exists for its tests (`tests/`), which run the
//! rpcx-rs crates against this project over 127.0.0.1.
