//! [`ApplicationError`]: a handler's own error type, sent typed.

use crate::Status;

/// An error type of the application's domain (`InventoryError`,
/// `OrderError`, …) that travels typed: a method marked
/// `#[rpc(typed_error)]` and returning `Result<R, E>` sends an `E` as the
/// error response's details, encoded in the call's codec, and the caller's
/// typed stub returns it decoded (`CallError::Application`).
///
/// `E` must also be a payload type (serde, prost, or both, like arguments
/// and replies), sharing a codec with the method's argument and reply.
///
/// [`ApplicationError::status`] is what everything that does not know `E`
/// sees: callers without a typed stub (`rpc call`, the HTTP gateway, other
/// languages), logs and metrics. The status is always of
/// [`Origin::Application`](crate::Origin): a handler's error is never
/// retried by the framework, whatever its code.
///
/// ```
/// use rpc_core::{ApplicationError, Status};
///
/// #[derive(Debug, serde::Serialize, serde::Deserialize)]
/// enum InventoryError {
///     UnknownSku(String),
///     OutOfStock { sku: String, available: u32 },
/// }
///
/// impl ApplicationError for InventoryError {
///     fn status(&self) -> Status {
///         match self {
///             InventoryError::UnknownSku(sku) => Status::not_found(format!("no sku {sku}")),
///             InventoryError::OutOfStock { sku, available } => Status::failed_precondition(
///                 format!("{sku}: only {available} left"),
///             ),
///         }
///     }
/// }
/// # let _ = InventoryError::UnknownSku("x".into()).status();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is the error type of a `#[rpc(typed_error)]` method, but it does not implement `rpc::ApplicationError`",
    label = "this error type needs `rpc::ApplicationError`",
    note = "implement `fn status(&self) -> rpc::Status` for it: the code and message that callers without the type see"
)]
pub trait ApplicationError {
    /// The status that stands for this error where its type is not known:
    /// its code and message.
    fn status(&self) -> Status;
}
