//! A FIFO of parked waiters, shared by all primitives.

use std::cell::RefCell;
use std::collections::VecDeque;

use crate::core::{Waiter, WakeReason};
use crate::wait;

/// Waiters in arrival order; stale entries (timed out, killed) are skipped on wake.
#[derive(Default)]
pub(crate) struct WaitQueue {
    queue: RefCell<VecDeque<Waiter>>,
}

impl WaitQueue {
    /// Appends a waiter.
    #[inline]
    pub fn push(&self, w: Waiter) {
        self.queue.borrow_mut().push_back(w);
    }

    /// Wakes the longest-waiting live waiter; returns it, or `None` if none is live.
    #[inline(always)]
    pub fn wake_one(&self) -> Option<Waiter> {
        loop {
            let w = self.queue.borrow_mut().pop_front()?;
            if wait::wake(w, WakeReason::Notified) {
                return Some(w);
            }
        }
    }

    /// Wakes every live waiter, in order; returns how many.
    pub fn wake_all(&self) -> usize {
        let all = std::mem::take(&mut *self.queue.borrow_mut());
        all.into_iter()
            .filter(|w| wait::wake(*w, WakeReason::Notified))
            .count()
    }
}
