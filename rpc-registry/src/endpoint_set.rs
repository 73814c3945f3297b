//! [`EndpointSet`], [`EndpointWatch`] and [`Change`]: the live view of a
//! service's endpoints that discovery hands to clients.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::watch;

use crate::Endpoint;

/// The endpoints of one service at one moment, by identity (`tcp@host:port`).
pub type EndpointSet = BTreeMap<String, Endpoint>;

/// One difference between two endpoint sets, in the spirit of tower's `Change`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new endpoint.
    Added(Endpoint),
    /// An endpoint is gone; the identity it had.
    Removed(String),
    /// An endpoint's metadata changed.
    Updated(Endpoint),
}

/// A live view of one service's endpoints: the current set at any time, and
/// a way to wait for the next one.
///
/// Backed by a `tokio::sync::watch` channel: a slow reader never blocks the
/// backend and never sees a stale set after waking, only possibly skips
/// intermediate sets (the changes it computes still lead from what it saw to
/// what is current).
#[derive(Debug, Clone)]
pub struct EndpointWatch {
    receiver: watch::Receiver<Arc<EndpointSet>>,
    seen: Arc<EndpointSet>,
}

impl EndpointWatch {
    /// A view fed by `receiver`.
    pub fn new(receiver: watch::Receiver<Arc<EndpointSet>>) -> EndpointWatch {
        let seen = Arc::clone(&receiver.borrow());
        EndpointWatch { receiver, seen }
    }

    /// The channel this view reads, for wrappers that publish their own.
    pub(crate) fn receiver(&self) -> watch::Receiver<Arc<EndpointSet>> {
        self.receiver.clone()
    }

    /// The current endpoints.
    pub fn current(&self) -> Arc<EndpointSet> {
        Arc::clone(&self.receiver.borrow())
    }

    /// Waits for the set to change, then returns the changes from the set
    /// this watch last returned (or started with) to the new one. `None` once
    /// the backend has stopped for good.
    pub async fn changes(&mut self) -> Option<Vec<Change>> {
        loop {
            self.receiver.changed().await.ok()?;
            let next = Arc::clone(&self.receiver.borrow_and_update());
            let changes = diff(&self.seen, &next);
            self.seen = next;
            if !changes.is_empty() {
                return Some(changes);
            }
        }
    }
}

/// The changes that turn `old` into `new`, removals first, then in key order.
pub fn diff(old: &EndpointSet, new: &EndpointSet) -> Vec<Change> {
    let mut changes: Vec<Change> = old
        .keys()
        .filter(|id| !new.contains_key(*id))
        .map(|id| Change::Removed(id.clone()))
        .collect();
    for (id, endpoint) in new {
        match old.get(id) {
            None => changes.push(Change::Added(endpoint.clone())),
            Some(previous) if previous != endpoint => {
                changes.push(Change::Updated(endpoint.clone()))
            }
            Some(_) => {}
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EndpointMetadata;

    fn set<const N: usize>(endpoints: [&Endpoint; N]) -> Arc<EndpointSet> {
        Arc::new(endpoints.iter().map(|e| (e.id(), (*e).clone())).collect())
    }

    #[tokio::test]
    async fn changes_lead_from_the_seen_set_to_the_current_one() {
        let a = Endpoint::tcp("127.0.0.1:1");
        let b = Endpoint::tcp("127.0.0.1:2");
        let b2 = b
            .clone()
            .with_metadata(EndpointMetadata::new().with("weight", "5"));
        let (tx, rx) = watch::channel(set([&a]));
        let mut view = EndpointWatch::new(rx);
        tx.send(set([&a, &b])).unwrap();
        assert_eq!(view.changes().await.unwrap(), [Change::Added(b.clone())]);
        // Two updates before the reader looks: it sees their sum.
        tx.send(set([&b])).unwrap();
        tx.send(set([&b2])).unwrap();
        assert_eq!(
            view.changes().await.unwrap(),
            [Change::Removed(a.id()), Change::Updated(b2.clone())]
        );
        assert_eq!(view.current().len(), 1);
        drop(tx);
        assert_eq!(view.changes().await, None);
    }
}
