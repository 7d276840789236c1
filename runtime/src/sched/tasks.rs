//! The task table: every live task's entry, who joins whom, which task runs,
//! and the counts of tasks.
//!
//! Owns the entries (a slab by task key), the joiners of each task, the running
//! task's key and header, the numbering of tasks and of waits, and the counts.
//! Invariants: a key names one live task from `insert` to `remove`; the running
//! task, while one runs, has an entry (it is removed only after `leave`), so
//! its header pointer is valid; `alive` is the number of entries (until the
//! teardown clears them) and `non_daemons` the number of them that are not
//! daemons; ids and wait ids only grow, from 1 (a wait id of 0 means "not
//! parked", which no waiter matches).

use std::cell::{Cell, Ref, RefCell};
use std::collections::BTreeMap;

use slab::Slab;

use super::wait::{Waiter, WakeReason};
use crate::task::{Header, TaskId, TaskSlot, TaskState};

/// The live tasks.
pub(crate) struct TaskTable {
    slots: RefCell<Slab<TaskSlot>>,
    /// Tasks joining each task, by task key: few tasks are joined, so the list
    /// lives here rather than in every task's record.
    joiners: RefCell<BTreeMap<u32, Vec<Waiter>>>,
    /// The running task's key; meaningless while `current_hdr` is null.
    current_key: Cell<u32>,
    /// The running task's header, null when none runs (so the one test of
    /// whether a task runs): the blocking path reads and writes it at every
    /// park and resume without a lookup in `slots`.
    current_hdr: Cell<*const Header>,
    /// The last id given to a task (ids count every spawn, rejected ones too).
    last_id: Cell<u64>,
    /// The last wait id given.
    last_wait: Cell<u64>,
    /// Tasks that ended.
    finished: Cell<u64>,
    /// Tasks with an entry.
    alive: Cell<usize>,
    peak_alive: Cell<usize>,
    /// Tasks with an entry that are not daemons: if any is parked when nothing
    /// can run, it is a deadlock.
    non_daemons: Cell<usize>,
}

/// The panic of a blocking call made outside a task (kept out of the callers' code).
#[cold]
#[inline(never)]
fn not_in_task() -> ! {
    panic!("p2psim: this call blocks, so it must run inside a task spawned on a Runtime")
}

impl TaskTable {
    /// An empty table, with no task running.
    pub fn new() -> Self {
        TaskTable {
            slots: RefCell::new(Slab::new()),
            joiners: RefCell::new(BTreeMap::new()),
            current_key: Cell::new(0),
            current_hdr: Cell::new(std::ptr::null()),
            last_id: Cell::new(0),
            last_wait: Cell::new(0),
            finished: Cell::new(0),
            alive: Cell::new(0),
            peak_alive: Cell::new(0),
            non_daemons: Cell::new(0),
        }
    }

    /// The id of the task being spawned (every spawn takes one).
    pub fn new_id(&self) -> TaskId {
        let id = TaskId(self.last_id.get() + 1);
        self.last_id.set(id.0);
        id
    }

    /// The id of a new wait.
    #[inline(always)]
    pub fn new_wait(&self) -> u64 {
        let wait = self.last_wait.get() + 1;
        self.last_wait.set(wait);
        wait
    }

    /// The running task's key, if a task runs.
    #[inline]
    pub fn current(&self) -> Option<u32> {
        (!self.current_hdr.get().is_null()).then(|| self.current_key.get())
    }

    /// The running task's key and header; panics outside a task.
    #[inline(always)]
    pub fn running(&self) -> (u32, &Header) {
        let hdr = self.current_hdr.get();
        if hdr.is_null() {
            not_in_task();
        }
        // SAFETY: `current_hdr` is set with `current_key` (in `enter`) to the
        // header of the task that key names, whose cell its entry in `slots`
        // keeps alive; an entry is only removed by `remove`, never for the
        // running task before `leave` nulls the pointer (`remove` asserts it),
        // and `clear` nulls it before it drops the entries, so a non-null
        // pointer is valid. Headers are only ever shared (mutable parts are Cells).
        (self.current_key.get(), unsafe { &*hdr })
    }

    /// Makes task `key` (header `t`, its entry's) the running one.
    #[inline(always)]
    pub fn enter(&self, key: u32, t: &Header) {
        self.current_key.set(key);
        self.current_hdr.set(t);
    }

    /// No task runs any more (the running one suspended or ended).
    #[inline(always)]
    pub fn leave(&self) {
        self.current_hdr.set(std::ptr::null());
    }

    /// Adds the entry of a new task; returns its key.
    pub fn insert(&self, slot: TaskSlot) -> u32 {
        let daemon = slot.daemon;
        let key = self.slots.borrow_mut().insert(slot);
        if !daemon {
            self.non_daemons.set(self.non_daemons.get() + 1);
        }
        self.alive.set(self.alive.get() + 1);
        self.peak_alive
            .set(self.peak_alive.get().max(self.alive.get()));
        u32::try_from(key).expect("fewer than 2^32 live tasks")
    }

    /// Removes the entry of task `key`, which ended (it is not the running task).
    pub fn remove(&self, key: u32) -> TaskSlot {
        assert!(
            self.current() != Some(key),
            "the running task's entry stays until it leaves"
        );
        let t = self.slots.borrow_mut().remove(key as usize);
        self.finished.set(self.finished.get() + 1);
        if !t.daemon {
            self.non_daemons.set(self.non_daemons.get() - 1);
        }
        self.alive.set(self.alive.get() - 1);
        t
    }

    /// Drops every entry (at teardown); no task runs after it.
    pub fn clear(&self) {
        self.leave();
        self.slots.borrow_mut().clear();
    }

    /// The whole table, for reading (walks and lookups).
    #[inline(always)]
    pub fn borrow(&self) -> Ref<'_, Slab<TaskSlot>> {
        self.slots.borrow()
    }

    /// The id of live task `key`.
    #[inline]
    pub fn id(&self, key: u32) -> TaskId {
        self.slots.borrow()[key as usize].id
    }

    /// Whether wait `wait` of task `key` is still in progress.
    #[inline]
    pub fn wait_is_live(&self, key: u32, wait: u64) -> bool {
        matches!(self.slots.borrow().get(key as usize), Some(t) if t.wait.get() == wait)
    }

    /// Ends `waiter`'s wait with `reason` (its task becomes Runnable); false if
    /// the wait already ended.
    #[inline(always)]
    pub fn end_wait(&self, waiter: Waiter, reason: WakeReason) -> bool {
        let tasks = self.slots.borrow();
        match tasks.get(waiter.key as usize) {
            Some(t) if t.wait.get() == waiter.wait => {
                t.wait.set(0);
                t.wake.set(reason);
                t.state.set(TaskState::Runnable);
                true
            }
            _ => false,
        }
    }

    /// Adds `waiter` to the joiners of task `key` if that is still task `id`;
    /// false if it already ended.
    pub fn add_joiner(&self, key: u32, id: TaskId, waiter: Waiter) -> bool {
        let tasks = self.slots.borrow();
        match tasks.get(key as usize) {
            Some(t) if t.id == id => {
                self.joiners
                    .borrow_mut()
                    .entry(key)
                    .or_default()
                    .push(waiter);
                true
            }
            _ => false,
        }
    }

    /// Takes the joiners of task `key` (which ended).
    pub fn take_joiners(&self, key: u32) -> Option<Vec<Waiter>> {
        let mut all = self.joiners.borrow_mut();
        // Few tasks are ever joined: most ends skip the lookup.
        match all.is_empty() {
            true => None,
            false => all.remove(&key),
        }
    }

    /// Tasks with an entry.
    #[inline(always)]
    pub fn alive(&self) -> usize {
        self.alive.get()
    }

    /// Tasks with an entry that are not daemons.
    #[inline]
    pub fn non_daemons(&self) -> usize {
        self.non_daemons.get()
    }

    /// Most tasks alive at once.
    pub fn peak_alive(&self) -> usize {
        self.peak_alive.get()
    }

    /// Tasks spawned, rejected ones included.
    pub fn spawned(&self) -> u64 {
        self.last_id.get()
    }

    /// Tasks that ended.
    pub fn finished(&self) -> u64 {
        self.finished.get()
    }
}
