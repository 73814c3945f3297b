//! [`Limit`]: a counter of things in use with a ceiling, taken without
//! waiting: beyond the ceiling the answer is "no", never a queue.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// At most `max` holders of a [`LimitGuard`] at once.
///
/// A lock-free counter: taking and returning a slot is one atomic
/// operation each, where a semaphore takes a lock to return permits.
#[derive(Debug)]
pub(crate) struct Limit {
    max: usize,
    used: AtomicUsize,
}

impl Limit {
    pub(crate) fn new(max: usize) -> Arc<Limit> {
        Arc::new(Limit {
            max,
            used: AtomicUsize::new(0),
        })
    }

    /// A slot, or `None` if all `max` are taken.
    pub(crate) fn try_take(self: &Arc<Limit>) -> Option<LimitGuard> {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                (used < self.max).then_some(used + 1)
            })
            .ok()
            .map(|_| LimitGuard(Arc::clone(self)))
    }
}

/// A slot of a [`Limit`], given back when dropped.
#[derive(Debug)]
pub(crate) struct LimitGuard(Arc<Limit>);

impl Drop for LimitGuard {
    fn drop(&mut self) {
        self.0.used.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_refused_beyond_the_ceiling_and_come_back_when_dropped() {
        let limit = Limit::new(2);
        let a = limit.try_take().unwrap();
        let _b = limit.try_take().unwrap();
        assert!(limit.try_take().is_none());
        drop(a);
        assert!(limit.try_take().is_some());
        assert!(Limit::new(0).try_take().is_none());
    }
}
