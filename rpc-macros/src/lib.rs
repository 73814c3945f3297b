//! Procedural macros of the `rpc` framework: `#[service]`.

#![forbid(unsafe_code)]

use proc_macro::TokenStream;

/// Turns a trait of async methods into an rpc service: a server wrapper and a
/// typed client. (Being written.)
#[proc_macro_attribute]
pub fn service(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}
