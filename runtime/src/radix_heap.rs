//! A monotone priority queue of timers (a radix heap).
//!
//! Virtual time never goes backwards, so no timer is ever pushed before the
//! last one taken out. A radix heap uses that: it files each timer in the
//! bucket of the highest bit in which its (time, sequence) differs from that
//! last minimum, and when the lowest bucket is needed it sweeps it once,
//! refiling every timer strictly lower. A timer moves down a few times in
//! sequential sweeps instead of sifting through a binary heap, where with a
//! million random timers every level is a cache miss.
//!
//! Peeking settles the minimum before the clock reaches it, and the scheduler
//! discards a stale timer without moving the clock, so a timer can arrive
//! below the settled minimum after all. Such early timers wait in a small
//! binary heap that is always due before every filed one.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::timers::Timer;

/// One bucket per bit of the 128-bit order, plus the settled minimum's own.
const BUCKETS: usize = 129;

/// Timers by (time, sequence); pushes below the last minimum are allowed but slow.
pub(crate) struct RadixHeap {
    /// The minimum, settled out of the buckets (its order is `base`).
    head: Option<Timer>,
    /// `buckets[i]` (i >= 1) holds the timers whose order differs from `base`
    /// first at bit `i - 1`; bucket 0 is unused (`head` is that bucket).
    buckets: Vec<Vec<Timer>>,
    /// Bit `i - 1` is set when `buckets[i]` is not empty.
    nonempty: u128,
    /// The order every filed timer is at or above.
    base: u128,
    /// Timers below `base`: all due before `head` and every bucket.
    early: BinaryHeap<Reverse<Timer>>,
}

impl Default for RadixHeap {
    fn default() -> Self {
        RadixHeap {
            head: None,
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            nonempty: 0,
            base: 0,
            early: BinaryHeap::new(),
        }
    }
}

impl RadixHeap {
    /// Adds a timer.
    #[inline]
    pub fn push(&mut self, t: Timer) {
        let order = t.order();
        // Not `<`: a filed timer's bucket is the highest bit where it differs from the base.
        if order <= self.base {
            self.early.push(Reverse(t));
            return;
        }
        self.file(t, order);
    }

    /// Puts `t` (above `base`) in its bucket.
    #[inline(always)]
    fn file(&mut self, t: Timer, order: u128) {
        let i = (u128::BITS - (order ^ self.base).leading_zeros()) as usize;
        debug_assert!(i > 0, "only the settled minimum has the base's order");
        self.buckets[i].push(t);
        self.nonempty |= 1 << (i - 1);
    }

    /// The earliest timer.
    #[inline]
    pub fn peek(&mut self) -> Option<&Timer> {
        if !self.early.is_empty() {
            return self.early.peek().map(|Reverse(t)| t);
        }
        if self.head.is_none() {
            self.settle();
        }
        self.head.as_ref()
    }

    /// Removes and returns the earliest timer.
    #[inline]
    pub fn pop(&mut self) -> Option<Timer> {
        if let Some(Reverse(t)) = self.early.pop() {
            return Some(t);
        }
        if self.head.is_none() {
            self.settle();
        }
        self.head.take()
    }

    /// Whether no timer is queued.
    pub fn is_empty(&self) -> bool {
        self.head.is_none() && self.nonempty == 0 && self.early.is_empty()
    }

    /// Moves the minimum of the lowest non-empty bucket to `head`, makes it the
    /// base, and refiles the rest of that bucket (each lands strictly lower).
    #[inline(never)]
    fn settle(&mut self) {
        if self.nonempty == 0 {
            return;
        }
        let i = self.nonempty.trailing_zeros() as usize + 1;
        self.nonempty &= !(1 << (i - 1));
        let mut bucket = std::mem::take(&mut self.buckets[i]);
        let (mut at, mut min) = (0, bucket[0].order());
        for (j, t) in bucket.iter().enumerate().skip(1) {
            let o = t.order();
            if o < min {
                (at, min) = (j, o);
            }
        }
        self.base = min;
        self.head = Some(bucket.swap_remove(at));
        for t in bucket.drain(..) {
            let order = t.order();
            self.file(t, order);
        }
        // Emptied, not freed: the bucket keeps its capacity for the next round.
        self.buckets[i] = bucket;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn timer(time: u64, seq: u64) -> Timer {
        Timer {
            time,
            seq,
            key: 0,
            wait: 0,
        }
    }

    #[test]
    fn a_timer_below_the_settled_minimum_comes_out_first() {
        let mut h = RadixHeap::default();
        h.push(timer(100, 1));
        h.push(timer(300, 2));
        // Settles 100 as the base before the clock got there.
        assert_eq!(h.peek().map(|t| t.time), Some(100));
        h.push(timer(50, 3));
        h.push(timer(70, 4));
        let order: Vec<u64> = std::iter::from_fn(|| h.pop()).map(|t| t.time).collect();
        assert_eq!(order, vec![50, 70, 100, 300]);
        assert!(h.is_empty());
    }

    proptest! {
        /// For all interleavings of pushes (never before the last timer taken
        /// out, as the scheduler's clock guarantees, except where a step pushes
        /// below a peeked minimum), peeks and pops, the timers come out exactly
        /// as a sorted list of the same timers would give them.
        #[test]
        fn pops_in_time_then_sequence_order(
            steps in prop::collection::vec((0u8..4, 0u64..2_000, any::<bool>()), 1..400),
        ) {
            let mut h = RadixHeap::default();
            let mut reference: Vec<(u64, u64)> = Vec::new();
            let (mut now, mut seq) = (0u64, 0u64);
            for (op, delay, wide) in steps {
                match op {
                    0 | 1 => {
                        seq += 1;
                        let d = if wide { delay << 20 } else { delay };
                        h.push(timer(now + d, seq));
                        reference.push((now + d, seq));
                    }
                    2 => {
                        reference.sort_unstable();
                        prop_assert_eq!(h.peek().map(|t| (t.time, t.seq)), reference.first().copied());
                    }
                    _ => {
                        reference.sort_unstable();
                        let want = (!reference.is_empty()).then(|| reference.remove(0));
                        let got = h.pop().map(|t| (t.time, t.seq));
                        prop_assert_eq!(got, want);
                        // The scheduler discards a stale timer without moving the clock.
                        if let (Some((t, _)), false) = (got, wide) {
                            now = t;
                        }
                    }
                }
                prop_assert_eq!(h.is_empty(), reference.is_empty());
            }
            reference.sort_unstable();
            let rest: Vec<(u64, u64)> = std::iter::from_fn(|| h.pop()).map(|t| (t.time, t.seq)).collect();
            prop_assert_eq!(rest, reference);
        }
    }
}
