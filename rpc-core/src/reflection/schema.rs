//! Compile-time choice of a type's JSON Schema, the way `payload_codec!`
//! chooses codecs: [`type_schema!`](crate::type_schema) calls `schema()` on
//! `&&SchemaProbe<T>`; with the `schemars` feature, a type implementing
//! `schemars::JsonSchema` finds [`ViaJsonSchema`] (implemented for
//! `&SchemaProbe<T>`, so its `&self` is the receiver as written) first;
//! every other type falls through, one reference peeled, to [`NoSchema`]
//! on `SchemaProbe<T>` and has none.

use std::marker::PhantomData;

/// The receiver of the probing call. Only `type_schema!` names it.
#[derive(Debug)]
pub struct SchemaProbe<T: ?Sized>(PhantomData<fn() -> Box<T>>);

impl<T: ?Sized> SchemaProbe<T> {
    /// A probe for `T`.
    pub const fn new() -> Self {
        SchemaProbe(PhantomData)
    }
}

impl<T: ?Sized> Default for SchemaProbe<T> {
    fn default() -> Self {
        SchemaProbe::new()
    }
}

/// The fallback: no schema.
pub trait NoSchema {
    /// `None`.
    fn schema(&self) -> Option<serde_json::Value>;
}

impl<T: ?Sized> NoSchema for SchemaProbe<T> {
    fn schema(&self) -> Option<serde_json::Value> {
        None
    }
}

/// Types implementing `schemars::JsonSchema`: their generated schema.
#[cfg(feature = "schemars")]
pub trait ViaJsonSchema {
    /// The type's JSON Schema.
    fn schema(&self) -> Option<serde_json::Value>;
}

#[cfg(feature = "schemars")]
impl<T: schemars::JsonSchema> ViaJsonSchema for &SchemaProbe<T> {
    fn schema(&self) -> Option<serde_json::Value> {
        serde_json::to_value(schemars::schema_for!(T)).ok()
    }
}

/// The JSON Schema of a concrete type, as an `Option<serde_json::Value>`:
/// `Some` when the type implements `schemars::JsonSchema` and `rpc-core`
/// was built with its `schemars` feature, else `None`. Chosen at compile
/// time; `#[service]` emits it for every argument and reply type.
///
/// ```
/// struct Opaque;
/// assert_eq!(rpc_core::type_schema!(Opaque), None);
/// ```
#[macro_export]
macro_rules! type_schema {
    ($ty:ty) => {{
        #[allow(unused_imports)]
        use $crate::reflection::NoSchema as _;
        $crate::__type_schema_via_json_schema!();
        (&&$crate::reflection::SchemaProbe::<$ty>::new()).schema()
    }};
}

/// Brings `ViaJsonSchema` into scope when the feature is on; nothing otherwise.
#[cfg(feature = "schemars")]
#[doc(hidden)]
#[macro_export]
macro_rules! __type_schema_via_json_schema {
    () => {
        #[allow(unused_imports)]
        use $crate::reflection::ViaJsonSchema as _;
    };
}

/// Brings `ViaJsonSchema` into scope when the feature is on; nothing otherwise.
#[cfg(not(feature = "schemars"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __type_schema_via_json_schema {
    () => {};
}
