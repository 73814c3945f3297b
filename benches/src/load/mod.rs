//! The load generator: contenders (this project, tonic, tarpc, a raw-TCP
//! floor) serving rpcx's benchmark message, and one client harness that
//! drives any of them with the same concurrency, connections and checks.
//!
//! Every contender provides a server (`serve`) and a client connection type
//! implementing [`Caller`]; the harness ([`run`]) spreads `concurrency`
//! callers over `connections` connections, each caller making its share of
//! the calls one after another and recording every latency.

pub mod address_aliases;
pub mod contenders;
mod harness;
pub mod instrumentation;
pub mod process;
pub mod server_process;
pub mod work;

pub use harness::{LoadConfig, LoadReport, run};

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::BenchmarkMessage;

/// One client connection of a contender, shared by the callers assigned to it.
pub trait Caller: Send + Sync + 'static {
    /// Sends `request` and returns the server's reply.
    fn call(
        &self,
        request: &BenchmarkMessage,
    ) -> impl Future<Output = Result<BenchmarkMessage, String>> + Send;
}

/// Requests answered by [`answer`] in this process (servers report it).
pub static ANSWERED: AtomicU64 = AtomicU64::new(0);

/// What every server does with a request: the configured CPU work
/// ([`work::spend_handler_work`], none by default), then the same message
/// back with `field1 = "OK"` and `field2 = 100` (rpcx's benchmark server).
///
/// Every contender calls it before its handler's first `.await`.
pub fn answer(mut request: BenchmarkMessage) -> BenchmarkMessage {
    work::spend_handler_work();
    ANSWERED.fetch_add(1, Ordering::Relaxed);
    request.field1 = "OK".to_owned();
    request.field2 = 100;
    request
}

/// Whether `reply` is the right answer to `request`.
pub fn is_correct_reply(request: &BenchmarkMessage, reply: &BenchmarkMessage) -> bool {
    reply.field1 == "OK"
        && reply.field2 == 100
        && reply.field9 == request.field9
        && reply.field3 == request.field3
}
