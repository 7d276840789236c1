//! The timer queue: wake-ups ordered by (virtual time, sequence number).

use std::collections::VecDeque;

/// A pending wake-up of one wait of one task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timer {
    /// When, in virtual nanoseconds.
    pub time: u64,
    /// Insertion order: same-time timers fire first-in first-out.
    pub seq: u64,
    /// The task's key.
    pub key: u32,
    /// The wait this timer ends; stale once the task was woken otherwise.
    pub wait: u64,
}

/// The pending timers: a 4-ary min-heap plus a few sorted FIFO lanes. Stale
/// entries are skipped when they surface (lazy deletion).
///
/// Four children per node halve the depth of a binary heap, and with a million
/// pending timers each level is a cache miss. A timer goes to the first lane
/// whose last timer is not later than it: timers with the same delay (every
/// message of a constant-latency link, every lookup timeout) arrive in the
/// order they were pushed, so each delay class settles into a lane of its own
/// and costs a queue push and pop instead of two heap sifts. Popping takes the
/// smallest of the lanes' fronts and the heap's top, so the order is exactly
/// (time, sequence) either way.
#[derive(Default)]
pub(crate) struct TimerHeap {
    heap: Vec<Timer>,
    lanes: [VecDeque<Timer>; LANES],
    seq: u64,
}

/// Sorted lanes beside the heap: enough for a few delay classes, few enough that
/// finding the minimum stays cheap.
const LANES: usize = 4;

const ARITY: usize = 4;

impl Timer {
    /// The firing order as one number: time, then insertion (`seq` is unique, so
    /// the remaining fields never decide).
    #[inline(always)]
    fn order(&self) -> u128 {
        (u128::from(self.time) << 64) | u128::from(self.seq)
    }
}

/// Whether `t` beats the current candidate of a minimum search (or there is none).
fn beats(t: &Timer, candidate: Option<&Timer>) -> bool {
    candidate.map_or(true, |c| t.order() < c.order())
}

impl TimerHeap {
    /// Schedules a wake-up of wait `wait` of task `key` at `time`.
    pub fn push(&mut self, time: u64, key: u32, wait: u64) {
        self.seq += 1;
        let t = Timer {
            time,
            seq: self.seq,
            key,
            wait,
        };
        // Later sequence numbers sort after equal times, so `>=` keeps a lane sorted.
        for lane in &mut self.lanes {
            if lane.back().map_or(true, |last| time >= last.time) {
                lane.push_back(t);
                return;
            }
        }
        self.heap_push(t);
    }

    fn heap_push(&mut self, t: Timer) {
        let mut i = self.heap.len();
        self.heap.push(t);
        let order = t.order();
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if self.heap[parent].order() <= order {
                break;
            }
            self.heap[i] = self.heap[parent];
            i = parent;
        }
        self.heap[i] = t;
    }

    /// Whether no timer (live or stale) is queued.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.lanes.iter().all(VecDeque::is_empty)
    }

    /// The earliest timer's time.
    pub fn peek_time(&self) -> Option<u64> {
        self.peek().map(|t| t.time)
    }

    /// The earliest timer.
    pub fn peek(&self) -> Option<&Timer> {
        match self.earliest_lane() {
            Some(i) => self.lanes[i].front(),
            None => self.heap.first(),
        }
    }

    /// Removes and returns the earliest timer.
    pub fn pop(&mut self) -> Option<Timer> {
        match self.earliest_lane() {
            Some(i) => self.lanes[i].pop_front(),
            None => self.heap_pop(),
        }
    }

    /// The lane whose front is the earliest timer; `None` when the heap's top is
    /// (or nothing is queued).
    #[inline]
    fn earliest_lane(&self) -> Option<usize> {
        let mut best: Option<(usize, &Timer)> = None;
        for (i, lane) in self.lanes.iter().enumerate() {
            if let Some(f) = lane.front() {
                if beats(f, best.map(|(_, b)| b)) {
                    best = Some((i, f));
                }
            }
        }
        let (i, front) = best?;
        beats(front, self.heap.first()).then_some(i)
    }

    fn heap_pop(&mut self) -> Option<Timer> {
        let last = self.heap.pop()?;
        if self.heap.is_empty() {
            return Some(last);
        }
        let top = self.heap[0];
        let n = self.heap.len();
        let heap = &mut self.heap[..];
        let last_order = last.order();
        let mut i = 0;
        loop {
            let first = i * ARITY + 1;
            if first >= n {
                break;
            }
            // The smallest child, found without unpredictable branches.
            let end = (first + ARITY).min(n);
            let mut best = first;
            let mut best_order = heap[first].order();
            for (c, t) in heap.iter().enumerate().take(end).skip(first + 1) {
                let o = t.order();
                let better = o < best_order;
                best = if better { c } else { best };
                best_order = if better { o } else { best_order };
            }
            if last_order <= best_order {
                break;
            }
            heap[i] = heap[best];
            i = best;
        }
        heap[i] = last;
        Some(top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_insertion_order() {
        let mut h = TimerHeap::default();
        h.push(5, 1, 0);
        h.push(3, 2, 0);
        h.push(5, 3, 0);
        h.push(3, 4, 0);
        let order: Vec<u32> = std::iter::from_fn(|| h.pop()).map(|t| t.key).collect();
        assert_eq!(order, vec![2, 4, 1, 3]);
    }

    #[test]
    fn pops_in_sorted_order_like_a_sort() {
        // A deterministic pseudo-random sequence with many ties.
        let mut x = 12345u64;
        let mut h = TimerHeap::default();
        let mut expect = Vec::new();
        for i in 0..5000u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let time = (x >> 33) % 500;
            h.push(time, i, 0);
            expect.push((time, u64::from(i) + 1));
            if i % 7 == 0 {
                let t = h.pop().unwrap();
                expect.sort();
                assert_eq!((t.time, t.seq), expect.remove(0));
            }
        }
        expect.sort();
        let rest: Vec<(u64, u64)> = std::iter::from_fn(|| h.pop())
            .map(|t| (t.time, t.seq))
            .collect();
        assert_eq!(rest, expect);
    }
}
