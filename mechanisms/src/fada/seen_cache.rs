//! The seen search ids of one node, each forgotten a fixed virtual time after it was
//! first seen ("a structure that deletes them after a certain amount of time").

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::time::Duration;

use p2psim_runtime::SimTime;

use super::messages::SearchId;

/// A multiplicative hash for search ids (they are already well spread integers).
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (v ^ (v >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Seen search ids with expiry; memory is bounded by the ids seen within one expiry period.
pub struct SeenCache {
    expiry: Duration,
    order: VecDeque<(SimTime, SearchId)>,
    ids: HashSet<SearchId, BuildHasherDefault<IdHasher>>,
}

impl SeenCache {
    /// A cache forgetting each id `expiry` after it was first seen.
    pub fn new(expiry: Duration) -> Self {
        SeenCache {
            expiry,
            order: VecDeque::new(),
            ids: HashSet::default(),
        }
    }

    /// Records `id` as seen at `now`; returns false if it was seen (and not yet forgotten).
    pub fn first_sight(&mut self, id: SearchId, now: SimTime) -> bool {
        self.forget_expired(now);
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back((now.saturating_add(self.expiry), id));
        true
    }

    /// Forgets the ids whose time is up at `now`; returns how many.
    pub fn forget_expired(&mut self, now: SimTime) -> usize {
        let mut n = 0;
        // Ids expire in the order they were seen: the oldest is at the front.
        while let Some(&(t, id)) = self.order.front() {
            if t > now {
                break;
            }
            self.order.pop_front();
            self.ids.remove(&id);
            n += 1;
        }
        if self.order.is_empty() && self.order.capacity() > 64 {
            self.order = VecDeque::new();
            self.ids = HashSet::default();
        }
        n
    }

    /// Ids remembered now.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> SimTime {
        SimTime::from_nanos(ms * 1_000_000)
    }

    #[test]
    fn an_id_is_declined_until_it_expires() {
        let mut c = SeenCache::new(Duration::from_millis(100));
        assert!(c.first_sight(7, t(0)));
        assert!(!c.first_sight(7, t(99)));
        assert!(c.first_sight(7, t(100)));
    }

    #[test]
    fn memory_stays_bounded_in_a_long_run() {
        let mut c = SeenCache::new(Duration::from_millis(50));
        let mut peak = 0;
        // 100,000 searches, one per millisecond: at most 50 are remembered at once.
        for i in 0..100_000u64 {
            assert!(c.first_sight(i, t(i)));
            peak = peak.max(c.len());
        }
        assert_eq!(peak, 50);
        assert_eq!(c.ids.len(), c.len());
    }
}
