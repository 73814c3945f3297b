//! [`InFlight`]: the calls running on one connection, so that a cancel frame
//! or a shutdown can stop them and every call gets exactly one answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::task::AbortHandle;

/// One running call.
pub(crate) struct Running {
    pub(crate) abort: AbortHandle,
    /// Oneway calls get no answer, not even when cancelled.
    pub(crate) oneway: bool,
}

/// Running calls by key: a request's key is its request id; oneway calls,
/// whose ids the client need not make unique, get keys above `u32::MAX`.
///
/// Whoever removes a call's entry owns its answer: the handler task when it
/// finishes (it sends the reply), the reader on a cancel frame (no answer, as
/// the protocol says), the shutdown path after the grace period (it sends
/// `cancelled`). So no call is answered twice or left unanswered.
#[derive(Clone, Default)]
pub(crate) struct InFlight {
    calls: Arc<Mutex<HashMap<u64, Running>>>,
}

impl InFlight {
    pub(crate) fn lock(&self) -> MutexGuard<'_, HashMap<u64, Running>> {
        self.calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes the entry of `key`; true if it was still there.
    pub(crate) fn finish(&self, key: u64) -> bool {
        self.lock().remove(&key).is_some()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Removes and aborts the request `id`; true if it was running.
    pub(crate) fn cancel(&self, id: u32) -> bool {
        match self.lock().remove(&u64::from(id)) {
            Some(running) => {
                running.abort.abort();
                true
            }
            None => false,
        }
    }

    /// Removes and aborts every call; returns the request ids of those that
    /// expect an answer.
    pub(crate) fn cancel_all(&self) -> Vec<u32> {
        let calls = std::mem::take(&mut *self.lock());
        calls
            .into_iter()
            .filter_map(|(key, running)| {
                running.abort.abort();
                if running.oneway {
                    None
                } else {
                    u32::try_from(key).ok()
                }
            })
            .collect()
    }
}
