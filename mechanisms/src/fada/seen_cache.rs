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

/// Entries kept inline before a node's cache spills to the heap: a flood visits a
/// node once per search, so most nodes hold one or two live ids, and inline entries
/// keep a visit to one cache line of the node's state (the cost of a flood is the
/// memory latency of one random node per delivery).
const INLINE: usize = 2;

/// One remembered id and when it is forgotten.
type Entry = (SimTime, SearchId);

/// Seen search ids with expiry; memory is bounded by the ids seen within one expiry
/// period. 48 bytes: the expiry period is the caller's (one per mechanism, not per node).
pub struct SeenCache {
    /// The ids, oldest first from `head`, while there are at most `INLINE`.
    ring: [Entry; INLINE],
    head: u8,
    len: u8,
    /// All the ids instead, oldest first, while there are more (then `len` is 0);
    /// `None` whenever it would be empty, so a visit touches only the ring's line.
    spill: Option<Box<Spill>>,
}

#[derive(Default)]
struct Spill {
    order: VecDeque<Entry>,
    /// An index of `order`, kept only while it holds more than `SCAN_LIMIT` ids.
    ids: HashSet<SearchId, BuildHasherDefault<IdHasher>>,
}

impl Default for SeenCache {
    fn default() -> Self {
        Self::new()
    }
}

impl SeenCache {
    /// An empty cache.
    pub fn new() -> Self {
        SeenCache {
            ring: [(SimTime::ZERO, 0); INLINE],
            head: 0,
            len: 0,
            spill: None,
        }
    }

    /// Records `id` as seen at `now`, to be forgotten `expiry` later; returns false
    /// if it was seen (and not yet forgotten).
    pub fn first_sight(&mut self, id: SearchId, now: SimTime, expiry: Duration) -> bool {
        self.forget_expired(now);
        if self.contains(id) {
            return false;
        }
        self.push_back((now.saturating_add(expiry), id));
        true
    }

    fn contains(&self, id: SearchId) -> bool {
        match &self.spill {
            Some(s) if s.order.len() > SCAN_LIMIT => s.ids.contains(&id),
            Some(s) => s.order.iter().any(|e| e.1 == id),
            None => self.ring_iter().any(|e| e.1 == id),
        }
    }

    fn ring_iter(&self) -> impl Iterator<Item = &Entry> {
        (0..self.len as usize).map(move |i| &self.ring[(self.head as usize + i) % INLINE])
    }

    fn push_back(&mut self, e: Entry) {
        if self.spill.is_none() && (self.len as usize) < INLINE {
            self.ring[(self.head as usize + self.len as usize) % INLINE] = e;
            self.len += 1;
            return;
        }
        // Move the ring into the spill queue first so the order stays oldest first.
        let (ring, head, n) = (self.ring, self.head as usize, self.len as usize);
        self.len = 0;
        self.head = 0;
        let s = &mut **self.spill.get_or_insert_with(Box::default);
        s.order.extend((0..n).map(|i| ring[(head + i) % INLINE]));
        s.order.push_back(e);
        match s.order.len() {
            len if len == SCAN_LIMIT + 1 => s.ids.extend(s.order.iter().map(|e| e.1)),
            len if len > SCAN_LIMIT + 1 => {
                s.ids.insert(e.1);
            }
            _ => {}
        }
    }

    #[cfg(test)]
    fn front(&self) -> Option<&Entry> {
        if self.len > 0 {
            Some(&self.ring[self.head as usize])
        } else {
            self.spill.as_ref().and_then(|s| s.order.front())
        }
    }

    /// Forgets the ids whose time is up at `now`; returns how many.
    pub fn forget_expired(&mut self, now: SimTime) -> usize {
        let mut n = 0;
        // Ids expire in the order they were seen: the oldest is at the front.
        while self.len > 0 && self.ring[self.head as usize].0 <= now {
            self.head = ((self.head as usize + 1) % INLINE) as u8;
            self.len -= 1;
            n += 1;
        }
        let Some(s) = self.spill.as_mut() else {
            return n;
        };
        while let Some(&(t, id)) = s.order.front() {
            if t > now {
                break;
            }
            s.order.pop_front();
            if !s.ids.is_empty() {
                s.ids.remove(&id);
            }
            n += 1;
        }
        if s.order.is_empty() {
            self.spill = None;
        } else if s.order.len() <= SCAN_LIMIT && !s.ids.is_empty() {
            s.ids = HashSet::default();
        }
        n
    }

    /// Ids remembered now.
    pub fn len(&self) -> usize {
        self.len as usize + self.spill.as_ref().map_or(0, |s| s.order.len())
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ids in the hash index (only caches holding more than `SCAN_LIMIT` have one).
    #[cfg(test)]
    fn indexed(&self) -> usize {
        self.spill.as_ref().map_or(0, |s| s.ids.len())
    }

    /// The remembered ids, oldest first.
    #[cfg(test)]
    fn entries(&self) -> Vec<Entry> {
        let spill = self.spill.iter().flat_map(|s| s.order.iter());
        self.ring_iter().chain(spill).copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> SimTime {
        SimTime::from_nanos(ms * 1_000_000)
    }

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_cache_is_one_half_of_a_cache_line() {
        assert_eq!(std::mem::size_of::<SeenCache>(), 48);
    }

    #[test]
    fn an_id_is_declined_until_it_expires() {
        let mut c = SeenCache::new();
        assert!(c.first_sight(7, t(0), 100 * MS));
        assert!(!c.first_sight(7, t(99), 100 * MS));
        assert!(c.first_sight(7, t(100), 100 * MS));
    }

    #[test]
    fn memory_stays_bounded_in_a_long_run() {
        let mut c = SeenCache::new();
        let mut peak = 0;
        // 100,000 searches, one per millisecond: at most 50 are remembered at once.
        for i in 0..100_000u64 {
            assert!(c.first_sight(i, t(i), 50 * MS));
            peak = peak.max(c.len());
        }
        assert_eq!(peak, 50);
        assert_eq!(c.indexed(), c.len());
        // Back under the scan limit the index is dropped.
        c.forget_expired(t(100_000 + 45));
        assert_eq!((c.len(), c.indexed()), (4, 0));
        assert!(!c.first_sight(99_999, t(100_000 + 45), 50 * MS));
        c.forget_expired(t(200_000));
        assert!(c.is_empty());
    }

    #[test]
    fn entries_keep_their_order_across_spills() {
        let mut c = SeenCache::new();
        let mut model: VecDeque<Entry> = VecDeque::new();
        let mut x = 7u64;
        let mut clock = 0u64;
        for i in 0..5000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            // Bursts of new ids, then pauses that let some expire.
            clock += if (x >> 60) < 11 { 0 } else { (x >> 40) % 7 };
            let expiry = 5 * MS;
            let now = t(clock);
            while model.front().is_some_and(|e| e.0 <= now) {
                model.pop_front();
            }
            let first = c.first_sight(i, now, expiry);
            assert!(first);
            model.push_back((now.saturating_add(expiry), i));
            assert_eq!(c.len(), model.len());
            assert_eq!(c.entries(), model.iter().copied().collect::<Vec<_>>());
            assert_eq!(c.front(), model.front());
            if let Some(&(_, old)) = model.front() {
                assert!(!c.first_sight(old, now, expiry));
            }
        }
    }
}
