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

/// Up to this many ids are looked up by scanning; beyond, a hash set indexes them.
const SCAN_LIMIT: usize = 8;

/// Seen search ids with expiry; memory is bounded by the ids seen within one expiry period.
pub struct SeenCache {
    expiry: Duration,
    /// When the oldest id expires (`SimTime::MAX` when empty), kept inline so that a
    /// visit with nothing to forget does not touch the heap.
    next_expiry: SimTime,
    order: VecDeque<(SimTime, SearchId)>,
    /// An index of `order`, kept only while it holds more than `SCAN_LIMIT` ids.
    ids: HashSet<SearchId, BuildHasherDefault<IdHasher>>,
}

impl SeenCache {
    /// A cache forgetting each id `expiry` after it was first seen.
    pub fn new(expiry: Duration) -> Self {
        SeenCache {
            expiry,
            next_expiry: SimTime::MAX,
            order: VecDeque::new(),
            ids: HashSet::default(),
        }
    }

    /// Records `id` as seen at `now`; returns false if it was seen (and not yet forgotten).
    pub fn first_sight(&mut self, id: SearchId, now: SimTime) -> bool {
        self.forget_expired(now);
        if self.contains(id) {
            return false;
        }
        let expires = now.saturating_add(self.expiry);
        self.order.push_back((expires, id));
        self.next_expiry = self.next_expiry.min(expires);
        match self.order.len() {
            n if n == SCAN_LIMIT + 1 => self.ids.extend(self.order.iter().map(|e| e.1)),
            n if n > SCAN_LIMIT + 1 => {
                self.ids.insert(id);
            }
            _ => {}
        }
        true
    }

    fn contains(&self, id: SearchId) -> bool {
        if self.order.len() <= SCAN_LIMIT {
            self.order.iter().any(|e| e.1 == id)
        } else {
            self.ids.contains(&id)
        }
    }

    /// Forgets the ids whose time is up at `now`; returns how many.
    pub fn forget_expired(&mut self, now: SimTime) -> usize {
        if self.next_expiry > now {
            return 0;
        }
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
        self.next_expiry = self.order.front().map_or(SimTime::MAX, |e| e.0);
        if self.order.len() <= SCAN_LIMIT && !self.ids.is_empty() {
            self.ids = HashSet::default();
        }
        if self.order.is_empty() && self.order.capacity() > 64 {
            self.order = VecDeque::new();
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
        // Back under the scan limit the index is dropped.
        c.forget_expired(t(100_000 + 45));
        assert_eq!((c.len(), c.ids.len()), (4, 0));
        assert!(!c.first_sight(99_999, t(100_000 + 45)));
    }
}
