//! What runs next: the run queue's order (first-in first-out, or the
//! schedule's pick when the run explores), the clock's jump to the next timers
//! when nothing is ready, and warming what runs next.

use super::callbacks;
use super::core::Core;
use super::schedule::Entry;
use super::wait::{Waiter, WakeReason};
use crate::exec::warm;
use crate::time::SimTime;

/// What the scheduler found when the run queue was empty.
pub(crate) enum Advance {
    /// Timers fired: tasks are ready.
    Ready,
    /// The next timer is beyond the limit.
    LimitReached,
    /// The next timer is at the end of the clock: the run cannot go on.
    ClockEnd,
    /// Nothing is ready and no timer is pending.
    Idle,
}

impl Core {
    /// The next entry to run: the queue's front, or the schedule's pick.
    #[inline(always)]
    pub fn pop_ready(&self) -> Option<u32> {
        if self.exploring {
            return self.pop_ready_explored();
        }
        self.agenda.pop_ready()
    }

    /// The schedule's pick among the ready entries (see `schedule`).
    #[inline(never)]
    fn pop_ready_explored(&self) -> Option<u32> {
        let ready = &self.agenda;
        let n = ready.ready_len();
        if n == 0 {
            return None;
        }
        let i = {
            let mut schedule = self.schedule.borrow_mut();
            let Some(schedule) = schedule.as_mut() else {
                return ready.pop_ready();
            };
            let tasks = self.tasks.borrow();
            let describe = |i: usize| match ready.ready_at(i) {
                Some(k) if !callbacks::is_callback(k) => tasks
                    .get(k as usize)
                    .map_or(Entry::Callback, |t| Entry::Task(t.id)),
                _ => Entry::Callback,
            };
            schedule.pick(self.now().as_nanos(), n, describe)
        };
        let key = ready.take_ready_at(i)?;
        if !callbacks::is_callback(key) {
            if let Some(t) = self.tasks.borrow().get(key as usize) {
                if let Some(s) = self.schedule.borrow_mut().as_mut() {
                    s.picked(t.id);
                }
            }
        }
        Some(key)
    }

    /// Advances virtual time to the earliest timers (not beyond `limit`) and fires them.
    pub fn advance(&self, limit: SimTime) -> Advance {
        loop {
            let live = |t: &super::timers::Timer| {
                callbacks::is_callback(t.key) || self.tasks.wait_is_live(t.key, t.wait)
            };
            let t = match self.agenda.jump(limit, live) {
                super::agenda::Next::At(t) => t,
                super::agenda::Next::Beyond => return Advance::LimitReached,
                super::agenda::Next::End => return Advance::ClockEnd,
                super::agenda::Next::Nothing => return Advance::Idle,
            };
            let mut woke = false;
            let mut due = self.callbacks.take_due();
            self.agenda.fire(t, |timer| {
                if callbacks::is_callback(timer.key) {
                    due.push(timer.wait as usize);
                    return;
                }
                let w = Waiter {
                    key: timer.key,
                    wait: timer.wait,
                };
                woke |= self.wake(w, WakeReason::TimedOut);
            });
            self.callbacks
                .run_due(due, || woke |= !self.agenda.nothing_ready());
            if woke || self.stop_requested() {
                return Advance::Ready;
            }
        }
    }

    /// When the next timer is due (it may be one whose wait already ended).
    pub fn next_timer(&self) -> Option<SimTime> {
        self.agenda.next_timer()
    }

    /// Runs the `call_soon` callback queued as `key`.
    pub fn run_callback(&self, key: u32) {
        self.callbacks.run_soon(key);
    }

    /// Warms the caches for the task expected to run after the current one (the
    /// run queue's front, else the earliest timer's task). Returns its worker,
    /// whose record the pool may warm too.
    #[inline]
    pub fn warm_next(&self) -> Option<usize> {
        match self.agenda.front() {
            Some(key) => {
                if callbacks::is_callback(key) {
                    return None;
                }
                let tasks = self.tasks.borrow();
                warm::ready_task(tasks.get(key as usize)?)
            }
            None => warm::timed_task(self.agenda.next_timer_hint()?),
        }
    }

    /// The worker of the task expected to run after the next one, if the
    /// timers already say which (see `WorkerPool::warm`): the second timer
    /// when nothing is ready, the first when one task is.
    #[inline]
    pub fn worker_after_next(&self) -> Option<usize> {
        let hint = match self.agenda.ready_len() {
            0 => self.agenda.settled_timer_hint(1)?,
            1 => self.agenda.settled_timer_hint(0)?,
            _ => return None,
        };
        hint.worker()
    }
}
