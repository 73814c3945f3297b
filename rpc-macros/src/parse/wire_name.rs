//! Wire names: what a method is called on the wire when no `name` is given,
//! and the limits every wire name must meet (`docs/PROTOCOL.md` §3.1).
//!
//! The default follows rpcx's habit, where names are exported Go identifiers:
//! a Go client calls `Arith.Mul`, so the Rust method `mul` answers to `Mul`.
//! The service's default wire name is the trait's name as written.

/// The longest wire name: the frame stores a name's length in one byte.
const MAX_WIRE_NAME_BYTES: usize = 255;

/// A method's default wire name: its Rust name in UpperCamelCase. Each run of
/// characters between underscores is a word whose first character is made
/// upper case; the underscores go and every other character stays as written
/// (`get_user` → `GetUser`, `div2` → `Div2`, `Mul` → `Mul`, `_abc` → `Abc`).
///
/// Nothing else is split or lowered, so a name already in UpperCamelCase is
/// kept, and the result is predictable from the name alone. A name made of
/// underscores only gives an empty string, which [`check_wire_name`] refuses.
pub(crate) fn upper_camel_case(rust_name: &str) -> String {
    let mut wire_name = String::with_capacity(rust_name.len());
    for word in rust_name.split('_') {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            wire_name.extend(first.to_uppercase());
            wire_name.push_str(chars.as_str());
        }
    }
    wire_name
}

/// Checks that `name` can be sent: not empty, and short enough for the
/// frame's one-byte length. The error points at `tokens`.
pub(crate) fn check_wire_name(name: &str, tokens: impl quote::ToTokens) -> syn::Result<()> {
    if name.is_empty() {
        return Err(syn::Error::new_spanned(
            tokens,
            "a wire name cannot be empty",
        ));
    }
    if name.len() > MAX_WIRE_NAME_BYTES {
        return Err(syn::Error::new_spanned(
            tokens,
            format_args!(
                "a wire name is at most {MAX_WIRE_NAME_BYTES} bytes (the frame stores its length in one byte); this one is {} bytes",
                name.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converted(rust_name: &str) -> String {
        upper_camel_case(rust_name)
    }

    #[test]
    fn one_word_gets_a_capital() {
        assert_eq!(converted("mul"), "Mul");
        assert_eq!(converted("x"), "X");
    }

    #[test]
    fn underscores_join_words() {
        assert_eq!(converted("get_user"), "GetUser");
        assert_eq!(converted("a_b_c"), "ABC");
        assert_eq!(converted("get_user_by_id"), "GetUserById");
    }

    #[test]
    fn leading_trailing_and_doubled_underscores_disappear() {
        assert_eq!(converted("abc_"), "Abc");
        assert_eq!(converted("_abc"), "Abc");
        assert_eq!(converted("__a__b__"), "AB");
    }

    #[test]
    fn digits_stay_where_they_are() {
        assert_eq!(converted("div2"), "Div2");
        assert_eq!(converted("http2_get"), "Http2Get");
        // A word that starts with a digit has no letter to raise.
        assert_eq!(converted("get_2nd"), "Get2nd");
    }

    #[test]
    fn names_already_in_camel_case_are_kept() {
        assert_eq!(converted("Mul"), "Mul");
        assert_eq!(converted("GetUser"), "GetUser");
        assert_eq!(converted("getHTTP"), "GetHTTP");
    }

    #[test]
    fn non_ascii_letters_are_raised_by_unicode_rules() {
        assert_eq!(converted("énorme"), "Énorme");
        // Some letters become two when raised.
        assert_eq!(converted("ßx"), "SSx");
    }

    #[test]
    fn only_underscores_give_an_empty_name_which_is_refused() {
        assert_eq!(converted("__"), "");
        let error = check_wire_name(&converted("__"), quote::quote!(__)).unwrap_err();
        assert_eq!(error.to_string(), "a wire name cannot be empty");
    }

    #[test]
    fn names_are_limited_to_255_bytes() {
        let longest = "é".repeat(127) + "x";
        assert_eq!(longest.len(), 255);
        assert!(check_wire_name(&longest, quote::quote!(x)).is_ok());
        let error = check_wire_name(&(longest + "y"), quote::quote!(x)).unwrap_err();
        assert!(
            error.to_string().contains("this one is 256 bytes"),
            "{error}"
        );
    }
}
