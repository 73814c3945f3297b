//! [`ConsistentHash`]: a hash ring with virtual nodes, keyed by the call's
//! hash key.
//!
//! Each endpoint is placed on a ring of `u64` positions at
//! [`VIRTUAL_NODES_PER_ENDPOINT`] points, `stable_hash("{id}#{i}")`. A call
//! goes to the endpoint owning the first point at or after its key, going
//! clockwise and wrapping. Because positions depend only on endpoint ids,
//! every client process maps a key to the same endpoint; because each
//! endpoint owns many small arcs, removing one of N endpoints moves only the
//! keys on its arcs, about 1/N of them, each to the next endpoint clockwise,
//! and leaves every other key where it was. Weights are not used.
//!
//! The key is first passed through [`stable_hash`] once more: callers may set
//! small, sequential keys (user ids, shard numbers), which would otherwise all
//! fall on the first arc of the ring.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use super::{CallInfo, Candidate, Candidates, Selector, stable_hash};

/// How many points each endpoint gets on the ring: enough that each of 10
/// endpoints owns within a few percent of a tenth of the keys.
const VIRTUAL_NODES_PER_ENDPOINT: u32 = 160;

/// Sends calls with equal hash keys to the same endpoint, in every process.
///
/// A hash ring with 160 virtual nodes per endpoint, each placed by
/// [`stable_hash`] of the endpoint id. Removing one of N endpoints moves only
/// the keys it owned, about 1/N of them, each to the next endpoint clockwise;
/// a key whose endpoint is not among a call's candidates goes the same way.
/// Endpoint weights are not used.
#[derive(Debug, Default)]
pub struct ConsistentHash {
    ring: RwLock<Ring>,
}

#[derive(Debug, Default)]
struct Ring {
    /// Every virtual node, sorted by position (then endpoint, so that two
    /// rings built from the same endpoints in any order are identical).
    nodes: Vec<VirtualNode>,
    /// The endpoint ids, indexed by [`VirtualNode::endpoint`].
    endpoint_ids: Vec<Arc<str>>,
    /// Where each endpoint was in the last update, which is where it is
    /// among a call's candidates (checked by id before use).
    update_index: Vec<usize>,
}

#[derive(Debug, Clone, Copy)]
struct VirtualNode {
    position: u64,
    endpoint: usize,
}

impl Ring {
    fn build(endpoints: &[Candidate]) -> Self {
        let mut endpoint_ids: Vec<Arc<str>> = endpoints.iter().map(|e| Arc::clone(&e.id)).collect();
        endpoint_ids.sort();
        endpoint_ids.dedup();
        let first_index: HashMap<&str, usize> = endpoints
            .iter()
            .enumerate()
            .rev()
            .map(|(index, endpoint)| (&*endpoint.id, index))
            .collect();
        let update_index = endpoint_ids.iter().map(|id| first_index[&**id]).collect();
        let mut nodes =
            Vec::with_capacity(endpoint_ids.len() * VIRTUAL_NODES_PER_ENDPOINT as usize);
        for (endpoint, id) in endpoint_ids.iter().enumerate() {
            for replica in 0..VIRTUAL_NODES_PER_ENDPOINT {
                let position = stable_hash(format!("{id}#{replica}").as_bytes());
                nodes.push(VirtualNode { position, endpoint });
            }
        }
        // Endpoint indices follow the sorted ids, so this order is a function
        // of the endpoint set alone.
        nodes.sort_unstable_by_key(|node| (node.position, node.endpoint));
        Ring {
            nodes,
            endpoint_ids,
            update_index,
        }
    }

    /// The index in `candidates` of the endpoint owning `position`, skipping
    /// clockwise past endpoints that are not available.
    fn owner_among(&self, candidates: &dyn Candidates, position: u64) -> Option<usize> {
        let start = self.nodes.partition_point(|node| node.position < position);
        let clockwise = self.nodes[start..].iter().chain(&self.nodes[..start]);
        // Usually the first node's endpoint is available and this is one
        // step. Otherwise each endpoint is asked about once, however many of
        // its virtual nodes follow.
        let mut refused = Refused::new(self.endpoint_ids.len());
        for node in clockwise {
            if refused.contains(node.endpoint) {
                continue;
            }
            if let Some(index) = self.index_among(candidates, node.endpoint)
                && candidates.is_available(index)
            {
                return Some(index);
            }
            if refused.insert(node.endpoint) == self.endpoint_ids.len() {
                break;
            }
        }
        None
    }

    /// Where ring endpoint `endpoint` is among `candidates`: where it was
    /// in the last update if the ids agree there (always, but for a call
    /// racing an update), else found by id.
    fn index_among(&self, candidates: &dyn Candidates, endpoint: usize) -> Option<usize> {
        let id = &*self.endpoint_ids[endpoint];
        let guess = self.update_index[endpoint];
        if guess < candidates.len() && candidates.id(guess) == id {
            return Some(guess);
        }
        (0..candidates.len()).find(|&index| candidates.id(index) == id)
    }
}

/// The ring endpoints found unavailable during one lookup: a bit set on the
/// stack for up to 128 endpoints.
enum Refused {
    Few { bits: u128, count: usize },
    Many { seen: Vec<bool>, count: usize },
}

impl Refused {
    fn new(endpoints: usize) -> Refused {
        if endpoints <= 128 {
            Refused::Few { bits: 0, count: 0 }
        } else {
            Refused::Many {
                seen: vec![false; endpoints],
                count: 0,
            }
        }
    }

    fn contains(&self, endpoint: usize) -> bool {
        match self {
            Refused::Few { bits, .. } => bits & (1_u128 << endpoint) != 0,
            Refused::Many { seen, .. } => seen[endpoint],
        }
    }

    /// Adds `endpoint` (not yet in the set); how many are in it now.
    fn insert(&mut self, endpoint: usize) -> usize {
        match self {
            Refused::Few { bits, count } => {
                *bits |= 1_u128 << endpoint;
                *count += 1;
                *count
            }
            Refused::Many { seen, count } => {
                seen[endpoint] = true;
                *count += 1;
                *count
            }
        }
    }
}

impl Selector for ConsistentHash {
    fn reads_in_flight(&self) -> bool {
        false
    }

    fn update(&self, endpoints: &[Candidate]) {
        // Built before taking the lock so calls are not held up meanwhile.
        let ring = Ring::build(endpoints);
        *self.ring.write().unwrap_or_else(PoisonError::into_inner) = ring;
    }

    fn select(&self, candidates: &dyn Candidates, call: &CallInfo<'_>) -> Option<usize> {
        if candidates.is_empty() {
            return None;
        }
        let hash_key = call.hash_key();
        let position = stable_hash(&hash_key.to_le_bytes());
        let ring = self.ring.read().unwrap_or_else(PoisonError::into_inner);
        ring.owner_among(candidates, position).or_else(|| {
            // No ring yet, or no available candidate on it: still a stable
            // choice for the key.
            candidates.next_available((hash_key % candidates.len() as u64) as usize)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::uniform as endpoints;
    use super::*;

    fn ring_of(endpoints: &[Candidate]) -> ConsistentHash {
        let selector = ConsistentHash::default();
        selector.update(endpoints);
        selector
    }

    /// The id each key goes to, over `candidates`.
    fn owners(selector: &ConsistentHash, candidates: &[Candidate], keys: u64) -> Vec<Arc<str>> {
        let pool = candidates.to_vec();
        (0..keys)
            .map(|hash_key| {
                let call = CallInfo::with_hash_key("Get", hash_key);
                Arc::clone(&candidates[selector.select(&pool, &call).unwrap()].id)
            })
            .collect()
    }

    #[test]
    fn independent_rings_agree() {
        let endpoints = endpoints(10);
        let mut reversed = endpoints.clone();
        reversed.reverse();
        let first = owners(&ring_of(&endpoints), &endpoints, 10_000);
        let second = owners(&ring_of(&reversed), &endpoints, 10_000);
        assert_eq!(first, second);
    }

    #[test]
    fn removing_an_endpoint_moves_only_its_keys() {
        let all = endpoints(10);
        let selector = ring_of(&all);
        let before = owners(&selector, &all, 100_000);
        let removed = Arc::clone(&all[3].id);
        let remaining: Vec<Candidate> = all.iter().filter(|e| e.id != removed).cloned().collect();
        selector.update(&remaining);
        let after = owners(&selector, &remaining, 100_000);

        let mut moved = 0;
        for (old, new) in before.iter().zip(&after) {
            if *old == removed {
                moved += 1;
            } else {
                assert_eq!(old, new, "a key not on the removed endpoint moved");
            }
        }
        assert!(
            (5_000..=15_000).contains(&moved),
            "{moved} of 100000 keys moved"
        );
    }

    #[test]
    fn keys_spread_evenly() {
        let endpoints = endpoints(10);
        let selector = ring_of(&endpoints);
        let mut counts: HashMap<Arc<str>, u32> = HashMap::new();
        for owner in owners(&selector, &endpoints, 100_000) {
            *counts.entry(owner).or_default() += 1;
        }
        assert_eq!(counts.len(), 10);
        assert!(
            counts
                .values()
                .all(|&count| (5_000..=15_000).contains(&count)),
            "{counts:?}"
        );
    }

    #[test]
    fn an_excluded_owner_passes_its_keys_clockwise() {
        let all = endpoints(10);
        let full_ring = ring_of(&all);
        let excluded = Arc::clone(&all[3].id);
        let subset: Vec<Candidate> = all.iter().filter(|e| e.id != excluded).cloned().collect();
        // The next endpoint clockwise is exactly where the key would go on a
        // ring built without the excluded endpoint.
        let ring_without = ring_of(&subset);

        let before = owners(&full_ring, &all, 10_000);
        let skipping = owners(&full_ring, &subset, 10_000);
        assert_eq!(skipping, owners(&ring_without, &subset, 10_000));
        assert_eq!(skipping, owners(&full_ring, &subset, 10_000));
        for (old, new) in before.iter().zip(&skipping) {
            if *old != excluded {
                assert_eq!(old, new, "a key not on the excluded endpoint moved");
            }
        }
        assert!(
            before.contains(&excluded),
            "the test needs keys on the excluded endpoint"
        );
    }

    #[test]
    fn the_skip_follows_ring_order() {
        let all = endpoints(3);
        let selector = ring_of(&all);
        let ring = selector.ring.read().unwrap();
        let first_node = ring.nodes[0];
        let next_other = ring
            .nodes
            .iter()
            .find(|n| n.endpoint != first_node.endpoint)
            .unwrap();
        let subset: Vec<Candidate> = all
            .iter()
            .filter(|e| *e.id != *ring.endpoint_ids[first_node.endpoint])
            .cloned()
            .collect();
        let chosen = ring.owner_among(&subset, first_node.position).unwrap();
        assert_eq!(subset[chosen].id, ring.endpoint_ids[next_other.endpoint]);
    }

    #[test]
    fn without_a_ring_keys_fall_back_to_modulo() {
        let selector = ConsistentHash::default();
        let candidates = endpoints(4);
        for hash_key in 0..100 {
            let call = CallInfo::with_hash_key("Get", hash_key);
            assert_eq!(
                selector.select(&candidates, &call),
                Some((hash_key % 4) as usize)
            );
        }
        selector.update(&endpoints(2));
        let strangers = candidates[2..].to_vec();
        let call = CallInfo::with_hash_key("Get", 5);
        assert_eq!(selector.select(&strangers, &call), Some(1));
    }
}
