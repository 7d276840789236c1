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
//! once per level it falls through. So a bucket of at most `SORT_AT_MOST`
//! timers is not swept but sorted whole into the due run, and its latest time
//! becomes the base: the
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
//! A timer pushed at or before the base joins the due run at its end if no
//! timer of the run is later. Otherwise it is late: the base can be far ahead
//! of the clock (the latest timer of a sorted bucket, or the next timer when a
//! peek settled it before the tasks of the current time pushed theirs: with a
//! scheduled load, the next arrival a second away), and any number of timers
//! can come before the run's latest one. Putting each in its sorted place in
//! the run would move the run's tail every time. Late timers go to a second
//! level of the same kind instead, restarted at the time last taken out
//! whenever it is empty, so they are filed as cheaply as any; the few that are
//! late for that level too go to a binary heap by (time, push order). Whatever
//! the delays, a timer is refiled at most once per bit of its time in a level
//! and costs O(log n) in the binary heap.
//!
//! On equal times the outer queue goes first: each timer of a run was pushed
//! before every late timer of its time (it was settled before, or appended at
//! or after the run's latest time, later than every late timer).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::sched::timers::Timer;

/// One bucket per bit of the 64-bit time.
const BUCKETS: usize = 64;

/// Buckets of at most this many timers are sorted instead of swept.
const SORT_AT_MOST: usize = 32;

/// Timers by (time, insertion).
///
/// In this order, the late timers last (see `Core`'s layout): their level is
/// the part of the heap a run touches least.
#[repr(C)]
pub(crate) struct RadixHeap {
    /// The timers that were not late.
    main: Level,
    /// The time of the timer last taken out, where an emptied `late` restarts.
    popped: u64,
    /// The timers pushed at or before `main`'s base but before its run's latest one.
    late: LateTimers,
}

/// One radix heap with its due run: the timers it took, by (time, insertion).
struct Level {
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
    /// Timers moved in memory by pushes and settles, for tests of the cost.
    #[cfg(test)]
    moves: u64,
}

/// Late timers: a level of their own, and a binary heap for those late for it.
///
/// In this order: `len`, read at every peek, first; the level last.
#[repr(C)]
struct LateTimers {
    /// Timers queued here, in `level` and `heap`.
    len: usize,
    /// Push order of the timers in `heap`.
    seq: u64,
    /// Timers pushed at or before `level`'s base but before its run's latest one.
    heap: BinaryHeap<Late>,
    level: Level,
    /// Timers moved in memory by the binary heap, for tests of the cost.
    #[cfg(test)]
    moves: u64,
}

/// A timer of the binary heap, ordered so that its top is the earliest, first pushed.
struct Late {
    seq: u64,
    timer: Timer,
}

impl Late {
    fn key(&self) -> (u64, u64) {
        (self.timer.time, self.seq)
    }
}

impl PartialEq for Late {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Late {}

impl PartialOrd for Late {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Late {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: `BinaryHeap` is a max-heap.
        other.key().cmp(&self.key())
    }
}

/// Whether run timer `run` comes out before late timer `late` (it does on equal times).
#[inline(always)]
fn before(run: Option<&Timer>, late: &Timer) -> bool {
    run.is_some_and(|r| r.time <= late.time)
}

impl Default for RadixHeap {
    fn default() -> Self {
        RadixHeap::sorting_at_most(SORT_AT_MOST)
    }
}

impl RadixHeap {
    /// A heap whose levels sort buckets of at most `n` timers (0: always sweep).
    fn sorting_at_most(n: usize) -> Self {
        RadixHeap {
            main: Level::new(n),
            late: LateTimers {
                level: Level::new(n),
                heap: BinaryHeap::new(),
                seq: 0,
                len: 0,
                #[cfg(test)]
                moves: 0,
            },
            popped: 0,
        }
    }

    /// Adds a timer; timers pushed with equal times come out in push order.
    #[inline]
    pub fn push(&mut self, t: Timer) {
        // Only the common case is inlined into every task that sleeps: on a
        // shared stack each parked task's frame is saved, and the other case's
        // code would make that frame larger.
        if t.time > self.main.base {
            self.main.file(t, self.main.base);
        } else {
            self.push_at_or_before_base(t);
        }
    }

    /// [`Self::push`] of a timer at or before `main`'s base.
    #[inline(never)]
    fn push_at_or_before_base(&mut self, t: Timer) {
        if !self.main.push(&t) {
            self.late.push(t, self.popped);
        }
    }

    /// The earliest timer.
    #[inline]
    pub fn peek(&mut self) -> Option<&Timer> {
        if self.late.len != 0 {
            return self.peek_with_late();
        }
        self.main.peek()
    }

    /// [`Self::peek`] when late timers are queued: every filed timer of `main`
    /// is later than them, so `main` is not settled.
    #[cold]
    fn peek_with_late(&mut self) -> Option<&Timer> {
        let run = self.main.front();
        let late = self.late.peek().expect("a late timer is queued");
        if before(run, late) {
            return run;
        }
        Some(late)
    }

    /// The `i`-th earliest timer if it is already in `main`'s due run and no
    /// late timer is known to come before it (it is not settled for: this is
    /// for looking ahead, not for taking out). `None` says nothing about later
    /// timers.
    #[inline]
    pub fn settled(&self, i: usize) -> Option<&Timer> {
        let t = self.main.due.get(self.main.front + i)?;
        if self.late.len == 0 {
            return Some(t);
        }
        self.late.first().filter(|l| before(Some(t), l)).map(|_| t)
    }

    /// Removes and returns the earliest timer.
    #[inline]
    pub fn pop(&mut self) -> Option<Timer> {
        let t = if self.late.len != 0 {
            self.pop_with_late()
        } else {
            self.main.pop()
        }?;
        self.popped = t.time;
        Some(t)
    }

    /// [`Self::pop`] when late timers are queued.
    #[cold]
    fn pop_with_late(&mut self) -> Option<Timer> {
        let late = self.late.peek().expect("a late timer is queued");
        if before(self.main.front(), late) {
            return self.main.pop();
        }
        self.late.pop()
    }

    /// Whether no timer is queued.
    pub fn is_empty(&self) -> bool {
        self.late.len == 0 && self.main.is_empty()
    }

    /// Timers moved in memory so far (filed, refiled, sorted or sifted).
    #[cfg(test)]
    fn moves(&self) -> u64 {
        self.main.moves + self.late.level.moves + self.late.moves
    }
}

impl LateTimers {
    /// Queues late timer `t`; an empty queue first restarts at `popped`, the
    /// time last taken out (at or before every later push but those after a
    /// discarded stale timer, which are then late here too: slower, in order).
    #[cold]
    #[inline(never)]
    fn push(&mut self, t: Timer, popped: u64) {
        if self.len == 0 {
            self.level.restart(popped);
        }
        self.len += 1;
        if !self.level.push(&t) {
            self.seq += 1;
            #[cfg(test)]
            {
                self.moves += u64::from((self.heap.len() + 1).ilog2()) + 1;
            }
            self.heap.push(Late {
                seq: self.seq,
                timer: t,
            });
        }
    }

    /// The earliest late timer.
    fn peek(&mut self) -> Option<&Timer> {
        let Some(top) = self.heap.peek() else {
            return self.level.peek();
        };
        // Every filed timer of `level` is later than the heap's, so `level`
        // is not settled.
        let run = self.level.front();
        if before(run, &top.timer) {
            return run;
        }
        Some(&top.timer)
    }

    /// The earliest late timer if it is known without settling.
    fn first(&self) -> Option<&Timer> {
        let run = self.level.front();
        match self.heap.peek() {
            Some(top) if !before(run, &top.timer) => Some(&top.timer),
            _ => run,
        }
    }

    /// Removes and returns the earliest late timer.
    fn pop(&mut self) -> Option<Timer> {
        let t = match self.heap.peek() {
            None => self.level.pop(),
            Some(top) if before(self.level.front(), &top.timer) => self.level.pop(),
            Some(_) => {
                #[cfg(test)]
                {
                    self.moves += u64::from(self.heap.len().ilog2()) + 1;
                }
                self.heap.pop().map(|l| l.timer)
            }
        }?;
        self.len -= 1;
        Some(t)
    }
}

impl Level {
    /// An empty level at base 0 that sorts buckets of at most `n` timers.
    fn new(n: usize) -> Self {
        Level {
            due: Vec::new(),
            front: 0,
            buckets: std::array::from_fn(|_| Vec::new()),
            nonempty: 0,
            base: 0,
            sort_at_most: n,
            #[cfg(test)]
            moves: 0,
        }
    }

    /// Takes `t`, unless it is at or before the base but before the due run's
    /// latest timer (taken out or not): then `t` is late, and false is returned.
    #[inline]
    fn push(&mut self, t: &Timer) -> bool {
        if t.time > self.base {
            self.file(*t, self.base);
            return true;
        }
        match self.due.last() {
            Some(last) if last.time > t.time => false,
            _ => {
                self.due.push(*t);
                true
            }
        }
    }

    /// Puts `t` (later than `base`) in its bucket.
    #[inline(always)]
    fn file(&mut self, t: Timer, base: u64) {
        let i = (u64::BITS - 1 - (t.time ^ base).leading_zeros()) as usize;
        self.buckets[i].push(t);
        self.nonempty |= 1 << i;
        #[cfg(test)]
        {
            self.moves += 1;
        }
    }

    /// The front of the due run, without settling.
    #[inline(always)]
    fn front(&self) -> Option<&Timer> {
        self.due.get(self.front)
    }

    /// The earliest timer.
    #[inline]
    fn peek(&mut self) -> Option<&Timer> {
        if self.front == self.due.len() && !self.settle() {
            return None;
        }
        self.due.get(self.front)
    }

    /// Removes and returns the earliest timer.
    #[inline]
    fn pop(&mut self) -> Option<Timer> {
        if self.front == self.due.len() && !self.settle() {
            return None;
        }
        let t = self.due[self.front];
        self.front += 1;
        Some(t)
    }

    /// Whether no timer is queued.
    fn is_empty(&self) -> bool {
        self.front == self.due.len() && self.nonempty == 0
    }

    /// Makes an empty level start again at `base`, with no run behind it and
    /// its memory given back: the burst of timers that filled it is over, and
    /// what it held in each bucket on its way down would stay resident.
    fn restart(&mut self, base: u64) {
        debug_assert!(self.is_empty());
        self.due = Vec::new();
        self.buckets.iter_mut().for_each(|b| *b = Vec::new());
        self.front = 0;
        self.base = base;
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
            #[cfg(test)]
            {
                self.moves += (bucket.len() * bucket.len().ilog2() as usize) as u64;
            }
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

    use crate::exec::warm::TimerHint;

    /// A timer identified by `seq` (carried as its wait number).
    fn timer(time: u64, seq: u64) -> Timer {
        Timer {
            time,
            key: 0,
            wait: seq,
            hint: TimerHint::NONE,
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

    /// Delay distributions that land many pushes inside a sorted run.
    #[derive(Clone, Debug)]
    enum Delay {
        /// W7's uniform(5 ms, 15 ms).
        Uniform,
        /// 1 ms plus an exponential of mean 9 ms.
        Exponential,
        /// A sum of four uniforms: normal-like, mean 10 ms, sd 3.5 ms, at least 2 ms.
        NormalLike,
        /// Per-link latencies: a few fixed values, so that many timers tie.
        Links(Vec<u64>),
        /// Under a microsecond, ties and zeros included.
        Tiny,
    }

    impl Delay {
        fn sample(&self, x: &mut u64) -> u64 {
            match self {
                Delay::Uniform => 5_000_000 + xorshift(x) % 10_000_000,
                Delay::Exponential => {
                    let u = (xorshift(x) >> 11) as f64 / (1u64 << 53) as f64;
                    1_000_000 + (-(1.0 - u).ln() * 9e6) as u64
                }
                Delay::NormalLike => {
                    let sum: u64 = (0..4).map(|_| xorshift(x) % 6_000_000).sum();
                    sum.max(2_000_000)
                }
                Delay::Links(links) => links[(xorshift(x) % links.len() as u64) as usize],
                Delay::Tiny => xorshift(x) % 1_000,
            }
        }

        fn all(x: &mut u64) -> Vec<Delay> {
            let links = (0..16)
                .map(|_| 1_000_000 + xorshift(x) % 20_000_000)
                .collect();
            vec![
                Delay::Uniform,
                Delay::Exponential,
                Delay::NormalLike,
                Delay::Links(links),
                Delay::Tiny,
            ]
        }
    }

    /// A xorshift generator (nonzero state).
    fn xorshift(x: &mut u64) -> u64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    /// A W7-like pattern: `floods` floods started one second apart (each start
    /// pushed at time 0, as a scenario's scheduled load is), in which every timer
    /// taken out pushes up to `fanout` more after a delay from `delay`,
    /// `per_flood` pushes per flood. Every pop and look-ahead is checked against
    /// the pushes in (time, push order). Returns the pushes and the heap's moves.
    fn flood(
        mut h: RadixHeap,
        floods: u64,
        per_flood: u64,
        fanout: u64,
        delay: &Delay,
        seed: u64,
    ) -> Result<(u64, u64), TestCaseError> {
        let mut x = seed | 1;
        let mut reference = std::collections::BTreeSet::new();
        let mut pushed = vec![0u64; floods as usize];
        let mut seq = 0;
        for f in 0..floods {
            seq += 1;
            // The flood a timer belongs to rides in its key.
            h.push(Timer {
                key: f as u32,
                ..timer(f * 1_000_000_000, seq)
            });
            reference.insert((f * 1_000_000_000, seq));
        }
        while let Some(t) = h.pop() {
            prop_assert_eq!(Some((t.time, t.wait)), reference.pop_first());
            let f = t.key as usize;
            let n = 1 + xorshift(&mut x) % fanout;
            for _ in 0..n {
                if pushed[f] == per_flood {
                    break;
                }
                pushed[f] += 1;
                // The scheduler peeks, and looks ahead, before the task it runs pushes.
                prop_assert_eq!(
                    h.peek().map(|t| (t.time, t.wait)),
                    reference.first().copied()
                );
                let mut ahead = reference.iter();
                for i in 0..3 {
                    match h.settled(i) {
                        Some(s) => prop_assert_eq!(Some(&(s.time, s.wait)), ahead.next()),
                        None => break,
                    }
                }
                seq += 1;
                let time = t.time + delay.sample(&mut x);
                h.push(Timer {
                    key: f as u32,
                    ..timer(time, seq)
                });
                reference.insert((time, seq));
            }
        }
        prop_assert!(reference.is_empty() && h.is_empty());
        Ok((seq, h.moves()))
    }

    #[test]
    fn floods_with_random_delays_move_each_timer_a_logarithmic_number_of_times() {
        for sort in [0, SORT_AT_MOST] {
            for delay in Delay::all(&mut 7) {
                let h = RadixHeap::sorting_at_most(sort);
                let (pushes, moves) = flood(h, 10, 20_000, 5, &delay, 11).expect("in order");
                // Filed, refiled, sorted or sifted: a few times log2(n) per timer.
                let bound = 3.0 * (pushes as f64).log2();
                let per_push = moves as f64 / pushes as f64;
                assert!(
                    per_push <= bound,
                    "sort {sort}, {delay:?}: {per_push:.1} moves per push (bound {bound:.1})"
                );
            }
        }
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

        /// Floods whose delays land many pushes inside a sorted run (and ties,
        /// from per-link and sub-microsecond delays) come out in (time, push
        /// order), and the look-ahead never shows a timer out of turn.
        #[test]
        fn floods_pop_in_time_then_sequence_order(
            sort in prop::sample::select(vec![0usize, 1, 3, SORT_AT_MOST, 1_000]),
            floods in 1u64..4,
            per_flood in 1u64..400,
            fanout in 1u64..8,
            which in 0usize..5,
            seed in any::<u64>(),
        ) {
            let delay = Delay::all(&mut (seed | 1)).swap_remove(which);
            flood(RadixHeap::sorting_at_most(sort), floods, per_flood, fanout, &delay, seed)?;
        }
    }
}
