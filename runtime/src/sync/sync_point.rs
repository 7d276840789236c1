//! The design document's synchronisation point: wait until a condition holds or a
//! timeout passes.

use std::rc::Rc;
use std::time::Duration;

use super::wait_queue::WaitQueue;
use crate::error::WaitKind;
use crate::sched::wait;
use crate::sched::WakeReason;

/// A condition object: waiters check their own predicate; whoever changes what the
/// predicate reads calls [`SyncPoint::awake`] so that the waiters re-check it.
///
/// This is what FADA's lookup needs: block until `wanted` results have arrived or
/// the timeout passes, whichever comes first.
#[derive(Clone, Default)]
pub struct SyncPoint {
    inner: Rc<Inner>,
}

#[derive(Default)]
struct Inner {
    waiters: WaitQueue,
    name: Option<Rc<str>>,
}

impl SyncPoint {
    /// An unnamed sync point.
    pub fn new() -> Self {
        Self::default()
    }

    /// A sync point named in deadlock reports.
    pub fn named(name: &str) -> Self {
        SyncPoint {
            inner: Rc::new(Inner {
                waiters: WaitQueue::default(),
                name: super::name_of(name),
            }),
        }
    }

    /// Blocks until `holds()` returns true (checked now and after every `awake`).
    #[inline(always)]
    pub fn wait_until(&self, mut holds: impl FnMut() -> bool) {
        let i = &*self.inner;
        while !holds() {
            wait::block(WaitKind::SyncPoint, i.name.as_ref(), None, None, |w| {
                i.waiters.push(w)
            });
        }
    }

    /// Blocks until `holds()` or until `timeout` passes; returns whether it holds.
    #[inline(always)]
    pub fn wait_until_for(&self, mut holds: impl FnMut() -> bool, timeout: Duration) -> bool {
        let i = &*self.inner;
        let deadline = super::deadline(timeout);
        loop {
            if holds() {
                return true;
            }
            let reason = wait::block(
                WaitKind::SyncPoint,
                i.name.as_ref(),
                Some(deadline),
                None,
                |w| i.waiters.push(w),
            );
            if reason == WakeReason::TimedOut {
                return holds();
            }
        }
    }

    /// Makes every waiter re-check its condition; returns how many were woken.
    pub fn awake(&self) -> usize {
        self.inner.waiters.wake_all()
    }
}
