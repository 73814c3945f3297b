//! [`ServiceDef`]: the service trait, checked, with its methods.

use std::collections::HashMap;

use quote::format_ident;
use syn::ext::IdentExt;
use syn::{Ident, ItemTrait, TraitItem};

use super::wire_name::check_wire_name;
use super::{MethodDef, NameOptions, is_rpc_attribute};
use crate::errors::Errors;

/// Names the generated client defines besides one pair per method.
const CLIENT_NAMES: [&str; 2] = ["new", "channel"];

/// A service trait and everything generated from it.
pub(crate) struct ServiceDef {
    /// The trait as written, rewritten later by [`crate::trait_def`].
    pub(crate) item: ItemTrait,
    /// The service's wire name: `#[rpc::service(name = "...")]`, or the trait's name.
    pub(crate) wire_name: String,
    /// The server wrapper's name: `ArithServer` for `Arith`.
    pub(crate) server: Ident,
    /// The typed client's name: `ArithClient` for `Arith`.
    pub(crate) client: Ident,
    /// The methods, in declaration order.
    pub(crate) methods: Vec<MethodDef>,
}

impl ServiceDef {
    /// Checks the trait and its methods. `options` are the attribute's own
    /// (`#[rpc::service(...)]`), passed in unparsed so that their errors
    /// join the trait's.
    pub(crate) fn parse(
        options: syn::Result<NameOptions>,
        item: ItemTrait,
    ) -> syn::Result<ServiceDef> {
        let mut errors = Errors::default();
        let options = errors.capture(options).unwrap_or_default();
        if let Some(oneway) = &options.oneway {
            errors.spanned(
                oneway,
                "`oneway` goes on a method: `#[rpc(oneway)] async fn ...`",
            );
        }
        if let Some(typed_error) = &options.typed_error {
            errors.spanned(
                typed_error,
                "`typed_error` goes on a method: `#[rpc(typed_error)] async fn ...`",
            );
        }
        check_trait(&item, &mut errors);

        let mut methods = Vec::new();
        for trait_item in &item.items {
            match trait_item {
                TraitItem::Fn(method) => {
                    if let Some(method) = errors.capture(MethodDef::parse(method)) {
                        methods.push(method);
                    }
                }
                TraitItem::Const(_) => errors.spanned(
                    trait_item,
                    "an rpc service trait holds only `async fn` methods: move this constant out of the trait",
                ),
                TraitItem::Type(_) => errors.spanned(
                    trait_item,
                    "an rpc service trait holds only `async fn` methods: associated types are not supported",
                ),
                _ => errors.spanned(trait_item, "an rpc service trait holds only `async fn` methods"),
            }
        }
        check_wire_names_are_unique(&methods, &mut errors);
        check_client_names_are_free(&methods, &mut errors);

        let wire_name = match &options.name {
            Some(literal) => literal.value(),
            None => {
                let name = item.ident.unraw().to_string();
                errors.capture(check_wire_name(&name, &item.ident));
                name
            }
        };
        errors.finish()?;
        let base = item.ident.unraw();
        Ok(ServiceDef {
            wire_name,
            server: format_ident!("{base}Server", span = item.ident.span()),
            client: format_ident!("{base}Client", span = item.ident.span()),
            methods,
            item,
        })
    }
}

/// A service trait is a plain, non-generic, safe trait.
fn check_trait(item: &ItemTrait, errors: &mut Errors) {
    if let Some(unsafety) = &item.unsafety {
        errors.spanned(unsafety, "an rpc service trait cannot be `unsafe`");
    }
    if let Some(auto_token) = &item.auto_token {
        errors.spanned(auto_token, "an rpc service trait cannot be an `auto` trait");
    }
    if !item.generics.params.is_empty() {
        errors.spanned(
            &item.generics,
            "an rpc service trait cannot be generic: the server must know every argument and reply type",
        );
    }
    if let Some(where_clause) = &item.generics.where_clause {
        errors.spanned(
            where_clause,
            "an rpc service trait cannot have a `where` clause",
        );
    }
    for attr in item.attrs.iter().filter(|attr| is_rpc_attribute(attr)) {
        errors.spanned(
            attr,
            "`#[rpc(...)]` goes on methods; the service's options go in `#[rpc::service(name = \"...\")]`",
        );
    }
}

/// Two methods cannot answer to the same wire name.
fn check_wire_names_are_unique(methods: &[MethodDef], errors: &mut Errors) {
    let mut seen: HashMap<&str, &Ident> = HashMap::new();
    for method in methods {
        if let Some(first) = seen.insert(&method.wire_name, &method.ident) {
            errors.spanned(
                &method.wire_name_tokens,
                format_args!(
                    "the wire name \"{}\" is already used by `{first}`; give one of them another with `#[rpc(name = \"...\")]`",
                    method.wire_name
                ),
            );
        }
    }
}

/// The client has `new`, `channel`, and `m` plus `m_with` for each method
/// `m`: a method cannot take a name another one needs.
fn check_client_names_are_free(methods: &[MethodDef], errors: &mut Errors) {
    // Each name, with the method it was generated for (`None`: the client's own).
    let mut taken: HashMap<String, Option<&Ident>> = CLIENT_NAMES
        .iter()
        .map(|name| (name.to_string(), None))
        .collect();
    for method in methods {
        let plain = method.ident.unraw().to_string();
        for name in [format!("{plain}_with"), plain] {
            match taken.get(&name) {
                Some(None) => errors.spanned(
                    &method.ident,
                    format_args!(
                        "`{name}` is taken by the generated client's own `{name}`; rename the method (`#[rpc(name = \"{}\")]` keeps its wire name)",
                        method.wire_name
                    ),
                ),
                Some(Some(owner)) => errors.spanned(
                    &method.ident,
                    format_args!(
                        "the generated client would define `{name}` twice: for this method and for `{owner}`; rename one of them"
                    ),
                ),
                None => {
                    taken.insert(name, Some(&method.ident));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;
    use syn::parse_quote;

    use super::*;

    fn parse(item: ItemTrait) -> syn::Result<ServiceDef> {
        ServiceDef::parse(Ok(NameOptions::default()), item)
    }

    /// The messages of every error, in source order.
    fn errors(result: syn::Result<ServiceDef>) -> Vec<String> {
        match result {
            Ok(_) => Vec::new(),
            Err(error) => error.into_iter().map(|error| error.to_string()).collect(),
        }
    }

    #[test]
    fn a_service_gives_its_methods_with_their_shapes() {
        let service = parse(parse_quote! {
            pub trait Arith {
                /// Docs.
                async fn mul(&self, ctx: &rpc::Context, args: Args) -> Result<Reply, rpc::Status>;
                #[rpc(name = "Add")]
                async fn add(&self, _: Args) -> std::result::Result<Reply, MyError>;
                async fn ping(&self, _ctx: &Context) -> Result<(), Status>;
                async fn r#type(&self) -> Result<(), Status>;
            }
        })
        .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(service.wire_name, "Arith");
        assert_eq!(service.server, "ArithServer");
        assert_eq!(service.client, "ArithClient");
        let shapes: Vec<_> = service
            .methods
            .iter()
            .map(|method| {
                (
                    method.wire_name.as_str(),
                    method.has_context,
                    method.argument.is_some(),
                    method.docs.len(),
                )
            })
            .collect();
        assert_eq!(
            shapes,
            [
                ("Mul", true, true, 1),
                ("Add", false, true, 0),
                ("Ping", true, false, 0),
                ("Type", false, false, 0),
            ]
        );
    }

    #[test]
    fn the_service_name_option_replaces_the_trait_name() {
        let options = syn::parse2::<NameOptions>(quote!(name = "math.Arith"));
        let service = ServiceDef::parse(
            options,
            parse_quote!(
                trait Arith {}
            ),
        );
        assert_eq!(
            service.map(|service| service.wire_name).ok().as_deref(),
            Some("math.Arith")
        );
    }

    #[test]
    fn every_misuse_is_reported_in_one_pass() {
        let messages = errors(parse(parse_quote! {
            trait Arith<T> {
                const LIMIT: i64;
                fn mul(&mut self, args: Args);
                async fn add(&self, (a, b): (i64, i64), extra: i64) -> i64;
                #[rpc(name = "Add", nmae = "x")]
                async fn plus(self, args: &Args) -> Result<Reply, Status> {}
            }
        }));
        assert_eq!(messages.len(), 12, "{messages:#?}");
        assert!(messages[0].starts_with("an rpc service trait cannot be generic"));
    }

    #[test]
    fn wire_names_must_be_unique_and_fit_the_frame() {
        let long = "x".repeat(256);
        let messages = errors(parse(parse_quote! {
            trait Arith {
                async fn add(&self) -> Result<(), Status>;
                #[rpc(name = "Add")]
                async fn plus(&self) -> Result<(), Status>;
                #[rpc(name = "")]
                async fn empty(&self) -> Result<(), Status>;
                #[rpc(name = #long)]
                async fn long(&self) -> Result<(), Status>;
                #[rpc(name = "a")]
                #[rpc(name = "b")]
                async fn twice(&self) -> Result<(), Status>;
            }
        }));
        assert_eq!(messages.len(), 4, "{messages:#?}");
        assert!(messages[0].contains("empty"), "{}", messages[0]);
        assert!(messages[1].contains("at most 255 bytes"), "{}", messages[1]);
        assert!(messages[2].contains("given twice"), "{}", messages[2]);
        assert!(
            messages[3].contains("already used by `add`"),
            "{}",
            messages[3]
        );
    }

    #[test]
    fn derived_wire_names_can_collide_and_are_reported() {
        let messages = errors(parse(parse_quote! {
            trait Users {
                async fn get_user(&self) -> Result<(), Status>;
                async fn get_user_(&self) -> Result<(), Status>;
                #[rpc(name = "get_user")]
                async fn lower(&self) -> Result<(), Status>;
                async fn __(&self) -> Result<(), Status>;
            }
        }));
        assert_eq!(messages.len(), 2, "{messages:#?}");
        // Each method's own errors come first, then the checks across methods.
        assert!(
            messages[0].contains("`__` gives an empty wire name"),
            "{}",
            messages[0]
        );
        assert_eq!(
            messages[1],
            "the wire name \"GetUser\" is already used by `get_user`; give one of them another with `#[rpc(name = \"...\")]`"
        );
    }

    #[test]
    fn the_context_is_recognised_by_its_two_spellings_only() {
        let service = parse(parse_quote! {
            trait Spellings {
                async fn plain(&self, ctx: &Context) -> Result<(), Status>;
                async fn through_facade(&self, ctx: &rpc::Context) -> Result<(), Status>;
                async fn absolute(&self, ctx: &::rpc::Context, x: u8) -> Result<(), Status>;
            }
        })
        .unwrap_or_else(|error| panic!("{error}"));
        assert!(service.methods.iter().all(|method| method.has_context));
        let messages = errors(parse(parse_quote! {
            trait Others {
                async fn foreign(&self, ctx: &tarpc::context::Context) -> Result<(), Status>;
                async fn task(&self, cx: &mut std::task::Context<'_>) -> Result<(), Status>;
                async fn absolute(&self, ctx: &::Context) -> Result<(), Status>;
            }
        }));
        assert_eq!(messages.len(), 3, "{messages:#?}");
        assert!(
            messages
                .iter()
                .all(|message| message.starts_with("the context parameter is `&rpc::Context`")),
            "{messages:#?}"
        );
    }

    #[test]
    fn client_names_cannot_clash() {
        let messages = errors(parse(parse_quote! {
            trait Arith {
                async fn mul(&self) -> Result<(), Status>;
                async fn mul_with(&self) -> Result<(), Status>;
                async fn channel(&self) -> Result<(), Status>;
            }
        }));
        assert_eq!(messages.len(), 2, "{messages:#?}");
    }
}
