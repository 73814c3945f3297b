//! The typed client: `ArithClient<C>` has one pair of async methods per
//! service method (`mul` and `mul_with`), over any `Channel` `C`. A
//! `#[rpc(oneway)]` method's pair sends and returns without a reply.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;

use crate::parse::{MethodDef, ServiceDef};
use crate::payload;

/// The client struct, its constructor and its methods.
pub(crate) fn expand(service: &ServiceDef) -> TokenStream {
    let ServiceDef {
        item,
        wire_name,
        client,
        methods,
        ..
    } = service;
    let vis = &item.vis;
    let service_trait = &item.ident;
    let doc = format!(
        " A typed client of the `{wire_name}` service: [`{service_trait}`] called over the network."
    );
    let name_doc = format!(" The service's wire name, `{wire_name:?}`.");
    let calls = methods.iter().map(|method| calls(service, method));

    quote! {
        #[doc = #doc]
        ///
        /// Each method `m` of the trait gives two calls: `m(&args)` returns the
        /// reply, and `m_with(&args, options)` takes per-call `CallOptions`
        /// (codec, timeout, metadata) and returns the reply with the server's
        /// reply metadata. Failures, the server's and the transport's, are a
        /// `Status`. The calls go through `C`: one connection (`rpc::Client`,
        /// the default) or any other `rpc::Channel`.
        #[derive(::core::fmt::Debug, ::core::clone::Clone)]
        #vis struct #client<C = ::rpc::Client> {
            channel: C,
        }

        impl<C> #client<C> {
            #[doc = #name_doc]
            #vis const SERVICE_NAME: &'static str = #wire_name;

            /// A client that sends its calls through `channel`.
            #vis fn new(channel: C) -> Self {
                Self { channel }
            }

            /// The channel the calls go through.
            #vis fn channel(&self) -> &C {
                &self.channel
            }
        }

        impl<C: ::rpc::__private::Channel> #client<C> {
            #(#calls)*
        }
    }
}

/// `m` and `m_with` for one method.
fn calls(service: &ServiceDef, method: &MethodDef) -> TokenStream {
    let vis = &service.item.vis;
    let MethodDef {
        ident,
        wire_name,
        docs,
        argument,
        reply,
        error,
        oneway,
        typed_error,
        ..
    } = method;
    let with = format_ident!("{}_with", ident.unraw(), span = ident.span());
    let full_name = format!("{}.{wire_name}", service.wire_name);

    // The argument, when there is one: declared, passed on, and sent.
    let param: Vec<_> = argument.iter().map(|ty| quote!(args: &#ty)).collect();
    let pass: Vec<_> = argument.iter().map(|_| quote!(args)).collect();
    let sent = match argument {
        Some(_) => quote!(args),
        None => quote!(&()),
    };
    let argument_codec = payload::codec(argument.as_ref());
    let reply_codec = payload::codec(Some(reply));
    let separator = (!docs.is_empty()).then(|| quote!(#[doc = ""]));
    let doc = format!(
        " Calls `{full_name}` with the default options and returns the reply; [`Self::{with}`] takes options."
    );
    let with_doc = format!(
        " Calls `{full_name}` with per-call `options` (codec, timeout, metadata) and returns the reply with the server's reply metadata."
    );

    if *oneway {
        let doc = format!(
            " Sends `{full_name}` oneway, with the default options: returns once the request is on its way; the server sends no reply, so neither the handler's outcome nor its errors come back. [`Self::{with}`] takes options."
        );
        let with_doc = format!(
            " Sends `{full_name}` oneway with per-call `options` (codec, metadata); no reply comes back."
        );
        return quote! {
            #(#docs)*
            #separator
            #[doc = #doc]
            #vis async fn #ident(&self #(, #param)*) -> ::core::result::Result<(), ::rpc::__private::Status> {
                self.#with(#(#pass,)* ::rpc::__private::CallOptions::new()).await
            }

            #[doc = #with_doc]
            #vis async fn #with(
                &self,
                #(#param,)*
                options: ::rpc::__private::CallOptions,
            ) -> ::core::result::Result<(), ::rpc::__private::Status> {
                ::rpc::__private::send_oneway_typed(
                    &self.channel,
                    ::rpc::__private::ByteString::from_static(Self::SERVICE_NAME),
                    ::rpc::__private::ByteString::from_static(#wire_name),
                    #sent,
                    #argument_codec,
                    options,
                )
                .await
            }
        };
    }

    if *typed_error {
        let error_doc = format!(
            " The handler's own errors come back as `CallError::Application` with the `{}` it returned; every other failure is `CallError::Status`.",
            quote!(#error).to_string().replace(' ', "")
        );
        let error_codec = payload::codec(Some(error));
        return quote! {
            #(#docs)*
            #separator
            #[doc = #doc]
            #[doc = ""]
            #[doc = #error_doc]
            #vis async fn #ident(
                &self #(, #param)*
            ) -> ::core::result::Result<#reply, ::rpc::__private::CallError<#error>> {
                self.#with(#(#pass,)* ::rpc::__private::CallOptions::new())
                    .await
                    .map(|reply| reply.value)
            }

            #[doc = #with_doc]
            #[doc = ""]
            #[doc = #error_doc]
            #vis async fn #with(
                &self,
                #(#param,)*
                options: ::rpc::__private::CallOptions,
            ) -> ::core::result::Result<
                ::rpc::__private::CallReply<#reply>,
                ::rpc::__private::CallError<#error>,
            > {
                ::rpc::__private::call_typed_with_error(
                    &self.channel,
                    ::rpc::__private::ByteString::from_static(Self::SERVICE_NAME),
                    ::rpc::__private::ByteString::from_static(#wire_name),
                    #sent,
                    #argument_codec,
                    #reply_codec,
                    #error_codec,
                    options,
                )
                .await
            }
        };
    }

    quote! {
        #(#docs)*
        #separator
        #[doc = #doc]
        #vis async fn #ident(&self #(, #param)*) -> ::core::result::Result<#reply, ::rpc::__private::Status> {
            self.#with(#(#pass,)* ::rpc::__private::CallOptions::new())
                .await
                .map(|reply| reply.value)
        }

        #[doc = #with_doc]
        #vis async fn #with(
            &self,
            #(#param,)*
            options: ::rpc::__private::CallOptions,
        ) -> ::core::result::Result<::rpc::__private::CallReply<#reply>, ::rpc::__private::Status> {
            ::rpc::__private::call_typed(
                &self.channel,
                ::rpc::__private::ByteString::from_static(Self::SERVICE_NAME),
                ::rpc::__private::ByteString::from_static(#wire_name),
                #sent,
                #argument_codec,
                #reply_codec,
                options,
            )
            .await
        }
    }
}
