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

/// The endpoints a selector chooses among for one call.
///
/// Indexes follow the slice of the last [`Selector::update`], in its order.
/// Not every endpoint may take every call: an open circuit breaker, or an
/// endpoint a failover already tried, makes [`Candidates::is_available`]
/// false. The XClient passes its pool itself, so a selector that looks at
/// one or two endpoints per call costs the same with 3 endpoints or 3,000.
pub trait Candidates {
    /// How many endpoints there are, available or not.
    fn len(&self) -> usize;

    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The endpoint's identity, `network@address`.
    fn id(&self, index: usize) -> &str;

    /// Its `weight` metadata (at least 1).
    fn weight(&self, index: usize) -> u32;

    /// Calls this client has in flight to it.
    fn in_flight(&self, index: usize) -> usize;

    /// Whether it may take this call.
    fn is_available(&self, index: usize) -> bool;

    /// Whether its connection is gathering a batch of requests right now, so
    /// that a call sent to it now shares a write (and the server's reply
    /// burst) with the calls before it. A hint: `false` unless the pool
    /// knows better.
    fn is_batching(&self, _index: usize) -> bool {
        false
    }

    /// The first available endpoint at or after `start`, going round.
    fn next_available(&self, start: usize) -> Option<usize> {
        let len = self.len();
        (0..len)
            .map(|offset| (start + offset) % len)
            .find(|&index| self.is_available(index))
    }
}

/// A list of candidates is a pool where every one is available.
impl Candidates for [Candidate] {
    fn len(&self) -> usize {
        <[Candidate]>::len(self)
    }

    fn id(&self, index: usize) -> &str {
        &self[index].id
    }

    fn weight(&self, index: usize) -> u32 {
        self[index].weight
    }

    fn in_flight(&self, index: usize) -> usize {
        self[index].in_flight
    }

    fn is_available(&self, _index: usize) -> bool {
        true
    }
}

impl Candidates for Vec<Candidate> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn id(&self, index: usize) -> &str {
        self.as_slice().id(index)
    }

    fn weight(&self, index: usize) -> u32 {
        self[index].weight
    }

    fn in_flight(&self, index: usize) -> usize {
        self[index].in_flight
    }

    fn is_available(&self, _index: usize) -> bool {
        true
    }
}

/// What a selector may look at about the call being placed.
#[derive(Debug, Clone, Copy)]
pub struct CallInfo<'a> {
    method: &'a str,
    key: HashKey<'a>,
}

#[derive(Debug, Clone, Copy)]
enum HashKey<'a> {
    Given(u64),
    /// Hashed only if a selector asks: hashing costs a pass over the payload.
    OfPayload(&'a [u8]),
}

impl<'a> CallInfo<'a> {
    /// A call of `method` with `payload` as its encoded argument, routed by
    /// `hash_key` if set (else by the payload's hash).
    pub fn new(method: &'a str, payload: &'a [u8], hash_key: Option<u64>) -> CallInfo<'a> {
        let key = match hash_key {
            Some(key) => HashKey::Given(key),
            None => HashKey::OfPayload(payload),
        };
        CallInfo { method, key }
    }

    /// A call of `method` routed by `hash_key`.
    pub const fn with_hash_key(method: &'a str, hash_key: u64) -> CallInfo<'a> {
        CallInfo {
            method,
            key: HashKey::Given(hash_key),
        }
    }

    /// The method's wire name.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The per-call hash key if the caller set one, else a stable hash of
    /// the encoded argument (computed now, on each call of this method):
    /// what [`ConsistentHash`] routes by.
    pub fn hash_key(&self) -> u64 {
        match self.key {
            HashKey::Given(key) => key,
            HashKey::OfPayload(payload) => stable_hash(payload),
        }
    }
}

/// Chooses an endpoint for each call.
///
/// `update` is called with every endpoint that may be chosen at all, each
/// time that set changes; `select` with the same endpoints, in the same
/// order, as [`Candidates`] that say which may take this call (circuit
/// breakers, endpoints already tried by a failover). It returns the index of
/// an available one, or `None` if none is. Implementations are shared by
/// concurrent calls and should not allocate per call.
pub trait Selector: Send + Sync + 'static {
    /// The full set of endpoints changed.
    fn update(&self, endpoints: &[Candidate]);

    /// The index of an available endpoint for this call.
    fn select(&self, candidates: &dyn Candidates, call: &CallInfo<'_>) -> Option<usize>;

    /// Whether this selector looks at calls in flight
    /// ([`Candidates::in_flight`], [`Candidate::in_flight`]). The XClient
    /// counts them per endpoint, two atomic writes per call on a line every
    /// core shares, only for a selector that does. Default: true.
    fn reads_in_flight(&self) -> bool {
        true
    }
}

/// The built-in selectors, and a way to plug in your own.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum SelectMode {
    /// Uniformly at random.
    Random,
    /// In turn, one after the other. Under load, a call joins the batch of
    /// requests the last chosen endpoint's connection is still gathering
    /// (at most 32 in a row), so that a burst shares one write; the share
    /// of each endpoint stays even over time, and with no batch forming
    /// the rotation is exact.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_is_hashed_only_without_a_given_key() {
        let payload = b"a large argument";
        assert_eq!(CallInfo::new("Get", payload, Some(7)).hash_key(), 7);
        assert_eq!(
            CallInfo::new("Get", payload, None).hash_key(),
            stable_hash(payload)
        );
    }

    /// Five weighted endpoints of which only those in `available` may
    /// take the call.
    struct Partly {
        all: Vec<Candidate>,
        available: &'static [usize],
    }

    impl Candidates for Partly {
        fn len(&self) -> usize {
            self.all.len()
        }
        fn id(&self, index: usize) -> &str {
            &self.all[index].id
        }
        fn weight(&self, index: usize) -> u32 {
            self.all[index].weight
        }
        fn in_flight(&self, index: usize) -> usize {
            self.all[index].in_flight
        }
        fn is_available(&self, index: usize) -> bool {
            self.available.contains(&index)
        }
    }

    #[test]
    fn every_selector_picks_only_available_endpoints_and_none_when_none_is() {
        let modes = [
            SelectMode::Random,
            SelectMode::RoundRobin,
            SelectMode::WeightedRoundRobin,
            SelectMode::WeightedRandom,
            SelectMode::ConsistentHash,
            SelectMode::LeastLoaded,
        ];
        for mode in modes {
            let selector = mode.build();
            let all = test_support::weighted(&[1, 2, 3, 4, 5]);
            selector.update(&all);
            let some = Partly {
                all: all.clone(),
                available: &[1, 3],
            };
            let mut seen = [0_u32; 5];
            for key in 0..1_000 {
                let call = CallInfo::with_hash_key("Get", key);
                seen[selector.select(&some, &call).expect("one is available")] += 1;
            }
            assert_eq!((seen[0], seen[2], seen[4]), (0, 0, 0), "{mode:?}");
            assert!(seen[1] > 0 && seen[3] > 0, "{mode:?} uses both: {seen:?}");
            let none = Partly {
                all,
                available: &[],
            };
            assert_eq!(
                selector.select(&none, &test_support::CALL),
                None,
                "{mode:?}"
            );
        }
    }

    #[test]
    fn next_available_goes_round() {
        struct EveryThird;
        impl Candidates for EveryThird {
            fn len(&self) -> usize {
                7
            }
            fn id(&self, _: usize) -> &str {
                ""
            }
            fn weight(&self, _: usize) -> u32 {
                1
            }
            fn in_flight(&self, _: usize) -> usize {
                0
            }
            fn is_available(&self, index: usize) -> bool {
                index.is_multiple_of(3)
            }
        }
        assert_eq!(EveryThird.next_available(0), Some(0));
        assert_eq!(EveryThird.next_available(4), Some(6));
        assert_eq!(EveryThird.next_available(5), Some(6));
        assert_eq!(EveryThird.next_available(1), Some(3));
    }
}
