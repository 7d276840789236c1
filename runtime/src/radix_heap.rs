//! A monotone priority queue of timers (a radix heap whose small buckets are sorted).
//!
//! Virtual time never goes backwards, so no timer is ever pushed before the
//! last one taken out. A radix heap uses that: it files each timer in the
//! bucket of the highest bit in which its time differs from a base (at or after
//! every timer taken out, before every filed one), and when the lowest bucket is
//! needed it sweeps it once, moving the timers at its minimum time out and
//! refiling every other one strictly lower. A timer moves down a few times in
//! sequential sweeps instead of sifting through a binary heap, where with a
//! million random timers every level is a cache miss.
//!
//! Refiling a timer costs about as much as a comparison, and a timer is refiled
//! once per level it falls through (W2: 383 instructions per wake-up in the
//! sweeps). So a bucket of at most `SORT_AT_MOST` timers is not swept but
//! sorted whole into the due run, and its latest time becomes the base: the
//! buckets above hold only later timers (each differs from the old base at a
//! higher bit, where every timer of the sorted bucket agrees with it), filed
//! correctly for the new base too (which agrees with the old one above the
//! sorted bucket's bit).
//!
//! Ties keep their insertion order without sequence numbers: timers of equal
//! time always sit in the same bucket, every bucket is in insertion order (a
//! push appends the newest timer; a sweep only runs when every lower bucket is
//! empty and refiles in order into them), the sort is stable, and the due run
//! is taken out front to back. Keys are the 64-bit time alone, so a whole group
//! of same-time timers (a fixed delay, a broadcast) settles at once.
//!
//! A timer pushed at or before the base (the scheduler peeks, and so settles,
//! before the clock gets there; and a delay of zero) joins the due run in its
//! sorted place, after the timers of its time already there.

use crate::timers::Timer;

/// One bucket per bit of the 64-bit time.
const BUCKETS: usize = 64;

/// Buckets of at most this many timers are sorted instead of swept.
const SORT_AT_MOST: usize = 32;

/// Timers by (time, insertion).
pub(crate) struct RadixHeap {
    /// Timers out of the buckets, sorted by (time, insertion), all at or before
    /// `base`; `due[front..]` are still queued.
    due: Vec<Timer>,
    front: usize,
    /// `buckets[i]` holds the timers whose time differs from `base` first at bit
    /// `i` (all later than `base`).
    buckets: [Vec<Timer>; BUCKETS],
    /// Bit `i` is set when `buckets[i]` is not empty.
    nonempty: u64,
    /// The time every filed timer is later than, and every due one at or before.
    base: u64,
    /// Buckets of at most this many timers are sorted (a parameter for tests).
    sort_at_most: usize,
}

impl Default for RadixHeap {
    fn default() -> Self {
        RadixHeap::sorting_at_most(SORT_AT_MOST)
    }
}

impl RadixHeap {
    /// A heap that sorts buckets of at most `n` timers (0: always sweeps).
    fn sorting_at_most(n: usize) -> Self {
        RadixHeap {
            due: Vec::new(),
            front: 0,
            buckets: std::array::from_fn(|_| Vec::new()),
            nonempty: 0,
            base: 0,
            sort_at_most: n,
        }
    }

    /// Adds a timer; timers pushed with equal times come out in push order.
    #[inline]
    pub fn push(&mut self, t: Timer) {
        if t.time > self.base {
            self.file(t, self.base);
        } else {
            match self.due[self.front..].last() {
                Some(last) if last.time > t.time => self.insert_due(t),
                _ => self.due.push(t),
            }
        }
    }

    /// Puts `t` (later than `base`) in its bucket.
    #[inline(always)]
    fn file(&mut self, t: Timer, base: u64) {
        let i = (u64::BITS - 1 - (t.time ^ base).leading_zeros()) as usize;
        self.buckets[i].push(t);
        self.nonempty |= 1 << i;
    }

    /// Puts `t` in the due run after every queued timer of its time or earlier.
    #[cold]
    fn insert_due(&mut self, t: Timer) {
        let at = self.front + self.due[self.front..].partition_point(|d| d.time <= t.time);
        if at == self.front && self.front > 0 {
            self.front -= 1;
            self.due[self.front] = t;
        } else {
            self.due.insert(at, t);
        }
    }

    /// The earliest timer.
    #[inline]
    pub fn peek(&mut self) -> Option<&Timer> {
        if self.front == self.due.len() && !self.settle() {
            return None;
        }
        self.due.get(self.front)
    }

    /// The `i`-th earliest timer if it is already in the due run (it is not
    /// settled for: this is for looking ahead, not for taking out).
    #[inline]
    pub fn settled(&self, i: usize) -> Option<&Timer> {
        self.due.get(self.front + i)
    }

    /// Removes and returns the earliest timer.
    #[inline]
    pub fn pop(&mut self) -> Option<Timer> {
        if self.front == self.due.len() && !self.settle() {
            return None;
        }
        let t = self.due[self.front];
        self.front += 1;
        Some(t)
    }

    /// Whether no timer is queued.
    pub fn is_empty(&self) -> bool {
        self.front == self.due.len() && self.nonempty == 0
    }

    /// Refills the due run from the lowest bucket: sorted whole if small, else
    /// swept (its minimum-time timers come out, the rest are refiled lower).
    /// False if no timer is filed.
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
        if bucket.len() <= self.sort_at_most {
            // Stable: same-time timers stay in push order.
            bucket.sort_by_key(|t| t.time);
            self.base = bucket.last().expect("a set bit marks a filed timer").time;
            // The bucket's storage becomes the run; the run's, the empty bucket.
            std::mem::swap(&mut self.due, &mut bucket);
            self.buckets[i] = bucket;
            return true;
        }
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
        for sort in [0, SORT_AT_MOST] {
            below_the_settled_minimum(RadixHeap::sorting_at_most(sort));
        }
    }

    fn below_the_settled_minimum(mut h: RadixHeap) {
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

    #[test]
    fn a_sorted_bucket_keeps_same_time_timers_in_push_order() {
        let mut h = RadixHeap::sorting_at_most(1_000);
        // Times 1,000-1,003 all differ from the base 0 first at bit 9: one bucket.
        let pushed: Vec<(u64, u64)> = (0..500).map(|i| (1_000 + (i * 7) % 4, i)).collect();
        for &(time, seq) in &pushed {
            h.push(timer(time, seq));
        }
        let mut want = pushed;
        want.sort_by_key(|&(time, _)| time);
        let got: Vec<(u64, u64)> = std::iter::from_fn(|| h.pop())
            .map(|t| (t.time, t.wait))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_timer_pushed_into_a_sorted_run_goes_after_its_equals() {
        let mut h = RadixHeap::default();
        for (time, seq) in [(300, 1), (100, 2), (300, 3)] {
            h.push(timer(time, seq));
        }
        // One small bucket: sorted into the run [100, 300, 300], base 300.
        assert_eq!(h.peek().map(|t| t.wait), Some(2));
        h.push(timer(300, 4));
        h.push(timer(200, 5));
        h.push(timer(100, 6));
        h.push(timer(400, 7));
        let order: Vec<u64> = std::iter::from_fn(|| h.pop()).map(|t| t.wait).collect();
        assert_eq!(order, vec![2, 6, 5, 1, 3, 4, 7]);
    }

    proptest! {
        /// For all interleavings of pushes (never before the last timer taken
        /// out, as the scheduler's clock guarantees, except where a step pushes
        /// below a peeked minimum), peeks and pops, the timers come out exactly
        /// as a sorted list of the same timers would give them.
        #[test]
        fn pops_in_time_then_sequence_order(
            steps in prop::collection::vec((0u8..4, 0u64..2_000, 0u8..3), 1..400),
            sort in prop::sample::select(vec![0usize, 1, 3, SORT_AT_MOST, 1_000]),
        ) {
            let mut h = RadixHeap::sorting_at_most(sort);
            let mut reference: Vec<(u64, u64)> = Vec::new();
            let (mut now, mut seq) = (0u64, 0u64);
            for (op, delay, wide) in steps {
                match op {
                    0 | 1 => {
                        seq += 1;
                        // Narrow delays share low bits; wide ones reach the highest buckets.
                        let d = delay << [0, 20, 50][wide as usize];
                        h.push(timer(now + d, seq));
                        reference.push((now + d, seq));
                    }
                    2 => {
                        reference.sort_unstable();
                        prop_assert_eq!(h.peek().map(|t| (t.time, t.wait)), reference.first().copied());
                        // What the look-ahead shows is what comes out next, in order.
                        let mut i = 0;
                        while let Some(t) = h.settled(i) {
                            prop_assert_eq!(Some((t.time, t.wait)), reference.get(i).copied());
                            i += 1;
                        }
                    }
                    _ => {
                        reference.sort_unstable();
                        let want = (!reference.is_empty()).then(|| reference.remove(0));
                        let got = h.pop().map(|t| (t.time, t.wait));
                        prop_assert_eq!(got, want);
                        // The scheduler discards a stale timer without moving the clock.
                        if let (Some((t, _)), 0) = (got, wide) {
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
