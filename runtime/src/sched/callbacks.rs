//! Callbacks: closures the scheduler runs itself, with no task, no stack and
//! no worker, at a virtual time (`call_at`) or on a turn of the run queue
//! (`call_soon`).
//!
//! Owns the pending closures and how the timers and the run queue name them: a
//! key with [`KEY`]'s bit set is a callback, not a task (a timer of `call_at`
//! has that key and the closure's index as its wait; a `call_soon` entry of
//! the run queue is the index with that bit). Invariant: every index so named
//! is pending until it is taken exactly once, to run or (at teardown) to be
//! dropped.

use std::cell::RefCell;

use slab::Slab;

use crate::exec::warm;

/// A closure run by the scheduler itself at a virtual time (it must not block).
pub(crate) type Callback = Box<dyn FnOnce()>;

/// Timer and run-queue keys at or above this mark callbacks, not tasks.
pub(crate) const KEY: u32 = 1 << 31;

/// The pending callbacks.
#[derive(Default)]
pub(crate) struct Callbacks {
    pending: RefCell<Slab<Callback>>,
    /// Callbacks due at the instant being advanced to, reused so that message
    /// arrivals allocate nothing here.
    due: RefCell<Vec<usize>>,
}

/// Whether a timer's or run-queue entry's key names a callback rather than a task.
#[inline(always)]
pub(crate) fn is_callback(key: u32) -> bool {
    key >= KEY
}

impl Callbacks {
    /// Keeps `f` for a `call_at` timer; returns the timer's wait (its index).
    pub fn at(&self, f: Callback) -> u64 {
        self.pending.borrow_mut().insert(f) as u64
    }

    /// Keeps `f` for a turn of the run queue; returns its run-queue key.
    pub fn soon(&self, f: Callback) -> u32 {
        let index = self.pending.borrow_mut().insert(f);
        let key = u32::try_from(index)
            .ok()
            .filter(|&k| k < KEY)
            .expect("fewer than 2^31 pending callbacks");
        key | KEY
    }

    /// Runs the `call_soon` callback queued as `key`.
    pub fn run_soon(&self, key: u32) {
        let f = self.pending.borrow_mut().remove((key & !KEY) as usize);
        f();
    }

    /// The (empty) list of callbacks due at an instant, to fill from its timers
    /// and give back to [`Callbacks::run_due`].
    pub fn take_due(&self) -> Vec<usize> {
        std::mem::take(&mut *self.due.borrow_mut())
    }

    /// Runs the `call_at` callbacks `due` (timer waits) in order, calling
    /// `after` after each; warms the closures a few ahead of the one running.
    pub fn run_due(&self, mut due: Vec<usize>, mut after: impl FnMut()) {
        for (i, &index) in due.iter().enumerate() {
            if let Some(&ahead) = due.get(i + warm::CALLBACKS_AHEAD) {
                self.warm(ahead);
            }
            let f = self.pending.borrow_mut().remove(index);
            f();
            after();
        }
        due.clear();
        *self.due.borrow_mut() = due;
    }

    /// Warms callback `index`'s closure.
    #[inline]
    fn warm(&self, index: usize) {
        if let Some(f) = self.pending.borrow().get(index) {
            warm::closure(&**f);
        }
    }

    /// Whether a callback is still pending.
    pub fn pending(&self) -> bool {
        !self.pending.borrow().is_empty()
    }

    /// Drops pending callbacks (at teardown: they may hold handles into the core).
    pub fn clear(&self) {
        let all = std::mem::take(&mut *self.pending.borrow_mut());
        drop(all);
    }
}
