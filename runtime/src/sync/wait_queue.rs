//! A FIFO of parked waiters, shared by all primitives.

use crate::sched::wait;
use crate::sched::{Fifo, Waiter, WakeReason};

/// Waiters in arrival order; stale entries (timed out, killed) are skipped on wake.
#[derive(Default)]
pub(crate) struct WaitQueue {
    queue: Fifo<Waiter>,
}

impl WaitQueue {
    /// Appends a waiter.
    #[inline]
    pub fn push(&self, w: Waiter) {
        self.queue.push_back(w);
    }

    /// Wakes the longest-waiting live waiter; returns it, or `None` if none is live.
    #[inline(always)]
    pub fn wake_one(&self) -> Option<Waiter> {
        loop {
            let w = self.queue.pop_front()?;
            if wait::wake(w, WakeReason::Notified) {
                return Some(w);
            }
        }
    }

    /// Like `wake_one`, but with no simulation running leaves the queue as it is
    /// (there is no scheduler to make a task runnable, nor to tell a live
    /// waiter from a stale one).
    #[inline]
    pub fn wake_one_if_running(&self) -> Option<Waiter> {
        if crate::exec::context::running() {
            self.wake_one()
        } else {
            None
        }
    }

    /// Wakes every live waiter, in order; returns how many.
    pub fn wake_all(&self) -> usize {
        let all = self.queue.take();
        all.into_iter()
            .filter(|w| wait::wake(*w, WakeReason::Notified))
            .count()
    }
}
