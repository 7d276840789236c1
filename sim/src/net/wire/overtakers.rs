//! The messages that overtook the wire's in-order queue: a radix heap.
//!
//! With random latencies most messages overtake (they arrive before the latest
//! one queued), and a flood keeps a large part of its messages in flight. A binary
//! heap of that size misses the cache on every level of every pop. No message
//! is due before the clock, and the clock never goes back, so a radix heap
//! serves instead: each item is filed in the bucket of the highest bit in which
//! its arrival differs from a base (at or before the clock, at or before every
//! item filed), and when the lowest bucket is needed it is swept once and
//! refiled below the new base, its minimum. An item falls a few buckets in
//! sequential sweeps instead of sifting through a heap.
//!
//! The base moves only to an arrival that is due (at or before `now`), since a
//! message sent now may arrive at any time from now on and must file at or after
//! the base. Ties keep their push order: items of equal arrival always share a
//! bucket, pushes append, and a sweep refiles in order into buckets that are
//! empty (every bucket below the swept one is).

use std::collections::VecDeque;

/// One bucket per bit of a 64-bit arrival, and the base's own bucket.
const BUCKETS: usize = 65;

/// A swept bucket keeps its storage if it had room for at most this many items.
const KEEP_AT_MOST: usize = 1024;

/// Items by (arrival, push order), none filed before the base.
pub(super) struct Overtakers<T> {
    /// The items due exactly at `base`, in push order.
    at_base: VecDeque<(u64, u64, T)>,
    /// `buckets[b]`: items whose arrival differs from `base` first at bit `b - 1`.
    buckets: Vec<Vec<(u64, u64, T)>>,
    /// Bit `b - 1` set when `buckets[b]` holds an item.
    occupied: u64,
    /// At or before every item filed, at or before the clock.
    base: u64,
    /// The lowest non-empty bucket, its earliest item's position and arrival, once
    /// looked for (a peek that found nothing due keeps it for the next).
    earliest: Option<(usize, usize, u64)>,
    len: usize,
}

impl<T> Default for Overtakers<T> {
    fn default() -> Self {
        Overtakers {
            at_base: VecDeque::new(),
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            occupied: 0,
            base: 0,
            earliest: None,
            len: 0,
        }
    }
}

impl<T> Overtakers<T> {
    /// Files `item`, arriving at `at` (never before the clock), as push `seq`.
    pub fn push(&mut self, at: u64, seq: u64, item: T) {
        debug_assert!(at >= self.base, "an arrival before the base");
        self.len += 1;
        let b = bucket(self.base, at);
        if b == 0 {
            self.at_base.push_back((at, seq, item));
            return;
        }
        self.occupied |= 1 << (b - 1);
        let bucket = &mut self.buckets[b];
        bucket.push((at, seq, item));
        match &mut self.earliest {
            Some((eb, _, _)) if b < *eb => self.earliest = None,
            Some((eb, pos, min)) if b == *eb && at < *min => {
                *pos = bucket.len() - 1;
                *min = at;
            }
            _ => {}
        }
    }

    /// The earliest item's (arrival, push order) and the item, if any.
    pub fn peek(&mut self) -> Option<(u64, u64, &T)> {
        if !self.at_base.is_empty() {
            return self
                .at_base
                .front()
                .map(|(at, seq, item)| (*at, *seq, item));
        }
        let (b, pos, _) = self.find_earliest()?;
        let (at, seq, item) = &self.buckets[b][pos];
        Some((*at, *seq, item))
    }

    /// Takes the earliest item, which must be due at or before `now`.
    pub fn pop_due(&mut self, now: u64) -> Option<T> {
        if self.at_base.is_empty() {
            let (b, _, min) = self.find_earliest()?;
            if min > now {
                return None;
            }
            self.sweep(b, min);
        }
        // Everything at the base is due: the base never passes the clock.
        let (_, _, item) = self.at_base.pop_front()?;
        self.len -= 1;
        Some(item)
    }

    /// Items filed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The lowest non-empty bucket, the position and arrival of its earliest
    /// item (the first of equal ones).
    fn find_earliest(&mut self) -> Option<(usize, usize, u64)> {
        if self.earliest.is_none() {
            if self.occupied == 0 {
                return None;
            }
            let b = self.occupied.trailing_zeros() as usize + 1;
            let (pos, min) =
                self.buckets[b]
                    .iter()
                    .enumerate()
                    .fold(
                        (0, u64::MAX),
                        |best, (i, &(at, _, _))| {
                            if at < best.1 {
                                (i, at)
                            } else {
                                best
                            }
                        },
                    );
            self.earliest = Some((b, pos, min));
        }
        self.earliest
    }

    /// Moves the base to `min`, the earliest arrival (due), and refiles bucket
    /// `b`, which holds it, below the new base, in order.
    fn sweep(&mut self, b: usize, min: u64) {
        self.base = min;
        self.earliest = None;
        self.occupied &= !(1 << (b - 1));
        let mut items = std::mem::take(&mut self.buckets[b]);
        for (at, seq, item) in items.drain(..) {
            let to = bucket(min, at);
            debug_assert!(to < b, "a sweep refiles lower");
            if to == 0 {
                self.at_base.push_back((at, seq, item));
            } else {
                self.occupied |= 1 << (to - 1);
                self.buckets[to].push((at, seq, item));
            }
        }
        // A small bucket keeps its storage for what files there next (the
        // lowest buckets are swept most often); a large one gives it back, or
        // every bucket would hold the most it ever held, a flood's peak.
        if items.capacity() <= KEEP_AT_MOST {
            self.buckets[b] = items;
        }
    }
}

/// The bucket of `at` for `base`: 0 when equal, else one more than the highest
/// bit in which they differ.
fn bucket(base: u64, at: u64) -> usize {
    if at == base {
        0
    } else {
        64 - (at ^ base).leading_zeros() as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn equal_arrivals_keep_their_push_order() {
        let mut o = Overtakers::default();
        o.push(50, 1, 'a');
        o.push(20, 2, 'b');
        o.push(50, 3, 'c');
        o.push(20, 4, 'd');
        assert_eq!(o.peek().map(|(at, seq, _)| (at, seq)), Some((20, 2)));
        assert_eq!(o.pop_due(19), None, "nothing before it is due");
        let out: Vec<char> = std::iter::from_fn(|| o.pop_due(50)).collect();
        assert_eq!(out, ['b', 'd', 'a', 'c']);
        assert_eq!(o.len(), 0);
    }

    proptest! {
        /// For all interleavings of pushes (never before the clock) and clock
        /// steps, items come out in (arrival, push order), none before it is
        /// due, none lost, and `peek` names the next one.
        #[test]
        fn items_come_out_in_arrival_then_push_order(
            ops in proptest::collection::vec((0u64..3, 0u64..1_000), 1..400),
        ) {
            let mut o = Overtakers::default();
            let mut model: Vec<(u64, u64)> = Vec::new();
            let mut now = 0;
            let mut seq = 0;
            for (op, x) in ops {
                if op == 0 {
                    now += x % 97;
                    loop {
                        model.sort();
                        let peeked = o.peek().map(|(at, s, &v)| (at, s, v));
                        prop_assert_eq!(peeked.map(|(at, s, _)| (at, s)), model.first().copied());
                        match o.pop_due(now) {
                            Some(v) => {
                                let first = model.remove(0);
                                prop_assert!(first.0 <= now);
                                prop_assert_eq!(v, first.1);
                            }
                            None => {
                                prop_assert!(model.first().is_none_or(|m| m.0 > now));
                                break;
                            }
                        }
                    }
                } else {
                    seq += 1;
                    let at = now + x * op;
                    o.push(at, seq, seq);
                    model.push((at, seq));
                }
                prop_assert_eq!(o.len(), model.len());
            }
        }
    }
}
