//! [`LogGate`]: at most one log line per period for an event a peer can
//! repeat at will (bad frames, refused connections, accept errors), with a
//! count of what was left out.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Lets one event through per period and counts the others.
#[derive(Debug)]
pub(crate) struct LogGate {
    epoch: Instant,
    period: Duration,
    /// Milliseconds since `epoch` before which events are counted, not logged.
    closed_until: AtomicU64,
    suppressed: AtomicU64,
}

impl LogGate {
    pub(crate) fn new(period: Duration) -> LogGate {
        LogGate {
            epoch: Instant::now(),
            period,
            closed_until: AtomicU64::new(0),
            suppressed: AtomicU64::new(0),
        }
    }

    /// `Some(n)` if this event may be logged, `n` being how many were left
    /// out since the last one logged; `None` if it is to be left out.
    pub(crate) fn pass(&self) -> Option<u64> {
        let now = self.epoch.elapsed().as_millis() as u64;
        let until = self.closed_until.load(Ordering::Relaxed);
        let next = now + self.period.as_millis() as u64;
        if now >= until
            && self
                .closed_until
                .compare_exchange(until, next, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            return Some(self.suppressed.swap(0, Ordering::Relaxed));
        }
        self.suppressed.fetch_add(1, Ordering::Relaxed);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_event_per_period_passes_and_the_rest_are_counted() {
        let gate = LogGate::new(Duration::from_secs(3600));
        assert_eq!(gate.pass(), Some(0));
        assert_eq!(gate.pass(), None);
        assert_eq!(gate.pass(), None);
        let open = LogGate::new(Duration::ZERO);
        assert_eq!(open.pass(), Some(0));
        assert_eq!(open.pass(), Some(0));
    }
}
