//! Per-thread shards: state that every call touches is kept in a few
//! copies, each on its own cache line, and a thread uses the copy of its
//! shard. Calls on different cores then write (or lock) different lines
//! instead of passing one line back and forth.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Copies of per-call state; threads beyond this many share copies.
pub(crate) const SHARDS: usize = 4;

/// This thread's shard, below [`SHARDS`]: threads are numbered in the
/// order they first ask.
pub(crate) fn shard_index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static INDEX: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    INDEX.with(|index| *index)
}
