//! The timer queue: wake-ups ordered by (virtual time, sequence number).

use std::collections::VecDeque;

use crate::radix_heap::RadixHeap;

/// A pending wake-up of one wait of one task.
/// Ordered by (time, seq, ...): since `seq` is unique, exactly as `order()`.
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

/// The pending timers: a radix heap plus a few sorted FIFO lanes. Stale entries
/// are skipped when they surface (lazy deletion).
///
/// A timer goes to the first lane whose last timer is not later than it:
/// timers with the same delay (every message of a constant-latency link, every
/// lookup timeout) arrive in the order they were pushed, so each delay class
/// settles into a lane of its own and costs a queue push and pop. The rest go
/// to the radix heap (see [`crate::radix_heap`]). Popping takes the smallest of
/// the lanes' fronts and the heap's minimum, so the order is exactly
/// (time, sequence) either way.
#[derive(Default)]
pub(crate) struct TimerHeap {
    heap: RadixHeap,
    lanes: [VecDeque<Timer>; LANES],
    seq: u64,
}

/// Sorted lanes beside the heap: enough for a few delay classes, few enough that
/// finding the minimum stays cheap.
const LANES: usize = 4;

impl Timer {
    /// The firing order as one number: time, then insertion (`seq` is unique, so
    /// the remaining fields never decide).
    #[inline(always)]
    pub(crate) fn order(&self) -> u128 {
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
        self.heap.push(t);
    }

    /// Whether no timer (live or stale) is queued.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.lanes.iter().all(VecDeque::is_empty)
    }

    /// The earliest timer's time.
    pub fn peek_time(&mut self) -> Option<u64> {
        self.peek().map(|t| t.time)
    }

    /// The earliest timer.
    pub fn peek(&mut self) -> Option<&Timer> {
        match self.earliest_lane() {
            Some(i) => self.lanes[i].front(),
            None => self.heap.peek(),
        }
    }

    /// Removes and returns the earliest timer.
    pub fn pop(&mut self) -> Option<Timer> {
        match self.earliest_lane() {
            Some(i) => self.lanes[i].pop_front(),
            None => self.heap.pop(),
        }
    }

    /// The lane whose front is the earliest timer; `None` when the heap's minimum
    /// is (or nothing is queued).
    #[inline]
    fn earliest_lane(&mut self) -> Option<usize> {
        let mut best: Option<(usize, &Timer)> = None;
        for (i, lane) in self.lanes.iter().enumerate() {
            if let Some(f) = lane.front() {
                if beats(f, best.map(|(_, b)| b)) {
                    best = Some((i, f));
                }
            }
        }
        let (i, front) = best?;
        beats(front, self.heap.peek()).then_some(i)
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
