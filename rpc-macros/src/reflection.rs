//! `RpcService::describe` for the server wrapper: what reflection says about
//! each method, built from the same compile-time choices as the dispatch.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::Type;
use syn::spanned::Spanned;

use crate::parse::{MethodDef, ServiceDef};
use crate::payload;

/// The `describe` method of the `RpcService` impl. Per method it reads:
///
/// ```ignore
/// ::rpc::__private::MethodDescription::new::<Args, Reply>(
///     "Mul",
///     (&payload_codec!(Args), type_schema!(Args)),
///     (&payload_codec!(Reply), type_schema!(Reply)),
/// )
/// .with_error::<Error>(type_schema!(Error)), // #[rpc(typed_error)] only
/// ```
pub(crate) fn describe(service: &ServiceDef) -> TokenStream {
    let wire_name = &service.wire_name;
    let methods = service.methods.iter().map(method);
    quote! {
        fn describe(&self) -> ::rpc::__private::ServiceDescription {
            ::rpc::__private::ServiceDescription {
                name: ::std::string::String::from(#wire_name),
                methods: ::std::vec![#(#methods),*],
            }
        }
    }
}

fn method(method: &MethodDef) -> TokenStream {
    let wire_name = &method.wire_name;
    let unit: Type = syn::parse_quote!(());
    let argument = method.argument.as_ref().unwrap_or(&unit);
    let reply = &method.reply;
    let argument_codec = payload::codec(method.argument.as_ref());
    let reply_codec = payload::codec(Some(reply));
    let argument_schema = schema(argument);
    let reply_schema = schema(reply);
    let mut description = quote! {
        ::rpc::__private::MethodDescription::new::<#argument, #reply>(
            #wire_name,
            (&#argument_codec, #argument_schema),
            (&#reply_codec, #reply_schema),
        )
    };
    if method.typed_error {
        let error = &method.error;
        let error_schema = schema(error);
        description = quote! {
            #description.with_error::<#error>(#error_schema)
        };
    }
    if method.oneway {
        quote! {{
            let mut oneway = #description;
            oneway.oneway = true;
            oneway
        }}
    } else {
        description
    }
}

fn schema(ty: &Type) -> TokenStream {
    quote_spanned!(ty.span()=> ::rpc::__private::type_schema!(#ty))
}
