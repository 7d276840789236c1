//! The timer queue: wake-ups ordered by virtual time, same-time ones first-in first-out.

use super::radix_heap::RadixHeap;
use crate::exec::warm::TimerHint;

/// A pending wake-up of one wait of one task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timer {
    /// When, in virtual nanoseconds.
    pub time: u64,
    /// The task's key.
    pub key: u32,
    /// The wait this timer ends; stale once the task was woken otherwise.
    pub wait: u64,
    /// What warming the task needs (see `exec::warm`), recorded when it set
    /// the timer.
    pub hint: TimerHint,
}

/// The pending timers, in (time, insertion) order. Stale entries are skipped when
/// they surface (lazy deletion).
///
/// One radix heap (see [`crate::sched::radix_heap`]) for every timer. No sorted FIFO
/// lanes for constant delays beside it: the radix heap files such a stream
/// cheaply, and lanes would add a five-way minimum to every peek and pop.
#[derive(Default)]
pub(crate) struct TimerHeap {
    heap: RadixHeap,
}

impl TimerHeap {
    /// Schedules a wake-up of wait `wait` of task `key` (warmed with `hint`) at `time`.
    #[inline]
    pub fn push(&mut self, time: u64, key: u32, wait: u64, hint: TimerHint) {
        self.heap.push(Timer {
            time,
            key,
            wait,
            hint,
        });
    }

    /// Whether no timer (live or stale) is queued.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The earliest timer's time.
    #[inline]
    pub fn peek_time(&mut self) -> Option<u64> {
        self.peek().map(|t| t.time)
    }

    /// The earliest timer.
    #[inline]
    pub fn peek(&mut self) -> Option<&Timer> {
        self.heap.peek()
    }

    /// The `i`-th earliest timer, if the heap has it sorted out already (a look
    /// ahead that costs no work; `None` says nothing about later timers).
    #[inline]
    pub fn settled(&self, i: usize) -> Option<&Timer> {
        self.heap.settled(i)
    }

    /// Removes and returns the earliest timer.
    #[inline]
    pub fn pop(&mut self) -> Option<Timer> {
        self.heap.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_insertion_order() {
        let mut h = TimerHeap::default();
        h.push(5, 1, 0, TimerHint::NONE);
        h.push(3, 2, 0, TimerHint::NONE);
        h.push(5, 3, 0, TimerHint::NONE);
        h.push(3, 4, 0, TimerHint::NONE);
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
            h.push(time, i, 0, TimerHint::NONE);
            expect.push((time, i));
            if i % 7 == 0 {
                let t = h.pop().unwrap();
                expect.sort();
                assert_eq!((t.time, t.key), expect.remove(0));
            }
        }
        expect.sort();
        let rest: Vec<(u64, u32)> = std::iter::from_fn(|| h.pop())
            .map(|t| (t.time, t.key))
            .collect();
        assert_eq!(rest, expect);
    }
}
