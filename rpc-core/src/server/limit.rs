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

    /// Slots taken now.
    pub(crate) fn in_use(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }

    /// A slot, or `None` if all `max` are taken.
    pub(crate) fn try_take(self: &Arc<Limit>) -> Option<LimitGuard> {
        self.try_take_n(1)
    }

    /// `n` slots at once (bytes, say), or `None` if fewer than `n` are free.
    pub(crate) fn try_take_n(self: &Arc<Limit>, n: usize) -> Option<LimitGuard> {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(n).filter(|&total| total <= self.max)
            })
            .ok()
            .map(|_| LimitGuard(Arc::clone(self), n))
    }
}

/// Slots of a [`Limit`], given back when dropped.
#[derive(Debug)]
pub(crate) struct LimitGuard(Arc<Limit>, usize);

impl Drop for LimitGuard {
    fn drop(&mut self) {
        self.0.used.fetch_sub(self.1, Ordering::AcqRel);
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

    #[test]
    fn weighted_slots_come_back_whole() {
        let bytes = Limit::new(100);
        let sixty = bytes.try_take_n(60).unwrap();
        assert!(bytes.try_take_n(41).is_none());
        let forty = bytes.try_take_n(40).unwrap();
        drop(sixty);
        assert!(bytes.try_take_n(60).is_some());
        drop(forty);
        assert!(bytes.try_take_n(usize::MAX).is_none());
    }
}
