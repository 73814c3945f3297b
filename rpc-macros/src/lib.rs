//! The `#[service]` attribute of the `rpc` framework: turns a trait of
//! `async fn`s into a service, with a server wrapper and a typed client.
//!
//! Use it through the facade, as `#[rpc::service]`:
//!
//! ```ignore
//! #[derive(serde::Serialize, serde::Deserialize)]
//! pub struct Args { pub a: i64, pub b: i64 }
//!
//! #[rpc::service]
//! pub trait Arith {
//!     /// `a * b`.
//!     async fn mul(&self, ctx: &rpc::Context, args: Args) -> Result<i64, rpc::Status>;
//!     /// On the wire `Arith.Plus` instead of `Arith.Add`.
//!     #[rpc(name = "Plus")]
//!     async fn add(&self, args: Args) -> Result<i64, rpc::Status>;
//!     async fn ping(&self) -> Result<(), rpc::Status>;
//! }
//!
//! // Server side: implement the trait with `async fn`s and serve `ArithServer::new(imp)`.
//! // Client side:
//! let arith = ArithClient::new(rpc::Client::new("127.0.0.1:8972"));
//! let product = arith.mul(&Args { a: 7, b: 8 }).await?;
//! ```
//!
//! The attribute emits three items next to the trait; see [`service`]. The
//! generated code names nothing but absolute paths into the `rpc` facade
//! (`::rpc::__private`), so a user crate needs only `rpc` as a dependency.
//!
//! Layout: `parse` checks the input into a `ServiceDef`; `trait_def`,
//! `server` and `client` each generate one part from it.

#![forbid(unsafe_code)]

mod client;
mod errors;
mod parse;
mod payload;
mod reflection;
mod server;
mod trait_def;

use proc_macro::TokenStream;
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::{FnArg, ItemTrait, Pat, PatWild, Token, TraitItem};

use crate::parse::{NameOptions, ServiceDef, is_plain_name, is_rpc_attribute};

/// Turns a trait of `async fn`s into an rpc service.
///
/// ```ignore
/// #[rpc::service]                     // or #[rpc::service(name = "ArithService")]
/// pub trait Arith {
///     async fn mul(&self, ctx: &rpc::Context, args: Args) -> Result<Reply, rpc::Status>; // `Arith.Mul`
///     #[rpc(name = "plus")]           // the wire name, exactly as given
///     async fn add(&self, args: Args) -> Result<Reply, MyError>; // MyError: Into<rpc::Status>
///     async fn get_user(&self, id: u64) -> Result<User, rpc::Status>; // `Arith.GetUser`
///     async fn ping(&self) -> Result<(), rpc::Status>;           // the wire argument is `()`
///     #[rpc(oneway)]                  // callers send and get no reply
///     async fn log(&self, line: String) -> Result<(), rpc::Status>;
///     #[rpc(typed_error)]             // the error travels typed
///     async fn reserve(&self, order: Order) -> Result<Ticket, StockError>;
/// }
/// ```
///
/// **Typed errors**: `#[rpc(typed_error)]` sends the method's error type
/// `E` itself: `E` implements `rpc::ApplicationError` (its `status()` is
/// the code and message callers that do not know `E` see) and has a codec
/// shared with the argument and reply (a compile error otherwise). The
/// server encodes a returned `E` in the call's codec as the error
/// response's details; the client's `reserve` returns
/// `Result<Ticket, rpc::CallError<StockError>>`, with
/// `CallError::Application { error, status }` for the handler's own errors
/// and `CallError::Status` for every other failure. Without the flag, `E`
/// only needs `Into<rpc::Status>` and the caller gets that status.
///
/// **Oneway methods**: `#[rpc(oneway)]` (the reply type must be `()`) makes
/// the client's `log(&line)` / `log_with(&line, options)` send the request
/// as a oneway frame and return `Ok(())` once it is on its way; the server
/// runs the handler and sends nothing back, so its outcome, errors
/// included, reaches no caller. Reflection marks the method `oneway`.
///
/// **Wire names** (`docs/PROTOCOL.md` §3.1), as rpcx's Go services have them,
/// so that a Go client's `Arith.Mul` reaches `mul`: the service is called by
/// the trait's name as written (`Arith`); a method by its Rust name in
/// UpperCamelCase: each word between underscores gets an upper-case first
/// letter and the underscores go (`mul` → `Mul`, `get_user` → `GetUser`,
/// `div2` → `Div2`, `r#type` → `Type`); nothing else changes. `name = "..."`
/// on `#[rpc::service(...)]` or on a method's `#[rpc(...)]` replaces the
/// default and is used exactly as written. Names are case-sensitive, 1 to
/// 255 bytes, and unique within a service; breaking either is a compile error.
///
/// Each method is an `async fn` taking `&self`, then optionally the call's
/// context, written `&Context` (imported from `rpc`) or `&rpc::Context`,
/// right after `&self`, then at most one argument with a plain name, and returning
/// `Result<Reply, Error>` with `Error: Into<rpc::Status>`. The argument and
/// the reply are payloads: each gets every codec its type supports (serde:
/// JSON and msgpack; prost: protobuf; both: all three; `Bytes`: raw). A call
/// encodes both with one codec, so they must share at least one: a method
/// whose types share none, or a type no codec can carry, is a compile error
/// at that type that says which derives would do. The
/// trait can have no generics and no items other than such methods; every
/// misuse is a compile error at the offending tokens.
///
/// The attribute emits, with the trait's visibility:
///
/// - the trait, with `Send + Sync + 'static` added and each method declared
///   as returning `impl Future<Output = ..> + Send`, so the server can spawn
///   calls (implement it with `async fn` as usual);
/// - `ArithServer<T>`: wraps any `T: Arith` (`new` or `from_arc`) and
///   implements `rpc::RpcService`, to be handed to a server;
/// - `ArithClient<C = rpc::Client>`: `new(channel)`, and for each method
///   `mul(&args)` and `mul_with(&args, CallOptions)` (which also returns the
///   reply metadata); its errors are always `rpc::Status`.
///
/// The server wrapper also describes itself to reflection
/// (`RpcService::describe`): per method its wire name, the argument and reply
/// type names, the codecs both support and, with the facade's `schemars`
/// feature and types implementing `schemars::JsonSchema`, their JSON Schemas.
#[proc_macro_attribute]
pub fn service(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(args.into(), item.into()).into()
}

/// [`service`] on `proc_macro2` tokens.
fn expand(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let options = syn::parse2::<NameOptions>(args);
    let item_trait = match syn::parse2::<ItemTrait>(item.clone()) {
        Ok(item_trait) => item_trait,
        Err(_) => {
            let error = syn::Error::new_spanned(
                &item,
                "`#[rpc::service]` goes on a trait of `async fn` methods",
            );
            return error_output(item, error);
        }
    };
    match ServiceDef::parse(options, item_trait.clone()) {
        Ok(service) => {
            let service_trait = trait_def::expand(&service);
            let server = server::expand(&service);
            let client = client::expand(&service);
            quote! {
                #service_trait
                #server
                #client
            }
        }
        Err(error) => error_output(as_written(item_trait), error),
    }
}

/// The item as written plus the errors, so that IDEs still know the trait
/// while the user fixes it.
fn error_output(item: impl ToTokens, error: syn::Error) -> proc_macro2::TokenStream {
    let errors = error.to_compile_error();
    quote! {
        #item
        #errors
    }
}

/// The trait as written, minus what only a successful expansion would make
/// valid, so that the compiler adds no errors of its own to the attribute's:
/// the `#[rpc(...)]` helper attributes, and patterns in place of parameter
/// names in methods without a body (`_` instead).
fn as_written(mut item: ItemTrait) -> ItemTrait {
    item.attrs.retain(|attr| !is_rpc_attribute(attr));
    for trait_item in &mut item.items {
        let TraitItem::Fn(method) = trait_item else {
            continue;
        };
        method.attrs.retain(|attr| !is_rpc_attribute(attr));
        if method.default.is_some() {
            continue;
        }
        for input in &mut method.sig.inputs {
            if let FnArg::Typed(param) = input
                && !is_plain_name(&param.pat)
            {
                *param.pat = Pat::Wild(PatWild {
                    attrs: Vec::new(),
                    underscore_token: Token![_](param.pat.span()),
                });
            }
        }
    }
    item
}
