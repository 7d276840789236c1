//! The agenda: the clock, the run queue of what is ready now, and the timers of
//! what is due later.
//!
//! Owns virtual time, the run queue (task keys and `call_soon` callback keys,
//! first-in first-out) and the timer heap (wake-ups and `call_at` callbacks,
//! by time then insertion). Invariants: the clock never goes back, and moves
//! only to the time of a timer (or to a run's limit); no timer is earlier than
//! the clock when it is pushed (callers clamp to now), so none is ever due in
//! the past.

use std::cell::{Cell, RefCell};

use super::fifo::Fifo;
use super::timers::{Timer, TimerHeap};
use crate::exec::warm::TimerHint;
use crate::time::SimTime;

/// The clock, the run queue and the timers (in this order, the timer heap
/// last: see `Core`'s layout).
#[repr(C)]
pub(crate) struct Agenda {
    now: Cell<SimTime>,
    ready: Fifo<u32>,
    timers: RefCell<TimerHeap>,
}

/// When the next timers are due, as seen from the run's limit.
pub(crate) enum Next {
    /// At this time (in nanoseconds), within the limit: the clock is there now.
    At(u64),
    /// Beyond the limit.
    Beyond,
    /// At the end of the clock ([`SimTime::MAX`], where instants computed past
    /// it saturate): the clock stays where it is, the run cannot go on.
    End,
    /// No timer is pending.
    Nothing,
}

impl Agenda {
    /// An empty agenda at virtual time zero.
    pub fn new() -> Self {
        Agenda {
            now: Cell::new(SimTime::ZERO),
            ready: Fifo::default(),
            timers: RefCell::new(TimerHeap::default()),
        }
    }

    /// The current virtual time.
    #[inline(always)]
    pub fn now(&self) -> SimTime {
        self.now.get()
    }

    /// Moves the clock to `limit` if it is behind (a run stopped there).
    pub fn reach(&self, limit: SimTime) {
        self.now.set(self.now.get().max(limit));
    }

    /// Queues a ready entry at the back of the run queue.
    #[inline(always)]
    pub fn push_ready(&self, key: u32) {
        self.ready.push_back(key);
    }

    /// Takes the run queue's front entry.
    #[inline(always)]
    pub fn pop_ready(&self) -> Option<u32> {
        self.ready.pop_front()
    }

    /// The run queue's front entry, left in place.
    #[inline(always)]
    pub fn front(&self) -> Option<u32> {
        self.ready.front()
    }

    /// Whether nothing is ready.
    #[inline(always)]
    pub fn nothing_ready(&self) -> bool {
        self.ready.is_empty()
    }

    /// How many entries are ready.
    #[inline]
    pub fn ready_len(&self) -> usize {
        self.ready.len()
    }

    /// The `i`-th ready entry from the front.
    pub fn ready_at(&self, i: usize) -> Option<u32> {
        self.ready.get(i)
    }

    /// Takes the `i`-th ready entry from the front, the others keeping their order.
    pub fn take_ready_at(&self, i: usize) -> Option<u32> {
        self.ready.remove(i)
    }

    /// The ready entries, front first.
    pub fn ready_entries(&self) -> Vec<u32> {
        self.ready.to_vec()
    }

    /// Schedules a timer for wait `wait` of `key` (a task, or a callback) at
    /// `time` (not before now), carrying `hint` for warming its task.
    #[inline(always)]
    pub fn push_timer(&self, time: SimTime, key: u32, wait: u64, hint: TimerHint) {
        self.timers
            .borrow_mut()
            .push(time.as_nanos(), key, wait, hint);
    }

    /// Whether a timer (live or stale) is pending.
    pub fn has_timers(&self) -> bool {
        !self.timers.borrow().is_empty()
    }

    /// When the next timer is due (it may be stale).
    pub fn next_timer(&self) -> Option<SimTime> {
        self.timers
            .borrow_mut()
            .peek_time()
            .map(SimTime::from_nanos)
    }

    /// The clock jumps to the earliest live timer (`live` tells which are),
    /// unless it is beyond `limit`; stale timers before it are dropped.
    pub fn jump(&self, limit: SimTime, live: impl Fn(&Timer) -> bool) -> Next {
        let mut timers = self.timers.borrow_mut();
        loop {
            let Some(&head) = timers.peek() else {
                return Next::Nothing;
            };
            let t = head.time;
            if t > limit.as_nanos() {
                return Next::Beyond;
            }
            // A timeout whose wait already ended must not move the clock.
            if !live(&head) {
                timers.pop();
                continue;
            }
            if t == SimTime::MAX.as_nanos() {
                return Next::End;
            }
            self.now.set(SimTime::from_nanos(t));
            return Next::At(t);
        }
    }

    /// Takes out every timer due at `t`, in order, handing each to `fire`.
    pub fn fire(&self, t: u64, mut fire: impl FnMut(Timer)) {
        let mut timers = self.timers.borrow_mut();
        while timers.peek_time() == Some(t) {
            fire(timers.pop().expect("peeked"));
        }
    }

    /// What the earliest timer carries for warming its task.
    #[inline]
    pub fn next_timer_hint(&self) -> Option<TimerHint> {
        Some(self.timers.borrow_mut().peek()?.hint)
    }

    /// The warming hint of the `i`-th earliest timer, if the heap has it sorted
    /// out already (a look ahead that costs no work).
    #[inline]
    pub fn settled_timer_hint(&self, i: usize) -> Option<TimerHint> {
        Some(self.timers.borrow().settled(i)?.hint)
    }
}
