//! [`MethodDef`]: one `async fn` of a service trait, checked.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{
    Attribute, FnArg, GenericArgument, Ident, Meta, Pat, Path, PathArguments, ReturnType,
    Signature, TraitItemFn, Type, TypePath, TypeReference,
};

use super::NameOptions;
use super::wire_name::{check_wire_name, upper_camel_case};
use crate::errors::Errors;

/// One method of the service, as the generators need it.
pub(crate) struct MethodDef {
    /// The Rust name, as written (possibly a raw identifier).
    pub(crate) ident: Ident,
    /// The name calls carry on the wire: `#[rpc(name = "...")]` as given,
    /// or the Rust name in UpperCamelCase (`get_user` → `GetUser`).
    pub(crate) wire_name: String,
    /// What to point at when the wire name is the problem: the `name`
    /// literal if there is one, otherwise the method's name.
    pub(crate) wire_name_tokens: TokenStream,
    /// The method's doc comments, copied onto the client's method.
    pub(crate) docs: Vec<Attribute>,
    /// Whether the method takes `&Context` after `&self`.
    pub(crate) has_context: bool,
    /// The argument's type, if the method takes one.
    pub(crate) argument: Option<Type>,
    /// `T` of `Result<T, E>`.
    pub(crate) reply: Type,
    /// `E` of `Result<T, E>`, which must convert into a `Status`.
    pub(crate) error: Type,
    /// `#[rpc(oneway)]`: callers send the request and get no reply, so
    /// `T` is `()`.
    pub(crate) oneway: bool,
    /// `#[rpc(typed_error)]`: `E` implements `ApplicationError` and has a
    /// codec; it is sent encoded and the client's stub returns it typed.
    pub(crate) typed_error: bool,
}

/// What every return type error says.
const RETURN_TYPE: &str =
    "rpc methods return `Result<Reply, Error>`, where `Error: Into<rpc::Status>`";

/// Whether a parameter's pattern is a plain name or `_` (no `mut`, `ref` or
/// destructuring), as a method declared without a body requires.
pub(crate) fn is_plain_name(pattern: &Pat) -> bool {
    match pattern {
        Pat::Ident(ident) => {
            ident.by_ref.is_none() && ident.mutability.is_none() && ident.subpat.is_none()
        }
        Pat::Wild(_) => true,
        _ => false,
    }
}

/// Whether `attr` is this crate's helper attribute, `#[rpc(...)]`.
pub(crate) fn is_rpc_attribute(attr: &Attribute) -> bool {
    attr.path().is_ident("rpc")
}

impl MethodDef {
    /// Checks one trait method: `async fn name(&self, [ctx: &Context,]
    /// [args: Args]) -> Result<Reply, Error>`, with no generics, body or
    /// other qualifiers. Every problem found is in the error.
    pub(crate) fn parse(item: &TraitItemFn) -> syn::Result<MethodDef> {
        let mut errors = Errors::default();
        let sig = &item.sig;

        let options = parse_options(&item.attrs, &mut errors);
        check_qualifiers(sig, &mut errors);
        if let Some(body) = &item.default {
            errors.spanned(
                body,
                "rpc methods cannot have a default body: implement every method in the `impl` of the trait",
            );
        }
        check_receiver(sig, &mut errors);
        let (has_context, argument) = parse_parameters(sig, &mut errors);
        let returned = parse_return_type(sig, &mut errors);

        let (wire_name, wire_name_tokens) = match &options.name {
            Some(literal) => (literal.value(), literal.to_token_stream()),
            None => {
                let rust_name = sig.ident.unraw().to_string();
                let name = upper_camel_case(&rust_name);
                if name.is_empty() {
                    errors.spanned(
                        &sig.ident,
                        format_args!(
                            "`{rust_name}` gives an empty wire name (underscores are dropped); give one with `#[rpc(name = \"...\")]`"
                        ),
                    );
                } else {
                    errors.capture(check_wire_name(&name, &sig.ident));
                }
                (name, sig.ident.to_token_stream())
            }
        };
        errors.finish()?;
        // `parse_return_type` recorded an error whenever it gave `None`.
        let Some((reply, error)) = returned else {
            return Err(syn::Error::new_spanned(sig, RETURN_TYPE));
        };
        let oneway = options.oneway.is_some();
        if oneway && !is_unit(&reply) {
            return Err(syn::Error::new_spanned(
                &reply,
                "a `oneway` method returns `Result<(), Error>`: its callers get no reply",
            ));
        }
        let typed_error = options.typed_error.is_some();
        if let (Some(oneway), Some(typed_error)) = (&options.oneway, &options.typed_error) {
            let mut error = syn::Error::new_spanned(
                typed_error,
                "a `oneway` method cannot have a `typed_error`: no reply, so no error, reaches its callers",
            );
            error.combine(syn::Error::new_spanned(oneway, "`oneway` is set here"));
            return Err(error);
        }
        Ok(MethodDef {
            ident: sig.ident.clone(),
            wire_name,
            wire_name_tokens,
            docs: item
                .attrs
                .iter()
                .filter(|attr| attr.path().is_ident("doc"))
                .cloned()
                .collect(),
            has_context,
            argument,
            reply,
            error,
            oneway,
            typed_error,
        })
    }
}

/// Whether `ty` is `()`.
fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(tuple) if tuple.elems.is_empty())
}

/// Reads every `#[rpc(...)]` on the method.
fn parse_options(attrs: &[Attribute], errors: &mut Errors) -> NameOptions {
    let mut options = NameOptions::default();
    for attr in attrs.iter().filter(|attr| is_rpc_attribute(attr)) {
        match &attr.meta {
            Meta::List(list) => {
                let parsed = list.parse_args_with(|input: syn::parse::ParseStream<'_>| {
                    options.merge(input, errors)
                });
                errors.capture(parsed);
            }
            _ => errors.spanned(
                attr,
                "expected `#[rpc(name = \"...\")]`, `#[rpc(oneway)]` or `#[rpc(typed_error)]`",
            ),
        }
    }
    options
}

/// `async` is required; `const`, `unsafe`, `extern`, generics and `...` are refused.
fn check_qualifiers(sig: &Signature, errors: &mut Errors) {
    if let Some(constness) = &sig.constness {
        errors.spanned(constness, "rpc methods cannot be `const`");
    }
    if sig.asyncness.is_none() {
        let (fn_token, ident) = (&sig.fn_token, &sig.ident);
        errors.spanned(
            quote::quote!(#fn_token #ident),
            "rpc methods must be `async fn`: write `async fn` here (implementations use `async fn` too)",
        );
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.spanned(unsafety, "rpc methods cannot be `unsafe`");
    }
    if let Some(abi) = &sig.abi {
        errors.spanned(abi, "rpc methods cannot have an `extern` ABI");
    }
    if !sig.generics.params.is_empty() {
        errors.spanned(
            &sig.generics,
            "rpc methods cannot be generic: the server must know the argument and reply types to decode and encode them",
        );
    }
    if let Some(where_clause) = &sig.generics.where_clause {
        errors.spanned(where_clause, "rpc methods cannot have a `where` clause");
    }
    if let Some(variadic) = &sig.variadic {
        errors.spanned(variadic, "rpc methods cannot be variadic");
    }
}

/// The first parameter must be exactly `&self`.
fn check_receiver(sig: &Signature, errors: &mut Errors) {
    let Some(FnArg::Receiver(receiver)) = sig.inputs.first() else {
        errors.push(syn::Error::new(
            sig.paren_token.span.join(),
            "rpc methods take `&self` first: the server calls them on the shared service",
        ));
        return;
    };
    let message = match &receiver.reference {
        _ if receiver.colon_token.is_some() => "write the receiver as plain `&self`",
        None => {
            "rpc methods take `&self`, not `self` by value: the server keeps the service and calls it many times"
        }
        Some(_) if receiver.mutability.is_some() => {
            "rpc methods take `&self`, not `&mut self`: the server calls them concurrently through a shared reference; keep mutable state behind a lock"
        }
        Some((_, Some(_))) => "write the receiver as `&self`, without a lifetime",
        Some((_, None)) => return,
    };
    errors.spanned(receiver, message);
}

/// After `&self`: an optional `&Context`, then at most one argument.
/// Returns whether there is a context and the argument's type.
fn parse_parameters(sig: &Signature, errors: &mut Errors) -> (bool, Option<Type>) {
    let mut has_context = false;
    let mut argument: Option<Type> = None;
    let typed = sig.inputs.iter().filter_map(|input| match input {
        FnArg::Typed(typed) => Some(typed),
        FnArg::Receiver(_) => None,
    });
    for (position, param) in typed.enumerate() {
        if let Some((reference, path)) = context_reference(&param.ty) {
            if !is_rpc_context(path) {
                // Generated code passes `rpc::Context` here: any other type
                // would fail there, at a span the user did not write.
                errors.spanned(
                    &reference.elem,
                    "the context parameter is `&rpc::Context`: write `&Context` (with `use rpc::Context;`) or `&rpc::Context`",
                );
            } else if position != 0 {
                errors.spanned(param, "the context parameter must come right after `&self`");
            } else if let Some(mutability) = &reference.mutability {
                errors.spanned(
                    mutability,
                    "take the context as `&Context`: it is shared, and reply metadata is set through `set_reply_metadata(&self, ..)`",
                );
            }
            has_context = true;
            continue;
        }
        if argument.is_some() {
            errors.spanned(
                param,
                "an rpc method takes at most one argument (after the optional `&Context`): put the values in one struct",
            );
            continue;
        }
        if !is_plain_name(&param.pat) {
            errors.spanned(
                &param.pat,
                "the argument must be a plain name such as `args`, not a pattern",
            );
        }
        check_payload_type(&param.ty, "argument", errors);
        argument = Some((*param.ty).clone());
    }
    (has_context, argument)
}

/// `Result<T, E>` (any path ending in `Result` with two type arguments):
/// returns `T` and `E`.
fn parse_return_type(sig: &Signature, errors: &mut Errors) -> Option<(Type, Type)> {
    let ty = match &sig.output {
        ReturnType::Default => {
            errors.spanned(sig, format_args!("missing return type: {RETURN_TYPE}"));
            return None;
        }
        ReturnType::Type(_, ty) => ty,
    };
    let Type::Path(TypePath { qself: None, path }) = peel(ty) else {
        errors.spanned(
            ty,
            format_args!("expected `Result<Reply, Error>`: {RETURN_TYPE}"),
        );
        return None;
    };
    let last = path
        .segments
        .last()
        .filter(|segment| segment.ident == "Result");
    let arguments = match last.map(|segment| &segment.arguments) {
        Some(PathArguments::AngleBracketed(arguments)) => arguments.args.iter().collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let [GenericArgument::Type(reply), GenericArgument::Type(error)] = arguments[..] else {
        let message = if last.is_some() {
            "expected `Result<Reply, Error>` with both type arguments written out (an alias such as `io::Result<T>` hides the error type)"
        } else {
            "expected `Result<Reply, Error>`"
        };
        errors.spanned(ty, format_args!("{message}: {RETURN_TYPE}"));
        return None;
    };
    check_payload_type(reply, "reply", errors);
    Some((reply.clone(), error.clone()))
}

/// An argument or reply crosses the wire, so it must be an owned, concrete type.
fn check_payload_type(ty: &Type, what: &str, errors: &mut Errors) {
    match peel(ty) {
        Type::Reference(_) => errors.spanned(
            ty,
            format_args!(
                "the {what} is decoded from a payload, so it must be an owned type, not a reference"
            ),
        ),
        Type::ImplTrait(_) => errors.spanned(
            ty,
            format_args!(
                "the {what} must be a concrete type: `impl Trait` would make the method generic"
            ),
        ),
        Type::Infer(_) => errors.spanned(ty, format_args!("the {what} type must be written out")),
        _ => {}
    }
}

/// A reference to a type whose path ends in `Context` (`&Context`,
/// `&mut rpc::Context`, `&other::Context<'_>`…), with that path: such a
/// parameter is meant as the call's context, or is a mistake, since an
/// argument is never a reference.
fn context_reference(ty: &Type) -> Option<(&TypeReference, &Path)> {
    let Type::Reference(reference) = peel(ty) else {
        return None;
    };
    match peel(&reference.elem) {
        Type::Path(TypePath { qself: None, path })
            if path
                .segments
                .last()
                .is_some_and(|segment| segment.ident == "Context") =>
        {
            Some((reference, path))
        }
        _ => None,
    }
}

/// Whether `path` is one of the two spellings of the runtime's context the
/// macro accepts: `Context` (imported from `rpc`) or `rpc::Context` (with or
/// without a leading `::`), without generic arguments.
fn is_rpc_context(path: &Path) -> bool {
    let names: Vec<_> = path
        .segments
        .iter()
        .map(|segment| segment.arguments.is_none().then_some(&segment.ident))
        .collect();
    match names[..] {
        [Some(context)] => path.leading_colon.is_none() && context == "Context",
        [Some(krate), Some(context)] => krate == "rpc" && context == "Context",
        _ => false,
    }
}

/// The type inside invisible groups (from `macro_rules!`) and parentheses.
fn peel(ty: &Type) -> &Type {
    match ty {
        Type::Group(group) => peel(&group.elem),
        Type::Paren(paren) => peel(&paren.elem),
        _ => ty,
    }
}
