//! The `key = "value"` options of `#[rpc::service(...)]` and of `#[rpc(...)]`
//! on a method. Today the only key is `name`, the wire name.

use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Token};

use super::wire_name::check_wire_name;
use crate::errors::Errors;

/// One `key = "value"` pair, before its key is checked.
struct Entry {
    key: Ident,
    value: LitStr,
}

impl Parse for Entry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        // Any identifier, keywords included, so that a misspelt key gets the
        // "unknown key" message rather than a parser error.
        let key = input.call(Ident::parse_any)?;
        input.parse::<Token![=]>()?;
        let value = input.parse()?;
        Ok(Entry { key, value })
    }
}

/// The options of `#[rpc::service(...)]` and `#[rpc(...)]`.
#[derive(Default)]
pub(crate) struct NameOptions {
    /// `name = "..."`: the wire name, replacing the Rust name.
    pub(crate) name: Option<LitStr>,
}

impl NameOptions {
    /// Adds the options written in `input` to these, recording duplicates,
    /// unknown keys and unusable names in `errors`.
    pub(crate) fn merge(&mut self, input: ParseStream<'_>, errors: &mut Errors) -> syn::Result<()> {
        let entries = Punctuated::<Entry, Token![,]>::parse_terminated(input)?;
        for Entry { key, value } in entries {
            if key != "name" {
                errors.spanned(
                    &key,
                    format_args!(
                        "unknown option `{key}`; the only option is `name = \"...\"`, the wire name"
                    ),
                );
            } else if self.name.is_some() {
                errors.spanned(&key, "`name` is given twice");
            } else if let Err(error) = check_wire_name(&value.value(), &value) {
                errors.push(error);
            } else {
                self.name = Some(value);
            }
        }
        Ok(())
    }
}

impl Parse for NameOptions {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut options = NameOptions::default();
        let mut errors = Errors::default();
        options.merge(input, &mut errors)?;
        errors.finish()?;
        Ok(options)
    }
}
