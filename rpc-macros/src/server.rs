//! The server wrapper: `ArithServer<T>` implements the runtime's `RpcService`
//! for any `T: Arith`, decoding each call's argument, running the method and
//! encoding its reply.

use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::parse::{MethodDef, ServiceDef};
use crate::{payload, reflection};

/// Names tried, in order, for the wrapper's type parameter: the first that
/// no method's types mention, so it cannot shadow a user type.
const TYPE_PARAMS: [&str; 4] = ["T", "S", "Svc", "ServiceImpl"];

/// The wrapper struct, its constructors, `Clone`, `Debug` and `RpcService`.
pub(crate) fn expand(service: &ServiceDef) -> TokenStream {
    let ServiceDef {
        item,
        wire_name,
        server,
        methods,
        ..
    } = service;
    let vis = &item.vis;
    let service_trait = &item.ident;
    let param = type_param(methods);
    let wire_names = methods.iter().map(|method| &method.wire_name);
    let arms = methods
        .iter()
        .map(|method| arm(service_trait, &param, method));
    let doc =
        format!(" Serves an implementation of [`{service_trait}`] as the `{wire_name}` service.");
    let debug_name = server.to_string();
    let describe = reflection::describe(service);

    quote! {
        #[doc = #doc]
        ///
        /// Hand it to a server: each call of the service runs the method of the
        /// same wire name, with the argument decoded and the reply encoded in
        /// the call's codec.
        #vis struct #server<#param> {
            inner: ::std::sync::Arc<#param>,
        }

        impl<#param> #server<#param> {
            /// Wraps an implementation of the service.
            #vis fn new(inner: #param) -> Self {
                Self::from_arc(::std::sync::Arc::new(inner))
            }

            /// Wraps an implementation that is shared with other code.
            #vis fn from_arc(inner: ::std::sync::Arc<#param>) -> Self {
                Self { inner }
            }
        }

        impl<#param> ::core::clone::Clone for #server<#param> {
            fn clone(&self) -> Self {
                Self {
                    inner: ::std::sync::Arc::clone(&self.inner),
                }
            }
        }

        impl<#param> ::core::fmt::Debug for #server<#param> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(#debug_name)
                    .field("service", &#wire_name)
                    .finish_non_exhaustive()
            }
        }

        impl<#param: #service_trait> ::rpc::__private::RpcService for #server<#param> {
            fn name(&self) -> &'static str {
                #wire_name
            }

            fn methods(&self) -> &'static [&'static str] {
                &[#(#wire_names),*]
            }

            #describe

            fn call(
                &self,
                call: ::rpc::__private::ServiceCall,
            ) -> ::rpc::__private::BoxFuture<
                ::core::result::Result<::rpc::__private::ServiceReply, ::rpc::__private::Status>,
            > {
                match call.context.method() {
                    #(#arms)*
                    _ => ::rpc::__private::unknown_method(&call),
                }
            }
        }
    }
}

/// The match arm that serves one method.
fn arm(service_trait: &Ident, param: &Ident, method: &MethodDef) -> TokenStream {
    let MethodDef {
        ident,
        wire_name,
        has_context,
        argument,
        reply,
        error,
        typed_error,
        ..
    } = method;
    // A method without an argument still decodes the `()` payload, so a
    // malformed request is refused as one.
    let decode =
        quote! { ::rpc::__private::decode_argument(&call, &argument_codec, &reply_codec)? };
    let decode = match argument {
        Some(_) => quote!(let args = #decode;),
        None => quote!(#decode;),
    };
    let mut call_args = vec![quote!(&inner)];
    if *has_context {
        call_args.push(quote!(&call.context));
    }
    if argument.is_some() {
        call_args.push(quote!(args));
    }
    // Spanned at `E`, so that a missing `Into<Status>` is reported once, at
    // the error type.
    // A typed error is encoded in the call's codec too, and must implement
    // `ApplicationError` (reported at `E`).
    let (error_codec, finish) = if *typed_error {
        let codec = payload::codec(Some(error));
        let finish = quote_spanned! {error.span()=>
            ::rpc::__private::encode_typed_result(
                &call.context,
                call.codec,
                result,
                &reply_codec,
                &error_codec,
            )
        };
        (Some(quote!(let error_codec = #codec;)), finish)
    } else {
        let finish = quote_spanned! {error.span()=>
            ::rpc::__private::encode_result(&call.context, call.codec, result, &reply_codec)
        };
        (None, finish)
    };
    let argument_codec = payload::codec(argument.as_ref());
    let reply_codec = payload::codec(Some(reply));
    let shared_codec = payload::shared_codec_check(argument.as_ref(), reply);
    let error_shares_codec =
        typed_error.then(|| payload::error_codec_check(argument.as_ref(), reply, error));

    quote! {
        #wire_name => {
            let inner = ::std::sync::Arc::clone(&self.inner);
            ::std::boxed::Box::pin(async move {
                #shared_codec
                #error_shares_codec
                let argument_codec = #argument_codec;
                let reply_codec = #reply_codec;
                #error_codec
                #decode
                let result = <#param as #service_trait>::#ident(#(#call_args),*).await;
                #finish
            })
        }
    }
}

/// The wrapper's type parameter: `T`, unless a method's types use that name.
fn type_param(methods: &[MethodDef]) -> Ident {
    let mut mentioned = Vec::new();
    for method in methods {
        let types = [
            method.argument.as_ref(),
            Some(&method.reply),
            Some(&method.error),
        ];
        for ty in types.into_iter().flatten() {
            collect_idents(ty.to_token_stream(), &mut mentioned);
        }
    }
    let free = TYPE_PARAMS
        .into_iter()
        .find(|name| !mentioned.iter().any(|ident| ident == name));
    format_ident!("{}", free.unwrap_or("RpcServiceImpl"))
}

/// Every identifier in `tokens`, groups included.
fn collect_idents(tokens: TokenStream, idents: &mut Vec<Ident>) {
    for token in tokens {
        match token {
            proc_macro2::TokenTree::Ident(ident) => idents.push(ident),
            proc_macro2::TokenTree::Group(group) => collect_idents(group.stream(), idents),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use syn::parse_quote;

    use super::*;
    use crate::parse::NameOptions;

    fn param_of(item: syn::ItemTrait) -> String {
        let service = ServiceDef::parse(Ok(NameOptions::default()), item)
            .unwrap_or_else(|error| panic!("{error}"));
        type_param(&service.methods).to_string()
    }

    #[test]
    fn the_type_parameter_does_not_shadow_a_user_type() {
        assert_eq!(
            param_of(parse_quote!(
                trait A {
                    async fn a(&self, x: X) -> Result<Y, Z>;
                }
            )),
            "T"
        );
        assert_eq!(
            param_of(parse_quote!(
                trait A {
                    async fn a(&self, x: Vec<T>) -> Result<(), E>;
                }
            )),
            "S"
        );
        assert_eq!(
            param_of(parse_quote!(
                trait A {
                    async fn a(&self, x: (T, S)) -> Result<Svc, ServiceImpl>;
                }
            )),
            "RpcServiceImpl"
        );
    }
}
