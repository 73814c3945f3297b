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

/// A compile-time check (a call that does nothing) that the argument and the
/// reply have a codec in common: a call encodes both with one codec, so
/// without one every call would fail at run time. Spanned at the reply type,
/// where the error is reported.
pub(crate) fn shared_codec_check(argument: Option<&Type>, reply: &Type) -> TokenStream {
    let unit: Type = syn::parse_quote!(());
    let argument = argument.unwrap_or(&unit);
    quote_spanned! {reply.span()=>
        ::rpc::__private::assert_shared_codec(
            &::rpc::__private::codecs_of!(#argument),
            &::rpc::__private::codecs_of!(#reply),
        );
    }
}

/// For a method marked `#[rpc(typed_error)]`: a compile-time check that its
/// error type shares a codec with the argument and the reply (pairwise is
/// enough: with the codec sets types can have, three sets that meet two by
/// two have a codec in common). Spanned at the error type.
pub(crate) fn error_codec_check(
    argument: Option<&Type>,
    reply: &Type,
    error: &Type,
) -> TokenStream {
    let unit: Type = syn::parse_quote!(());
    let argument = argument.unwrap_or(&unit);
    quote_spanned! {error.span()=>
        ::rpc::__private::assert_error_shares_codec(
            &::rpc::__private::codecs_of!(#argument),
            &::rpc::__private::codecs_of!(#error),
        );
        ::rpc::__private::assert_error_shares_codec(
            &::rpc::__private::codecs_of!(#reply),
            &::rpc::__private::codecs_of!(#error),
        );
    }
}
