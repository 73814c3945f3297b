//! The codec table of a payload type, as both sides of the generated code
//! build it.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::Type;
use syn::spanned::Spanned;

/// `payload_codec!(ty)`, or `payload_codec!(())` for a method without an
/// argument. Spanned at `ty`, so that a type no codec supports is reported
/// at the type rather than at the attribute.
pub(crate) fn codec(ty: Option<&Type>) -> TokenStream {
    match ty {
        Some(ty) => quote_spanned!(ty.span()=> ::rpc::__private::payload_codec!(#ty)),
        None => quote!(::rpc::__private::payload_codec!(())),
    }
}
