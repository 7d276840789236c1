//! The execution layer: coroutines, their stacks, and everything unsafe about
//! switching between them.
//!
//! - `context`: the thread-local link from task code to the running core, and
//!   the switch out of a task (`suspend`).
//! - `worker`: a pooled coroutine looping over the jobs it is given.
//! - `pool`: the workers, the stacks they run on, and resuming one.
//! - `stack`, `shared_stack`: stacks carved from large regions with guard
//!   pages; one stack shared by every worker, frames saved and restored.
//! - `overflow`: the report of a task that overflowed its stack.
//! - `out_of_memory`: the report of an allocation the system refused.
//! - `warm`: every prefetch the runtime makes.
//!
//! [`ExecState`] is what of this layer the scheduler keeps in the core, for
//! task code and the fault handler to reach through the thread-local link.

use std::cell::{Cell, RefCell};

pub(crate) mod context;
pub(crate) mod out_of_memory;
pub(crate) mod overflow;
pub(crate) mod pool;
pub(crate) mod shared_stack;
pub(crate) mod stack;
pub(crate) mod warm;
pub(crate) mod worker;

use stack::SlotSpan;
use worker::Worker;

/// The execution layer's state kept in the core: the running worker's stack,
/// the stacks' layout and guard, the shared stack's record of where the last
/// task suspended, and the pool's idle workers and worker array.
///
/// Invariant: `running_top` is the top of the stack of the worker running
/// now (or that ran last); `workers` is the pool's worker array as it was
/// when the scheduler last resumed a worker, and the array only moves between
/// the scheduler's steps, never while a task runs.
pub(crate) struct ExecState {
    /// The top of the running task's stack, for overflow reports (with `span`
    /// it gives the stack's bounds, see `current_stack`).
    running_top: Cell<usize>,
    /// The layout of every stack the pool carves.
    span: Cell<SlotSpan>,
    /// Whether overflows are caught in software (no guard pages).
    software_guard: Cell<bool>,
    /// Whether every worker runs on one shared stack (`StackMode::Shared`).
    shared: bool,
    /// With a shared stack: the stack pointer of the task that suspended last
    /// (recorded by the task, read when its frames are saved).
    suspend_sp: Cell<usize>,
    /// Workers whose job ended and that wait for the next one.
    idle: RefCell<Vec<u32>>,
    /// The pool's worker array, as the scheduler last saw it (see `handoff`).
    workers: Cell<*mut Worker>,
}

impl ExecState {
    /// The state of a pool with no worker yet, on a shared stack or not.
    pub fn new(shared: bool) -> Self {
        ExecState {
            running_top: Cell::new(0),
            span: Cell::new(SlotSpan::default()),
            software_guard: Cell::new(false),
            shared,
            suspend_sp: Cell::new(0),
            idle: RefCell::new(Vec::new()),
            workers: Cell::new(std::ptr::null_mut()),
        }
    }

    /// Whether every worker runs on one shared stack.
    #[inline(always)]
    pub fn shared(&self) -> bool {
        self.shared
    }

    /// The top of the running worker's stack.
    #[inline(always)]
    pub fn running_top(&self) -> usize {
        self.running_top.get()
    }

    /// Records the top of the stack of the worker about to run.
    #[inline(always)]
    pub fn set_running_top(&self, top: usize) {
        self.running_top.set(top);
    }

    /// Records the layout of the pool's stacks.
    pub fn set_span(&self, span: SlotSpan) {
        self.span.set(span);
    }

    /// (guard, limit, top) of the running task's stack.
    pub fn current_stack(&self) -> [usize; 3] {
        self.span.get().bounds(self.running_top.get())
    }

    /// Whether overflows are caught in software, at each suspension.
    #[inline(always)]
    pub fn software_guard(&self) -> bool {
        self.software_guard.get()
    }

    /// Records whether overflows are caught in software.
    pub fn set_software_guard(&self, on: bool) {
        self.software_guard.set(on);
    }

    /// Records the stack pointer of the task suspending now (shared stack).
    #[inline(always)]
    pub fn record_sp(&self, sp: usize) {
        self.suspend_sp.set(sp);
    }

    /// The stack pointer the last suspending task recorded.
    #[inline]
    pub fn suspend_sp(&self) -> usize {
        self.suspend_sp.get()
    }

    /// Worker `w`'s job ended: it waits for the next.
    #[inline]
    pub fn push_idle(&self, w: u32) {
        self.idle.borrow_mut().push(w);
    }

    /// An idle worker, if one waits.
    pub fn pop_idle(&self) -> Option<u32> {
        self.idle.borrow_mut().pop()
    }

    /// Records the pool's worker array before a worker of it is resumed.
    #[inline(always)]
    pub fn set_workers(&self, base: *mut Worker) {
        self.workers.set(base);
    }

    /// The pool's worker array, as the scheduler last saw it (see `handoff`
    /// for when a task may resume one of its workers).
    #[inline(always)]
    pub fn workers(&self) -> *mut Worker {
        self.workers.get()
    }
}
