//! The timer heap: wake-ups ordered by (virtual time, sequence number).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A pending wake-up of one wait of one task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timer {
    /// When, in virtual nanoseconds.
    pub time: u64,
    /// Insertion order: same-time timers fire first-in first-out.
    pub seq: u64,
    /// The task's slab key.
    pub key: u32,
    /// The wait this timer ends; stale once the task was woken otherwise.
    pub wait: u64,
}

/// A min-heap of timers; stale entries are skipped when they surface (lazy deletion).
#[derive(Default)]
pub(crate) struct TimerHeap {
    heap: BinaryHeap<Reverse<Timer>>,
    seq: u64,
}

impl TimerHeap {
    /// Schedules a wake-up of wait `wait` of task `key` at `time`.
    pub fn push(&mut self, time: u64, key: u32, wait: u64) {
        self.seq += 1;
        self.heap.push(Reverse(Timer {
            time,
            seq: self.seq,
            key,
            wait,
        }));
    }

    /// The earliest timer's time.
    pub fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(|t| t.0.time)
    }

    /// The earliest timer.
    pub fn peek(&self) -> Option<&Timer> {
        self.heap.peek().map(|t| &t.0)
    }

    /// Removes and returns the earliest timer.
    pub fn pop(&mut self) -> Option<Timer> {
        self.heap.pop().map(|t| t.0)
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
}
