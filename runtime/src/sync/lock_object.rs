//! The design document's LockObject: block until released by another task, or
//! until a timeout.

use std::rc::Rc;
use std::time::Duration;

use super::wait_queue::WaitQueue;
use crate::error::WaitKind;
use crate::sched::wait;
use crate::sched::WakeReason;

/// How a `block_for` ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockResult {
    /// Another task called `release` or `release_all`.
    Released,
    /// The timeout passed first.
    TimedOut,
}

/// A condition without a predicate, as in the design document: `block` waits
/// for a `release`; a release with no one blocked is lost (like Java's `notify`).
#[derive(Clone, Default)]
pub struct LockObject {
    inner: Rc<Inner>,
}

#[derive(Default)]
struct Inner {
    waiters: WaitQueue,
    name: Option<Rc<str>>,
}

impl LockObject {
    /// An unnamed lock object.
    pub fn new() -> Self {
        Self::default()
    }

    /// A lock object named in deadlock reports.
    pub fn named(name: &str) -> Self {
        LockObject {
            inner: Rc::new(Inner {
                waiters: WaitQueue::default(),
                name: super::name_of(name),
            }),
        }
    }

    /// Blocks the running task until another task releases it.
    #[inline(always)]
    pub fn block(&self) {
        let q = &self.inner.waiters;
        wait::block(
            WaitKind::LockObject,
            self.inner.name.as_ref(),
            None,
            None,
            |w| q.push(w),
        );
    }

    /// Blocks until released or until `timeout` of virtual time has passed.
    #[inline(always)]
    pub fn block_for(&self, timeout: Duration) -> BlockResult {
        let q = &self.inner.waiters;
        let deadline = super::deadline(timeout);
        match wait::block(
            WaitKind::LockObject,
            self.inner.name.as_ref(),
            Some(deadline),
            None,
            |w| q.push(w),
        ) {
            WakeReason::TimedOut => BlockResult::TimedOut,
            _ => BlockResult::Released,
        }
    }

    /// Wakes the task blocked longest; returns whether there was one.
    pub fn release(&self) -> bool {
        self.inner.waiters.wake_one().is_some()
    }

    /// Wakes every blocked task; returns how many.
    pub fn release_all(&self) -> usize {
        self.inner.waiters.wake_all()
    }
}
