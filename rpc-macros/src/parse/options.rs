//! The options of `#[rpc::service(...)]` and of `#[rpc(...)]` on a method:
//! `name = "..."`, the wire name (both), and the flags `oneway` and
//! `typed_error` (methods only).

use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Token};

use super::wire_name::check_wire_name;
use crate::errors::Errors;

/// One `key = "value"` pair or bare `key`, before its key is checked.
struct Entry {
    key: Ident,
    value: Option<LitStr>,
}

impl Parse for Entry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        // Any identifier, keywords included, so that a misspelt key gets the
        // "unknown key" message rather than a parser error.
        let key = input.call(Ident::parse_any)?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(Entry { key, value })
    }
}

/// The options of `#[rpc::service(...)]` and `#[rpc(...)]`.
#[derive(Default)]
pub(crate) struct NameOptions {
    /// `name = "..."`: the wire name, replacing the Rust name.
    pub(crate) name: Option<LitStr>,
    /// `oneway`: the method's callers send and get no reply. Where it was
    /// written, so that a misplaced one can be pointed at.
    pub(crate) oneway: Option<Ident>,
    /// `typed_error`: the method's error type travels typed (it implements
    /// `ApplicationError` and has a codec). Where it was written.
    pub(crate) typed_error: Option<Ident>,
}

/// What the unknown-option error lists.
const KNOWN: &str =
    "the options are `name = \"...\"` (the wire name) and, on a method, `oneway` and `typed_error`";

impl NameOptions {
    /// Adds the options written in `input` to these, recording duplicates,
    /// unknown keys and unusable names in `errors`.
    pub(crate) fn merge(&mut self, input: ParseStream<'_>, errors: &mut Errors) -> syn::Result<()> {
        let entries = Punctuated::<Entry, Token![,]>::parse_terminated(input)?;
        for Entry { key, value } in entries {
            if key == "name" {
                let Some(value) = value else {
                    errors.spanned(&key, "`name` takes the wire name: `name = \"...\"`");
                    continue;
                };
                if self.name.is_some() {
                    errors.spanned(&key, "`name` is given twice");
                } else if let Err(error) = check_wire_name(&value.value(), &value) {
                    errors.push(error);
                } else {
                    self.name = Some(value);
                }
            } else if key == "oneway" {
                if let Some(value) = value {
                    errors.spanned(&value, "`oneway` is a flag: write `#[rpc(oneway)]`");
                } else if self.oneway.is_some() {
                    errors.spanned(&key, "`oneway` is given twice");
                } else {
                    self.oneway = Some(key);
                }
            } else if key == "typed_error" {
                if let Some(value) = value {
                    errors.spanned(
                        &value,
                        "`typed_error` is a flag: write `#[rpc(typed_error)]`",
                    );
                } else if self.typed_error.is_some() {
                    errors.spanned(&key, "`typed_error` is given twice");
                } else {
                    self.typed_error = Some(key);
                }
            } else {
                errors.spanned(&key, format_args!("unknown option `{key}`; {KNOWN}"));
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
