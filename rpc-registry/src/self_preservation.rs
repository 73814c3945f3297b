//! [`SelfPreservation`]: when too many of a service's endpoints vanish from
//! the registry at once, keep publishing them for a while, the way Envoy's
//! panic threshold and Eureka's self-preservation do.
//!
//! A registry empties a service at once for reasons that say nothing about
//! its servers: etcd frozen past the lease TTL expires every lease together
//! on resume, a partition between the servers and etcd, a wiped store read
//! before the servers wrote their keys again. Publishing that empty set
//! would fail every call although every server still answers. Endpoints
//! vanishing one at a time (a server crashed, was scaled down) are believed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::{Discovery, Endpoint, EndpointSet, EndpointWatch, RegistryError, RegistryFuture};

/// The rule: endpoints that vanished within the last `hold` are judged
/// together; while they are more than `max_removed_share` of the endpoints
/// known in that window (those still present plus those vanished), they
/// stay published, each until `hold` has passed since it vanished. Back
/// under the share, the registry's set is published as it is.
///
/// What it trades: a fleet that really died (or was shut down all at once)
/// is still offered to clients for up to `hold`; their calls to it fail and
/// the XClient's fail mode and circuit breakers take those endpoints out.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct SelfPreservation {
    /// How long an endpoint that vanished en masse is still published.
    /// Zero turns the rule off. No default of its own: etcd discovery holds
    /// for two lease TTLs (20 s with the default 10 s TTL).
    pub hold: Duration,
    /// The share (0.0 to 1.0) of the recently known endpoints that may
    /// vanish and be believed. Default 0.5: one of two servers, or two of
    /// four, may go; two of three vanishing together are held.
    pub max_removed_share: f64,
}

impl SelfPreservation {
    /// Holds for `hold`, believing up to half of the endpoints vanishing.
    pub fn new(hold: Duration) -> SelfPreservation {
        SelfPreservation {
            hold,
            max_removed_share: 0.5,
        }
    }

    /// The rule turned off: every set is published as the registry gives it.
    pub fn off() -> SelfPreservation {
        SelfPreservation::new(Duration::ZERO)
    }

    /// A receiver publishing what `upstream` publishes, under this rule.
    /// A task applies it until every receiver of the result is gone.
    pub fn apply(
        self,
        upstream: watch::Receiver<Arc<EndpointSet>>,
    ) -> watch::Receiver<Arc<EndpointSet>> {
        if self.hold.is_zero() {
            return upstream;
        }
        let mut judge = Judge::new(self);
        let first = judge.publishable(&upstream.borrow(), Instant::now());
        let (sender, receiver) = watch::channel(Arc::new(first));
        tokio::spawn(follow(judge, upstream, sender, Until::Unwatched));
        receiver
    }

    /// The sender of a channel publishing what `upstream` publishes, under
    /// this rule (`upstream` itself when the rule is off), for a caller that
    /// hands out receivers with `subscribe` and decides itself when nobody
    /// listens: the task applying the rule ends when every sender of
    /// `upstream` is gone (dropping its receiver of `upstream` and its
    /// sender of the result), not when the result has no receivers, so a
    /// receiver subscribed after a moment without any is still served.
    /// (`EtcdDiscovery`'s table of watched services.)
    #[cfg(feature = "etcd")]
    pub(crate) fn publish(
        self,
        upstream: &watch::Sender<Arc<EndpointSet>>,
    ) -> watch::Sender<Arc<EndpointSet>> {
        if self.hold.is_zero() {
            return upstream.clone();
        }
        let mut judge = Judge::new(self);
        let first = judge.publishable(&upstream.borrow(), Instant::now());
        let (sender, _) = watch::channel(Arc::new(first));
        tokio::spawn(follow(
            judge,
            upstream.subscribe(),
            sender.clone(),
            Until::UpstreamEnds,
        ));
        sender
    }
}

/// The rule's memory: the registry's last set and what vanished from it.
#[derive(Debug)]
struct Judge {
    policy: SelfPreservation,
    /// Endpoints that vanished from the registry's set within `hold`, with
    /// when they did.
    vanished: BTreeMap<String, (Endpoint, Instant)>,
    last: EndpointSet,
}

impl Judge {
    fn new(policy: SelfPreservation) -> Judge {
        Judge {
            policy,
            vanished: BTreeMap::new(),
            last: EndpointSet::new(),
        }
    }

    /// What to publish, at `now`, when the registry says `current`.
    fn publishable(&mut self, current: &EndpointSet, now: Instant) -> EndpointSet {
        for (id, endpoint) in &self.last {
            if !current.contains_key(id) {
                self.vanished
                    .entry(id.clone())
                    .or_insert_with(|| (endpoint.clone(), now));
            }
        }
        self.last = current.clone();
        let hold = self.policy.hold;
        self.vanished
            .retain(|id, (_, since)| !current.contains_key(id) && now < *since + hold);
        let known = current.len() + self.vanished.len();
        let share = self.vanished.len() as f64 / known.max(1) as f64;
        let mut set = current.clone();
        if share > self.policy.max_removed_share {
            for (id, (endpoint, _)) in &self.vanished {
                set.insert(id.clone(), endpoint.clone());
            }
        }
        set
    }

    /// When the next held endpoint's hold ends.
    fn next_expiry(&self) -> Option<Instant> {
        self.vanished
            .values()
            .map(|(_, since)| *since + self.policy.hold)
            .min()
    }
}

/// When the task applying the rule ends (it always ends when `upstream`
/// has no sender left).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    /// Also when its output has no receivers: nobody can subscribe again.
    Unwatched,
    /// Only then: the caller subscribes receivers, and ends `upstream`
    /// when it has none.
    #[cfg(feature = "etcd")]
    UpstreamEnds,
}

async fn follow(
    mut judge: Judge,
    mut upstream: watch::Receiver<Arc<EndpointSet>>,
    sender: watch::Sender<Arc<EndpointSet>>,
    until: Until,
) {
    loop {
        let expiry = judge.next_expiry();
        let expired = async {
            match expiry {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            changed = upstream.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            () = expired => {}
            () = sender.closed(), if until == Until::Unwatched => return,
        }
        let current = Arc::clone(&upstream.borrow_and_update());
        let set = judge.publishable(&current, Instant::now());
        if **sender.borrow() != set {
            if set.len() > current.len() {
                tracing::warn!(
                    registry = current.len(),
                    published = set.len(),
                    "most endpoints vanished from the registry at once; still publishing them for the hold period"
                );
            }
            sender.send_replace(Arc::new(set));
        }
    }
}

/// Any [`Discovery`] under a [`SelfPreservation`] rule.
#[derive(Debug, Clone)]
pub struct SelfPreserving<D> {
    inner: D,
    policy: SelfPreservation,
}

impl<D: Discovery> SelfPreserving<D> {
    /// `inner`'s endpoint sets, published under `policy`.
    pub fn new(inner: D, policy: SelfPreservation) -> SelfPreserving<D> {
        SelfPreserving { inner, policy }
    }
}

impl<D: Discovery> Discovery for SelfPreserving<D> {
    fn watch<'a>(
        &'a self,
        service: &'a str,
    ) -> RegistryFuture<'a, Result<EndpointWatch, RegistryError>> {
        Box::pin(async move {
            let upstream = self.inner.watch(service).await?;
            Ok(EndpointWatch::new(self.policy.apply(upstream.receiver())))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ports: &[u16]) -> Arc<EndpointSet> {
        Arc::new(
            ports
                .iter()
                .map(|port| {
                    let endpoint = Endpoint::tcp(format!("127.0.0.1:{port}"));
                    (endpoint.id(), endpoint)
                })
                .collect(),
        )
    }

    fn ports(view: &EndpointWatch) -> Vec<u16> {
        view.current()
            .values()
            .map(|e| e.address.rsplit(':').next().unwrap().parse().unwrap())
            .collect()
    }

    async fn settle() {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn all_vanishing_at_once_is_held_for_the_hold_period() {
        let (tx, rx) = watch::channel(set(&[1, 2, 3]));
        let view = EndpointWatch::new(SelfPreservation::new(Duration::from_secs(4)).apply(rx));
        tx.send_replace(set(&[]));
        settle().await;
        assert_eq!(ports(&view), [1, 2, 3], "held");
        tokio::time::sleep(Duration::from_millis(3900)).await;
        settle().await;
        assert_eq!(ports(&view), [1, 2, 3], "still held");
        tokio::time::sleep(Duration::from_millis(200)).await;
        settle().await;
        assert_eq!(ports(&view), Vec::<u16>::new(), "believed after the hold");
    }

    #[tokio::test(start_paused = true)]
    async fn vanishing_one_at_a_time_within_the_hold_is_judged_together() {
        let (tx, rx) = watch::channel(set(&[1, 2, 3]));
        let view = EndpointWatch::new(SelfPreservation::new(Duration::from_secs(4)).apply(rx));
        tx.send_replace(set(&[2, 3]));
        settle().await;
        assert_eq!(ports(&view), [2, 3], "one of three is believed");
        tx.send_replace(set(&[3]));
        settle().await;
        assert_eq!(
            ports(&view),
            [1, 2, 3],
            "two of three within the hold are not"
        );
        // Coming back, they end the hold: the registry's set is published.
        tx.send_replace(set(&[2, 3]));
        settle().await;
        assert_eq!(ports(&view), [2, 3]);
    }

    #[tokio::test(start_paused = true)]
    async fn returning_endpoints_replace_the_held_ones() {
        let (tx, rx) = watch::channel(set(&[1, 2]));
        let view = EndpointWatch::new(SelfPreservation::new(Duration::from_secs(4)).apply(rx));
        tx.send_replace(set(&[2]));
        settle().await;
        assert_eq!(ports(&view), [2], "one of two is believed");
        tx.send_replace(set(&[]));
        settle().await;
        assert_eq!(ports(&view), [1, 2]);
        // 1 is back and 4 is new: one of three gone is believed.
        tx.send_replace(set(&[1, 4]));
        settle().await;
        assert_eq!(ports(&view), [1, 4]);
    }

    #[cfg(feature = "etcd")]
    #[tokio::test(start_paused = true)]
    async fn a_published_channel_serves_late_subscribers_until_upstream_ends() {
        let (tx, _) = watch::channel(set(&[1, 2]));
        let published = SelfPreservation::new(Duration::from_secs(4)).publish(&tx);
        drop(published.subscribe());
        settle().await;
        // No receiver for a moment: the task goes on.
        let view = EndpointWatch::new(published.subscribe());
        tx.send_replace(set(&[1, 2, 3]));
        settle().await;
        assert_eq!(ports(&view), [1, 2, 3]);
        assert_eq!(tx.receiver_count(), 1, "the task's receiver of upstream");
        assert_eq!(published.sender_count(), 2, "the task's sender and ours");
        // Upstream gone: the task ends, dropping both ends it held.
        drop(tx);
        settle().await;
        assert_eq!(published.sender_count(), 1, "ours only");
    }

    #[cfg(feature = "etcd")]
    #[tokio::test]
    async fn a_published_channel_without_the_rule_is_upstream() {
        let (tx, _) = watch::channel(set(&[1]));
        let published = SelfPreservation::off().publish(&tx);
        assert!(published.same_channel(&tx));
    }

    #[tokio::test]
    async fn off_publishes_what_the_registry_says() {
        let (tx, rx) = watch::channel(set(&[1, 2]));
        let view = EndpointWatch::new(SelfPreservation::off().apply(rx));
        tx.send_replace(set(&[]));
        assert!(view.current().is_empty());
    }
}
