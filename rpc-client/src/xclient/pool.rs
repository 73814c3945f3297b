//! [`Pool`]: the endpoints an XClient may call, each with its lazily opened
//! connection, its in-flight count and its circuit breaker, kept in step
//! with discovery.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use rpc_registry::{Endpoint, EndpointSet, Network};

use super::metrics::XClientMetrics;
use super::shard::{SHARDS, shard_index};
use crate::xclient::{BreakerConfig, Candidate, Candidates, CircuitBreaker, Selector};
use crate::{Client, ClientConfig, PROTOCOL_KEY, Protocol, Target};

/// One endpoint of the pool.
#[derive(Debug)]
pub(crate) struct Member {
    pub(crate) id: Arc<str>,
    /// The protocol its connection speaks.
    protocol: Protocol,
    weight: AtomicU32,
    /// Opens its connection on first use; dropped with the member.
    pub(crate) client: Client,
    in_flight: AtomicUsize,
    pub(crate) breaker: Arc<CircuitBreaker>,
    /// What the endpoint's `rpc.Health` said last (true until it says
    /// otherwise; see `health_check.rs`).
    serving: AtomicBool,
}

impl Member {
    fn new(
        endpoint: &Endpoint,
        protocol: Protocol,
        client: &ClientConfig,
        breaker: BreakerConfig,
        metrics: Option<&XClientMetrics>,
    ) -> Member {
        let target = match endpoint.network {
            Network::Tcp => Target::Tcp(endpoint.address.clone()),
            Network::Unix => Target::Unix(endpoint.address.clone().into()),
        };
        let breaker = Arc::new(CircuitBreaker::new(breaker));
        if let Some(metrics) = metrics {
            breaker.set_observer(metrics.breaker_observer(&endpoint.id()));
        }
        Member {
            serving: AtomicBool::new(true),
            breaker,
            id: endpoint.id().into(),
            weight: AtomicU32::new(endpoint.metadata.weight()),
            protocol,
            client: Client::with_config(
                target,
                ClientConfig {
                    protocol,
                    ..client.clone()
                },
            ),
            in_flight: AtomicUsize::new(0),
        }
    }

    /// Whether the endpoint's health check last said it serves this service.
    pub(crate) fn is_serving(&self) -> bool {
        self.serving.load(Ordering::Relaxed)
    }

    /// Records what the endpoint's health check said; true if it changed.
    pub(crate) fn set_serving(&self, serving: bool) -> bool {
        self.serving.swap(serving, Ordering::Relaxed) != serving
    }

    pub(crate) fn candidate(&self) -> Candidate {
        Candidate {
            id: Arc::clone(&self.id),
            weight: self.weight.load(Ordering::Relaxed),
            in_flight: self.in_flight.load(Ordering::Relaxed),
        }
    }

    /// A try to this endpoint started.
    pub(crate) fn call_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    /// A try to this endpoint ended.
    pub(crate) fn call_ended(&self) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The members as one call's selector sees them: available unless their
/// breaker refuses calls or the call already tried them. Built per call on
/// the stack; asks only about the members the selector looks at.
pub(crate) struct CallCandidates<'a> {
    pub(crate) members: &'a [Arc<Member>],
    pub(crate) excluded: &'a [Arc<str>],
}

impl Candidates for CallCandidates<'_> {
    fn len(&self) -> usize {
        self.members.len()
    }

    fn id(&self, index: usize) -> &str {
        &self.members[index].id
    }

    fn weight(&self, index: usize) -> u32 {
        self.members[index].weight.load(Ordering::Relaxed)
    }

    fn in_flight(&self, index: usize) -> usize {
        self.members[index].in_flight.load(Ordering::Relaxed)
    }

    fn is_available(&self, index: usize) -> bool {
        let member = &self.members[index];
        !self.excluded.iter().any(|id| Arc::ptr_eq(id, &member.id))
            && member.is_serving()
            && member.breaker.allows_calls()
    }

    fn is_batching(&self, index: usize) -> bool {
        self.members[index].client.is_batching()
    }
}

/// One shard's copy of the member list, alone on its cache lines.
/// One shard's copy of the member list, an allocation of its own on cache
/// lines of its own. A call holds its endpoint through the list of its
/// shard ([`Chosen`](super::chosen::Chosen)), so the count it adds and
/// drops is its shard's; a count on the endpoint itself would be written by
/// every call on every core, and so would the line its fields are read from.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct Members(Vec<Arc<Member>>);

impl std::ops::Deref for Members {
    type Target = [Arc<Member>];

    fn deref(&self) -> &[Arc<Member>] {
        &self.0
    }
}

#[derive(Default)]
#[repr(align(128))]
struct MembersCopy(RwLock<Arc<Members>>);

/// The current members, swapped as a whole when discovery changes.
///
/// The list is held once per [shard](super::shard): a call reads its
/// thread's copy under that copy's read lock, so calls on different cores
/// take different locks (a read lock still writes its lock word). A change
/// of endpoints, rare, writes every copy.
pub(crate) struct Pool {
    members: Box<[MembersCopy]>,
    group: Option<String>,
    client: ClientConfig,
    breaker: BreakerConfig,
    metrics: Option<Arc<XClientMetrics>>,
}

impl Pool {
    pub(crate) fn new(
        group: Option<String>,
        client: ClientConfig,
        breaker: BreakerConfig,
        metrics: Option<Arc<XClientMetrics>>,
    ) -> Pool {
        Pool {
            members: (0..SHARDS).map(|_| MembersCopy::default()).collect(),
            group,
            client,
            breaker,
            metrics,
        }
    }

    /// The members right now.
    pub(crate) fn members(&self) -> Arc<Members> {
        Arc::clone(&self.read())
    }

    /// Runs `f` over the members right now, without taking a handle on the
    /// list: what a call does to pick its endpoint.
    pub(crate) fn with_members<R>(&self, f: impl FnOnce(&Arc<Members>) -> R) -> R {
        f(&self.read())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Arc<Members>> {
        self.members[shard_index() % self.members.len()]
            .0
            .read()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The protocol to speak to `endpoint`: the one its metadata names, else
    /// the client config's; `None` (the endpoint is skipped) for a name this
    /// client does not know.
    fn protocol_of(&self, endpoint: &Endpoint) -> Option<Protocol> {
        match endpoint.metadata.get(PROTOCOL_KEY) {
            None | Some("") => Some(self.client.protocol),
            Some(name) => match name.parse() {
                Ok(protocol) => Some(protocol),
                Err(error) => {
                    tracing::warn!(endpoint = %endpoint.id(), %error, "endpoint skipped");
                    None
                }
            },
        }
    }

    /// Follows a new endpoint set: keeps the members (and connections) of
    /// endpoints still there, adds new ones, drops the gone, skips inactive
    /// endpoints and those of other groups; tells the selector.
    pub(crate) fn apply(&self, set: &EndpointSet, selector: &dyn Selector) {
        let current = self.members();
        let members: Vec<Arc<Member>> = set
            .values()
            .filter(|endpoint| endpoint.metadata.is_active())
            .filter(|endpoint| {
                self.group
                    .as_deref()
                    .is_none_or(|group| endpoint.metadata.group() == Some(group))
            })
            .filter_map(|endpoint| {
                let protocol = self.protocol_of(endpoint)?;
                let id = endpoint.id();
                Some(
                    match current
                        .iter()
                        .find(|member| *member.id == *id && member.protocol == protocol)
                    {
                        Some(member) => {
                            member
                                .weight
                                .store(endpoint.metadata.weight(), Ordering::Relaxed);
                            Arc::clone(member)
                        }
                        None => Arc::new(Member::new(
                            endpoint,
                            protocol,
                            &self.client,
                            self.breaker,
                            self.metrics.as_deref(),
                        )),
                    },
                )
            })
            .collect();
        if let Some(metrics) = &self.metrics {
            metrics.endpoints.set(members.len() as f64);
        }
        let candidates: Vec<Candidate> = members.iter().map(|m| m.candidate()).collect();
        selector.update(&candidates);
        // A list per shard (see `Members`).
        for copy in &self.members {
            *copy.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(Members(members.clone()));
        }
    }
}
