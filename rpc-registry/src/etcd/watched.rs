//! [`Watched`]: the services an [`EtcdDiscovery`](super::EtcdDiscovery)
//! watches, shared between the watchers of one service, and released when
//! the last of them is dropped.
//!
//! The table keeps the *sender* of each service's published channel and
//! hands out receivers with `subscribe`: a sender does not keep a channel
//! open, so once every watcher is gone the channel has no receivers. The
//! service's watch task then [`Release::release`]s it, under the table's
//! lock: a watcher subscribing concurrently either comes first (the task
//! sees a receiver and keeps going) or finds the entry gone (and starts a
//! fresh read and watch). An entry in the table thus always has its watch
//! task alive behind it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;

use crate::{EndpointSet, EndpointWatch};

type Published = watch::Sender<Arc<EndpointSet>>;

/// Each watched service's published channel, by service name.
#[derive(Clone, Default)]
pub(super) struct Watched {
    services: Arc<Mutex<HashMap<String, Published>>>,
}

impl Watched {
    /// A new watcher of `service` sharing its running watch, if it has one.
    pub(super) fn join(&self, service: &str) -> Option<EndpointWatch> {
        self.lock()
            .get(service)
            .map(|published| EndpointWatch::new(published.subscribe()))
    }

    /// Records `published` as `service`'s channel and returns its first
    /// watcher with the [`Release`] its watch task must hold; or, when
    /// another caller started the service meanwhile, a watcher of theirs.
    pub(super) fn insert(
        &self,
        service: &str,
        published: Published,
    ) -> Result<(EndpointWatch, Release), EndpointWatch> {
        let mut services = self.lock();
        if let Some(existing) = services.get(service) {
            return Err(EndpointWatch::new(existing.subscribe()));
        }
        let first = EndpointWatch::new(published.subscribe());
        services.insert(service.to_owned(), published.clone());
        let release = Release {
            watched: self.clone(),
            service: service.to_owned(),
            published,
        };
        Ok((first, release))
    }

    /// How many services are watched.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Published>> {
        self.services.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A service's watch task's hold on its entry in [`Watched`]: tells the
/// task when nobody listens any more, and takes the entry out then.
pub(super) struct Release {
    watched: Watched,
    service: String,
    published: Published,
}

impl Release {
    /// Takes the entry out when its channel has no receivers, and says
    /// whether it did: the task ends then. Checked under the table's lock,
    /// so no watcher joins a task that is ending.
    pub(super) fn release(&self) -> bool {
        let mut services = self.watched.lock();
        if self.published.receiver_count() > 0 {
            return false;
        }
        self.remove_from(&mut services);
        true
    }

    /// Takes the entry out if it is still this one (a later watch of the
    /// service may have put its own in).
    fn remove_from(&self, services: &mut HashMap<String, Published>) {
        if services
            .get(&self.service)
            .is_some_and(|entry| entry.same_channel(&self.published))
        {
            services.remove(&self.service);
        }
    }

    /// Waits until the last watcher is gone and the entry is taken out.
    /// Cancel-safe: nothing is taken out unless this returns.
    pub(super) async fn unwatched(&self) {
        loop {
            self.published.closed().await;
            if self.release() {
                return;
            }
            // A watcher joined between the close and the check: wait again.
        }
    }
}

impl Drop for Release {
    /// A task dropped without releasing (its runtime shut down) leaves no
    /// entry behind for later watchers to join: they start afresh, and the
    /// watchers it had see the channel end once its other senders go.
    fn drop(&mut self) {
        let mut services = self.watched.lock();
        self.remove_from(&mut services);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel() -> Published {
        watch::channel(Arc::new(EndpointSet::new())).0
    }

    #[tokio::test]
    async fn the_last_watcher_gone_releases_the_entry() {
        let watched = Watched::default();
        let Ok((first, release)) = watched.insert("A", channel()) else {
            panic!("a new entry");
        };
        let second = watched.join("A").expect("shared");
        drop(first);
        assert!(!release.release(), "one watcher left");
        assert_eq!(watched.len(), 1);
        drop(second);
        release.unwatched().await;
        assert_eq!(watched.len(), 0);
        assert!(watched.join("A").is_none(), "a later watch starts afresh");
    }

    #[tokio::test]
    async fn a_second_start_shares_the_first() {
        let watched = Watched::default();
        let Ok((_first, _release)) = watched.insert("A", channel()) else {
            panic!("a new entry");
        };
        assert!(watched.insert("A", channel()).is_err());
        assert_eq!(watched.len(), 1);
    }

    #[tokio::test]
    async fn a_released_entry_does_not_remove_its_successor() {
        let watched = Watched::default();
        let Ok((first, old)) = watched.insert("A", channel()) else {
            panic!("a new entry");
        };
        drop(first);
        assert!(old.release());
        let Ok((_second, _new)) = watched.insert("A", channel()) else {
            panic!("a new entry");
        };
        assert!(old.release(), "still unwatched");
        drop(old);
        assert_eq!(watched.len(), 1, "the new entry stays");
    }

    #[tokio::test]
    async fn a_task_dropped_while_watched_leaves_no_entry() {
        let watched = Watched::default();
        let Ok((_first, release)) = watched.insert("A", channel()) else {
            panic!("a new entry");
        };
        drop(release);
        assert!(watched.join("A").is_none());
    }
}
