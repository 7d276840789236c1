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
    order: SmallFifo,
    /// An index of `order`, kept only while it holds more than `SCAN_LIMIT` ids.
    ids: HashSet<SearchId, BuildHasherDefault<IdHasher>>,
}

impl SeenCache {
    /// A cache forgetting each id `expiry` after it was first seen.
    pub fn new(expiry: Duration) -> Self {
        SeenCache {
            expiry,
            next_expiry: SimTime::MAX,
            order: SmallFifo::default(),
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
        if self.order.is_empty() {
            self.order.release_spill();
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

/// Entries of the cache kept inline before a node's FIFO spills to the heap: a
/// flood visits a node once per search, so most nodes hold one or two live ids,
/// and an inline ring saves a pointer chase per delivery on a random node.
const INLINE: usize = 4;

/// A FIFO of (expiry, id): an inline ring of `INLINE` entries, and a heap
/// queue that takes over (keeping the order) while more are live.
#[derive(Default)]
struct SmallFifo {
    ring: [(SimTime, SearchId); INLINE],
    head: usize,
    len: usize,
    spill: VecDeque<(SimTime, SearchId)>,
}

impl SmallFifo {
    fn len(&self) -> usize {
        self.len + self.spill.len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn push_back(&mut self, e: (SimTime, SearchId)) {
        if self.spill.is_empty() && self.len < INLINE {
            self.ring[(self.head + self.len) % INLINE] = e;
            self.len += 1;
            return;
        }
        // Move the ring into the spill queue first so the order stays oldest first.
        while self.len > 0 {
            let front = self.ring[self.head];
            self.spill.push_back(front);
            self.head = (self.head + 1) % INLINE;
            self.len -= 1;
        }
        self.spill.push_back(e);
    }

    fn front(&self) -> Option<&(SimTime, SearchId)> {
        if self.len > 0 {
            Some(&self.ring[self.head])
        } else {
            self.spill.front()
        }
    }

    fn pop_front(&mut self) -> Option<(SimTime, SearchId)> {
        if self.len > 0 {
            let e = self.ring[self.head];
            self.head = (self.head + 1) % INLINE;
            self.len -= 1;
            Some(e)
        } else {
            self.spill.pop_front()
        }
    }

    fn iter(&self) -> impl Iterator<Item = &(SimTime, SearchId)> {
        (0..self.len)
            .map(move |i| &self.ring[(self.head + i) % INLINE])
            .chain(self.spill.iter())
    }

    /// Frees a large spill buffer once the cache is empty (memory stays bounded).
    fn release_spill(&mut self) {
        if self.spill.capacity() > 64 {
            self.spill = VecDeque::new();
        }
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

    #[test]
    fn the_small_fifo_keeps_order_across_spills() {
        let mut f = SmallFifo::default();
        let mut model = VecDeque::new();
        let mut x = 7u64;
        for i in 0..2000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            if (x >> 60) < 9 {
                let e = (t(i), i);
                f.push_back(e);
                model.push_back(e);
            } else {
                assert_eq!(f.pop_front(), model.pop_front());
            }
            assert_eq!(f.len(), model.len());
            assert_eq!(f.front(), model.front());
            assert!(f.iter().eq(model.iter()));
        }
    }
}
