//! A mutex owned by a task, with FIFO hand-off and wait-for cycle detection.

use std::cell::{Cell, RefCell, RefMut};
use std::ops::{Deref, DerefMut};
use std::rc::Rc;
use std::time::Duration;

use super::wait_queue::WaitQueue;
use crate::context::with_core;
use crate::core::{Owner, WaitsFor, WakeReason};
use crate::error::WaitKind;
use crate::wait;

/// A mutual-exclusion lock around a `T`, held by one task at a time.
///
/// Unlike a `RefCell`, a task may hold it across blocking calls: others block on
/// `lock` until it is released. Untimed waits form the wait-for graph, so a cycle
/// of tasks each waiting for a mutex another holds is reported as a deadlock the
/// moment it closes, even while unrelated tasks can still run.
pub struct Mutex<T> {
    inner: Rc<Inner<T>>,
}

impl<T> Clone for Mutex<T> {
    fn clone(&self) -> Self {
        Mutex {
            inner: self.inner.clone(),
        }
    }
}

struct Inner<T> {
    owner: Rc<Cell<Option<Owner>>>,
    waiters: WaitQueue,
    name: Option<Rc<str>>,
    data: RefCell<T>,
}

/// Proof of holding a [`Mutex`]; dereferences to the data and unlocks on drop.
pub struct MutexGuard<'a, T> {
    data: Option<RefMut<'a, T>>,
    inner: &'a Inner<T>,
}

impl<T> Mutex<T> {
    /// An unlocked mutex around `value`.
    pub fn new(value: T) -> Self {
        Self::build(value, None)
    }

    /// A mutex named in deadlock reports.
    pub fn named(name: &str, value: T) -> Self {
        Self::build(value, super::name_of(name))
    }

    fn build(value: T, name: Option<Rc<str>>) -> Self {
        Mutex {
            inner: Rc::new(Inner {
                owner: Rc::new(Cell::new(None)),
                waiters: WaitQueue::default(),
                name,
                data: RefCell::new(value),
            }),
        }
    }

    /// Locks, blocking the running task until the mutex is free.
    #[inline(always)]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        if let Some(g) = self.try_lock() {
            return g;
        }
        let inner = &*self.inner;
        wait::block(
            WaitKind::Mutex,
            inner.name.as_ref(),
            None,
            Some(WaitsFor::Holder(inner.owner.clone())),
            |w| inner.waiters.push(w),
        );
        self.guard()
    }

    /// Locks, waiting at most `timeout`; `None` if the timeout passed first.
    #[inline(always)]
    pub fn lock_for(&self, timeout: Duration) -> Option<MutexGuard<'_, T>> {
        if let Some(g) = self.try_lock() {
            return Some(g);
        }
        let inner = &*self.inner;
        let deadline = super::deadline(timeout);
        match wait::block(
            WaitKind::Mutex,
            inner.name.as_ref(),
            Some(deadline),
            Some(WaitsFor::Holder(inner.owner.clone())),
            |w| inner.waiters.push(w),
        ) {
            WakeReason::Notified => Some(self.guard()),
            _ => None,
        }
    }

    /// Locks if free, without blocking.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        if self.inner.owner.get().is_some() {
            return None;
        }
        self.inner.owner.set(Some(current_owner()));
        Some(self.guard())
    }

    /// Whether some task holds it.
    pub fn is_locked(&self) -> bool {
        self.inner.owner.get().is_some()
    }

    fn guard(&self) -> MutexGuard<'_, T> {
        MutexGuard {
            data: Some(self.inner.data.borrow_mut()),
            inner: &self.inner,
        }
    }
}

fn current_owner() -> Owner {
    with_core(|core| {
        let key = core.current_key();
        Owner {
            key,
            id: core.tasks.borrow()[key as usize].id,
        }
    })
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.data.as_ref().expect("guard holds data until dropped")
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.data.as_mut().expect("guard holds data until dropped")
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.data = None;
        // Hand the lock to the longest waiter, or leave it free.
        let next = self.inner.waiters.wake_one().map(|w| {
            with_core(|core| Owner {
                key: w.key,
                id: core.tasks.borrow()[w.key as usize].id,
            })
        });
        self.inner.owner.set(next);
    }
}
