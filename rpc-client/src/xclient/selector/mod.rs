//! Selectors: which endpoint a call goes to. Each policy is its own file;
//! [`SelectMode`] names one, [`Selector`] is the trait to write your own.

use std::fmt;
use std::sync::Arc;

mod consistent_hash;
mod least_loaded;
mod random;
mod round_robin;
mod stable_hash;
#[cfg(test)]
mod test_support;
mod weighted_random;
mod weighted_round_robin;

pub use consistent_hash::ConsistentHash;
pub use least_loaded::LeastLoaded;
pub use random::Random;
pub use round_robin::RoundRobin;
pub use stable_hash::stable_hash;
pub use weighted_random::WeightedRandom;
pub use weighted_round_robin::WeightedRoundRobin;

/// One endpoint a selector may choose, as the XClient sees it right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The endpoint's identity, `network@address`: stable across processes.
    pub id: Arc<str>,
    /// Its `weight` metadata (at least 1).
    pub weight: u32,
    /// Calls this client has in flight to it.
    pub in_flight: usize,
}

/// What a selector may look at about the call being placed.
#[derive(Debug, Clone, Copy)]
pub struct CallInfo<'a> {
    /// The method's wire name.
    pub method: &'a str,
    /// The per-call hash key if the caller set one, else a stable hash of the
    /// encoded argument: what [`ConsistentHash`] routes by.
    pub hash_key: u64,
}

/// Chooses an endpoint for each call.
///
/// `update` is called with every endpoint that may be chosen at all, each
/// time that set changes; `select` with the ones available for this call
/// (circuit breakers closed, endpoints already tried by a failover excluded),
/// always a non-empty subset of the last `update`, and returns an index into
/// it. Implementations are shared by concurrent calls.
pub trait Selector: Send + Sync + 'static {
    /// The full set of endpoints changed.
    fn update(&self, endpoints: &[Candidate]);

    /// The index in `candidates` (never empty) of the endpoint for this call.
    fn select(&self, candidates: &[Candidate], call: &CallInfo<'_>) -> usize;
}

/// The built-in selectors, and a way to plug in your own.
#[derive(Clone, Default)]
pub enum SelectMode {
    /// Uniformly at random.
    Random,
    /// In turn, one after the other.
    #[default]
    RoundRobin,
    /// nginx's smooth weighted round-robin over the `weight` metadata.
    WeightedRoundRobin,
    /// At random, in proportion to the `weight` metadata.
    WeightedRandom,
    /// A hash ring with virtual nodes, keyed by the call's hash key: the same
    /// key goes to the same endpoint in every process, and removing one of N
    /// endpoints moves only about 1/N of the keys.
    ConsistentHash,
    /// Power of two choices on calls in flight: of two endpoints picked at
    /// random, the less loaded.
    LeastLoaded,
    /// Your own.
    Custom(Arc<dyn Selector>),
}

impl SelectMode {
    /// A fresh selector of this mode.
    pub fn build(&self) -> Arc<dyn Selector> {
        match self {
            SelectMode::Random => Arc::new(Random::default()),
            SelectMode::RoundRobin => Arc::new(RoundRobin::default()),
            SelectMode::WeightedRoundRobin => Arc::new(WeightedRoundRobin::default()),
            SelectMode::WeightedRandom => Arc::new(WeightedRandom::default()),
            SelectMode::ConsistentHash => Arc::new(ConsistentHash::default()),
            SelectMode::LeastLoaded => Arc::new(LeastLoaded::default()),
            SelectMode::Custom(selector) => Arc::clone(selector),
        }
    }
}

impl fmt::Debug for SelectMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectMode::Random => f.write_str("Random"),
            SelectMode::RoundRobin => f.write_str("RoundRobin"),
            SelectMode::WeightedRoundRobin => f.write_str("WeightedRoundRobin"),
            SelectMode::WeightedRandom => f.write_str("WeightedRandom"),
            SelectMode::ConsistentHash => f.write_str("ConsistentHash"),
            SelectMode::LeastLoaded => f.write_str("LeastLoaded"),
            SelectMode::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}
