//! A counting semaphore (Dijkstra's down/up) with FIFO hand-off of permits.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use super::wait_queue::WaitQueue;
use crate::error::WaitKind;
use crate::sched::wait;
use crate::sched::WakeReason;

/// A counting semaphore. `up` hands its permit straight to the longest waiter, so
/// a task arriving later can never overtake one that is already waiting.
#[derive(Clone)]
pub struct Semaphore {
    inner: Rc<Inner>,
}

struct Inner {
    permits: Cell<usize>,
    waiters: WaitQueue,
    name: Option<Rc<str>>,
}

impl Semaphore {
    /// A semaphore with `permits` free permits.
    pub fn new(permits: usize) -> Self {
        Self::build(permits, None)
    }

    /// A semaphore named in deadlock reports.
    pub fn named(name: &str, permits: usize) -> Self {
        Self::build(permits, super::name_of(name))
    }

    fn build(permits: usize, name: Option<Rc<str>>) -> Self {
        Semaphore {
            inner: Rc::new(Inner {
                permits: Cell::new(permits),
                waiters: WaitQueue::default(),
                name,
            }),
        }
    }

    /// Takes a permit, blocking until one is free.
    #[inline(always)]
    pub fn down(&self) {
        if self.try_down() {
            return;
        }
        let q = &self.inner.waiters;
        wait::block(
            WaitKind::Semaphore,
            self.inner.name.as_ref(),
            None,
            None,
            |w| q.push(w),
        );
    }

    /// Takes a permit, waiting at most `timeout`; returns whether it got one.
    #[inline(always)]
    pub fn down_for(&self, timeout: Duration) -> bool {
        if self.try_down() {
            return true;
        }
        let q = &self.inner.waiters;
        let deadline = super::deadline(timeout);
        wait::block(
            WaitKind::Semaphore,
            self.inner.name.as_ref(),
            Some(deadline),
            None,
            |w| q.push(w),
        ) == WakeReason::Notified
    }

    /// Takes a permit if one is free, without blocking.
    #[inline]
    pub fn try_down(&self) -> bool {
        // Free permits imply no live waiter: `up` hands permits to waiters first.
        let p = self.inner.permits.get();
        if p > 0 {
            self.inner.permits.set(p - 1);
            true
        } else {
            false
        }
    }

    /// Returns a permit: to the longest waiter if there is one, else to the pool.
    #[inline(always)]
    pub fn up(&self) {
        if self.inner.waiters.wake_one().is_none() {
            self.inner.permits.set(self.inner.permits.get() + 1);
        }
    }

    /// Free permits now.
    pub fn available(&self) -> usize {
        self.inner.permits.get()
    }
}
