//! A monotone priority queue of timers (a radix heap).
//!
//! Virtual time never goes backwards, so no timer is ever pushed before the
//! last one taken out. A radix heap uses that: it files each timer in the
//! bucket of the highest bit in which its time differs from that last minimum
//! (the base), and when the lowest bucket is needed it sweeps it once, moving
//! the timers at its minimum time out and refiling every other one strictly
//! lower. A timer moves down a few times in sequential sweeps instead of sifting
//! through a binary heap, where with a million random timers every level is a
//! cache miss.
//!
//! Ties keep their insertion order without comparing sequence numbers: timers
//! of equal time always sit in the same bucket, every bucket is in insertion
//! order (a push appends the newest timer; a sweep only runs when every lower
//! bucket is empty and refiles in order into them), and the timers at the base
//! time are taken out front to back. Keys are the 64-bit time alone, so a
//! whole group of same-time timers (a fixed delay, a broadcast) settles at once.
//!
//! Peeking settles the minimum before the clock reaches it, and the scheduler
//! discards a stale timer without moving the clock, so a timer can arrive
//! below the base after all. Such early timers wait in a small binary heap that
//! is always due before every filed one.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::timers::Timer;

/// A timer pushed below the base, ordered by (time, push order): the timer
/// itself carries no sequence number.
struct Early {
    time: u64,
    seq: u64,
    timer: Timer,
}

impl PartialEq for Early {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}

impl Eq for Early {}

impl PartialOrd for Early {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Early {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.time, self.seq).cmp(&(other.time, other.seq))
    }
}

/// One bucket per bit of the 64-bit time.
const BUCKETS: usize = 64;

/// Timers by (time, insertion); pushes below the base are allowed but slow.
pub(crate) struct RadixHeap {
    /// The timers at exactly `base`, in insertion order; `due[front..]` are
    /// still queued.
    due: Vec<Timer>,
    front: usize,
    /// `buckets[i]` holds the timers whose time differs from `base` first at bit `i`.
    buckets: [Vec<Timer>; BUCKETS],
    /// Bit `i` is set when `buckets[i]` is not empty.
    nonempty: u64,
    /// The time every filed timer is at or above.
    base: u64,
    /// Timers below `base`: all due before every filed one.
    early: BinaryHeap<Reverse<Early>>,
    /// Pushes into `early` so far (its tie order).
    early_pushes: u64,
}

impl Default for RadixHeap {
    fn default() -> Self {
        RadixHeap {
            due: Vec::new(),
            front: 0,
            buckets: std::array::from_fn(|_| Vec::new()),
            nonempty: 0,
            base: 0,
            early: BinaryHeap::new(),
            early_pushes: 0,
        }
    }
}

impl RadixHeap {
    /// Adds a timer; timers pushed with equal times come out in push order.
    #[inline]
    pub fn push(&mut self, t: Timer) {
        if t.time > self.base {
            self.file(t, self.base);
        } else if t.time == self.base {
            self.due.push(t);
        } else {
            self.early_pushes += 1;
            self.early.push(Reverse(Early {
                time: t.time,
                seq: self.early_pushes,
                timer: t,
            }));
        }
    }

    /// Puts `t` (later than `base`) in its bucket.
    #[inline(always)]
    fn file(&mut self, t: Timer, base: u64) {
        let i = (u64::BITS - 1 - (t.time ^ base).leading_zeros()) as usize;
        self.buckets[i].push(t);
        self.nonempty |= 1 << i;
    }

    /// The earliest timer.
    #[inline]
    pub fn peek(&mut self) -> Option<&Timer> {
        if !self.early.is_empty() {
            return self.early.peek().map(|Reverse(e)| &e.timer);
        }
        if self.front == self.due.len() && !self.settle() {
            return None;
        }
        self.due.get(self.front)
    }

    /// Removes and returns the earliest timer.
    #[inline]
    pub fn pop(&mut self) -> Option<Timer> {
        if !self.early.is_empty() {
            return self.early.pop().map(|Reverse(e)| e.timer);
        }
        if self.front == self.due.len() && !self.settle() {
            return None;
        }
        let t = self.due[self.front];
        self.front += 1;
        Some(t)
    }

    /// Whether no timer is queued.
    pub fn is_empty(&self) -> bool {
        self.front == self.due.len() && self.nonempty == 0 && self.early.is_empty()
    }

    /// Moves the timers at the lowest bucket's minimum time to `due`, makes that
    /// time the base, and refiles the rest of the bucket (each lands strictly
    /// lower). False if no timer is filed.
    #[inline(never)]
    fn settle(&mut self) -> bool {
        self.due.clear();
        self.front = 0;
        if self.nonempty == 0 {
            return false;
        }
        let i = self.nonempty.trailing_zeros() as usize;
        self.nonempty &= !(1 << i);
        let mut bucket = std::mem::take(&mut self.buckets[i]);
        let min = bucket
            .iter()
            .map(|t| t.time)
            .min()
            .expect("a set bit marks a filed timer");
        self.base = min;
        for &t in &bucket {
            if t.time == min {
                self.due.push(t);
            } else {
                self.file(t, min);
            }
        }
        // Emptied, not freed: the bucket keeps its capacity for the next round.
        bucket.clear();
        self.buckets[i] = bucket;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::timers::Near;

    /// A timer identified by `seq` (carried as its wait number).
    fn timer(time: u64, seq: u64) -> Timer {
        Timer {
            time,
            key: 0,
            wait: seq,
            near: Near::NONE,
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
                        prop_assert_eq!(h.peek().map(|t| (t.time, t.wait)), reference.first().copied());
                    }
                    _ => {
                        reference.sort_unstable();
                        let want = (!reference.is_empty()).then(|| reference.remove(0));
                        let got = h.pop().map(|t| (t.time, t.wait));
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
            let rest: Vec<(u64, u64)> = std::iter::from_fn(|| h.pop()).map(|t| (t.time, t.wait)).collect();
            prop_assert_eq!(rest, reference);
        }
    }
}
