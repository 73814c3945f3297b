//! Running a handler: once inline, or to its end under its time limit;
//! a panic becomes an `internal` answer.

use std::time::Instant;

use futures_util::FutureExt;

use crate::{ServiceReply, Status};

/// Polls a handler once without a waker to remember: its result if it is
/// done (a panic becomes `internal`), `None` if it must wait.
pub(crate) fn poll_once(
    future: &mut crate::BoxFuture<Result<ServiceReply, Status>>,
) -> Option<Result<ServiceReply, Status>> {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        future.as_mut().poll(&mut cx)
    })) {
        Ok(std::task::Poll::Ready(result)) => Some(result),
        Ok(std::task::Poll::Pending) => None,
        Err(panic) => Some(Err(panic_status(panic))),
    }
}

/// The status of a handler that panicked.
fn panic_status(panic: Box<dyn std::any::Any + Send>) -> Status {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    tracing::error!(%message, "handler panicked");
    Status::internal(format!("the handler panicked: {message}"))
}

/// Runs a handler to its end, its time limit, or its panic.
pub(crate) async fn run_handler<F>(
    future: F,
    limit: Option<Instant>,
) -> Result<ServiceReply, Status>
where
    F: Future<Output = Result<ServiceReply, Status>>,
{
    let guarded = std::panic::AssertUnwindSafe(future).catch_unwind();
    let outcome = match limit {
        Some(limit) => match tokio::time::timeout_at(limit.into(), guarded).await {
            Ok(outcome) => outcome,
            Err(_) => {
                return Err(Status::deadline_exceeded(
                    "the handler ran out of time and was cancelled",
                ));
            }
        },
        None => guarded.await,
    };
    outcome.unwrap_or_else(|panic| Err(panic_status(panic)))
}
