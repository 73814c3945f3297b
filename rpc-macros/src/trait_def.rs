//! The service trait as emitted: the same methods, made spawnable.
//!
//! `async fn m(&self, ..) -> R;` becomes
//! `fn m(&self, ..) -> impl Future<Output = R> + Send;` and the trait gains
//! `Send + Sync + 'static`, so the server can run each call on a spawned
//! task. Implementations still write `async fn`.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemTrait, ReturnType, TraitItem, TypeParamBound, parse_quote};

use crate::parse::{ServiceDef, is_rpc_attribute};

/// The rewritten trait.
pub(crate) fn expand(service: &ServiceDef) -> TokenStream {
    let mut item = service.item.clone();
    add_supertraits(&mut item);
    for trait_item in &mut item.items {
        if let TraitItem::Fn(method) = trait_item {
            method.attrs.retain(|attr| !is_rpc_attribute(attr));
            method.sig.asyncness = None;
            let (output, span) = match &method.sig.output {
                ReturnType::Type(_, ty) => (ty.to_token_stream(), ty.span()),
                ReturnType::Default => (quote!(()), method.sig.span()),
            };
            // Spanned at the return type, so that "future is not `Send`"
            // points at the method whose implementation broke the bound.
            let send = quote_spanned!(span=> ::core::marker::Send);
            method.sig.output = parse_quote! {
                -> impl ::core::future::Future<Output = #output> + #send
            };
        }
    }
    item.to_token_stream()
}

/// Adds `Send + Sync + 'static` to the supertraits, skipping any already written.
fn add_supertraits(item: &mut ItemTrait) {
    let written = |name: &str| {
        item.supertraits.iter().any(|bound| match bound {
            TypeParamBound::Trait(bound) => bound
                .path
                .segments
                .last()
                .is_some_and(|segment| segment.ident == name),
            TypeParamBound::Lifetime(lifetime) => lifetime.ident == name,
            _ => false,
        })
    };
    let missing: Vec<TypeParamBound> = [
        ("Send", parse_quote!(::core::marker::Send)),
        ("Sync", parse_quote!(::core::marker::Sync)),
        ("static", parse_quote!('static)),
    ]
    .into_iter()
    .filter(|(name, _)| !written(name))
    .map(|(_, bound)| bound)
    .collect();
    if missing.is_empty() {
        return;
    }
    item.colon_token.get_or_insert_with(Default::default);
    item.supertraits.extend(missing);
}
