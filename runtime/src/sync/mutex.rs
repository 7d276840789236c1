//! A mutex owned by a task, with FIFO hand-off and wait-for cycle detection.

use std::cell::{Cell, RefCell, RefMut};
use std::ops::{Deref, DerefMut};
use std::rc::Rc;
use std::time::Duration;

use super::wait_queue::WaitQueue;
use crate::error::WaitKind;
use crate::exec::context::{self, with_core};
use crate::sched::wait;
use crate::sched::{Owner, WaitsFor, WakeReason};

/// A mutual-exclusion lock around a `T`, held by one task at a time.
///
/// Unlike a `RefCell`, a task may hold it across blocking calls: others block on
/// `lock` until it is released. Untimed waits form the wait-for graph, so a cycle
/// of tasks each waiting for a mutex another holds is reported as a deadlock the
/// moment it closes, even while unrelated tasks can still run.
///
/// Its contents can be read where no task runs (a mechanism's report after the
/// run, or a `call_at` callback) with [`Mutex::peek`], or taken with
/// [`Mutex::get_mut`] and [`Mutex::into_inner`] once no other handle is left.
/// Locking stays a task's business: a guard taken outside a task would have no
/// owner in the wait-for graph, and if it were held across a later run and
/// dropped after it, no scheduler would be there to hand the lock to the tasks
/// that queued for it meanwhile.
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
        if let Some(g) = self.acquire("lock") {
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
        if let Some(g) = self.acquire("lock_for") {
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

    /// Locks if free, without blocking; only inside a task (elsewhere use [`Mutex::peek`]).
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.acquire("try_lock")
    }

    /// Takes the lock for the running task if it is free; `what` names the call
    /// in the panic outside a task.
    #[inline(always)]
    fn acquire(&self, what: &str) -> Option<MutexGuard<'_, T>> {
        if self.inner.owner.get().is_some() {
            return None;
        }
        self.inner.owner.set(Some(current_owner(what)));
        Some(self.guard())
    }

    /// Whether some task holds it.
    pub fn is_locked(&self) -> bool {
        self.inner.owner.get().is_some()
    }

    /// Reads the contents without locking, where no task runs: after or between
    /// runs, after the runtime is gone, or in a `call_at` callback. Panics inside
    /// a task (use [`Mutex::lock`] there) and while the mutex is held.
    pub fn peek<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        if context::in_task() {
            panic!(
                "p2psim: Mutex::peek inside a task: another task could lock the mutex \
                 while the closure blocks; use Mutex::lock or Mutex::try_lock in a task"
            );
        }
        if self.is_locked() {
            panic!(
                "p2psim: Mutex::peek{}: the mutex is held by a task (one that parked \
                 holding its guard, or one handed the lock that has not run yet); \
                 release it before the task parks, or check Mutex::is_locked first",
                self.inner
                    .name
                    .as_ref()
                    .map(|n| format!(" on '{n}'"))
                    .unwrap_or_default()
            );
        }
        f(&self.inner.data.borrow())
    }

    /// The contents, mutably, if this is the only handle left (no clone, so no guard).
    pub fn get_mut(&mut self) -> Option<&mut T> {
        Rc::get_mut(&mut self.inner).map(|i| i.data.get_mut())
    }

    /// The contents, if this is the only handle left; the mutex back otherwise.
    pub fn into_inner(self) -> Result<T, Self> {
        match Rc::try_unwrap(self.inner) {
            Ok(i) => Ok(i.data.into_inner()),
            Err(inner) => Err(Mutex { inner }),
        }
    }

    fn guard(&self) -> MutexGuard<'_, T> {
        MutexGuard {
            data: Some(self.inner.data.borrow_mut()),
            inner: &self.inner,
        }
    }
}

#[cold]
#[inline(never)]
fn not_in_task(what: &str) -> ! {
    panic!(
        "p2psim: Mutex::{what} outside a task: a lock is held by a task; to read a \
         Mutex after the run or in a callback, use Mutex::peek (or get_mut / into_inner)"
    );
}

fn current_owner(what: &str) -> Owner {
    let owner = context::try_with_core(|core| Some(core.owner(core.current()?)));
    match owner {
        Some(Some(o)) => o,
        _ => not_in_task(what),
    }
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
        let next = self
            .inner
            .waiters
            .wake_one()
            .map(|w| with_core(|core| core.owner(w.key)));
        self.inner.owner.set(next);
    }
}
